"""Gunicorn settings for HTTP mode (the Procfile's web: line and `python -m bot`)."""
from bot.startup import prepare
from flows.settings import get_settings

_settings = get_settings()

bind = f"0.0.0.0:{_settings.port}"
workers = _settings.web_concurrency
# Threads let a worker acknowledge one request while another waits on Slack or the database.
worker_class = "gthread"
threads = 8
timeout = 30
accesslog = "-"


def on_starting(server):
    # Runs once in the master before workers fork: one migration, however many workers follow.
    prepare(_settings)
