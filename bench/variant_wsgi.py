"""What-ifs, not the Procfile's app: our app with one thing changed, to measure how much of our latency it causes,
without touching the app's files. Chosen with `python -m bench --listener-threads N` and/or `--no-home-refresh`.

- BENCH_LISTENER_THREADS=N: Bolt's listener thread pool at N threads instead of Bolt's default five. Bolt
  (process_before_response=False) runs each listener, ack() included, on that pool; a listener still busy after its
  ack() (Slack calls, the database) holds a thread, and the next requests' acknowledgements wait for one.
- BENCH_NO_HOME_REFRESH=1: no App Home refresh after each click and form submission (bot/home/listeners.py's
  listener completion handler), which runs on the same pool after every interaction's listener.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import slack_bolt.app.app as bolt_app

THREADS = os.environ.get("BENCH_LISTENER_THREADS")
NO_HOME_REFRESH = os.environ.get("BENCH_NO_HOME_REFRESH") == "1"

if THREADS:
    def _pool(max_workers=None, **kwargs) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=int(THREADS), **kwargs)

    bolt_app.ThreadPoolExecutor = _pool

if NO_HOME_REFRESH:
    from bot.home import listeners as home

    def _no_refresh(self, request) -> None:
        return None

    home.RefreshAfterInteraction._refresh = _no_refresh

from bot.asgi import served
from bot.wsgi import application

__all__ = ["application", "asgi_application"]

# As the web process serves it: behind bot.asgi's front, on gunicorn's asgi worker (bot/gunicorn_conf.py).
asgi_application = served(application)
