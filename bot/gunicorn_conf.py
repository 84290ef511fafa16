"""Gunicorn settings for HTTP mode (the Procfile's web: line and `python -m bot`)."""
from bot.startup import prepare
from bot.settings import get_settings

_settings = get_settings()

bind = f"0.0.0.0:{_settings.port}"
workers = _settings.web_concurrency
# gunicorn's own asyncio worker: requests are received on its event loop (a slow sender holds no thread) and run,
# complete, on bot.asgi's threads. See bot/asgi.py for why, and README (Running in production).
worker_class = "asgi"
threads = 1  # the asgi worker has no thread setting of its own; bot.asgi.REQUEST_THREADS run the requests
timeout = 30
accesslog = "-"
# gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl): a second instance on the
# same machine (another app, a test, a deploy's overlap) removes the first one's. Nothing here uses it.
control_socket_disable = True


def on_starting(server):
    # Runs once in the master before workers fork: one migration, however many workers follow (already done when
    # the platform ran the Procfile's release: step; then this finds nothing to do). In a child process, so that
    # neither the master nor the workers it forks carry Alembic.
    prepare(_settings, own_process=True)
