"""The baseline's gunicorn settings: bot.gunicorn_conf's own (bind, workers, worker class, threads, timeout, access
log), read from it so they cannot drift apart; only the master's migration is left out (the bare app has no
database)."""
from bot.gunicorn_conf import accesslog, bind, threads, timeout, worker_class, workers  # noqa: F401
