"""Migrations run before the web workers start (the Procfile's release: step, or the gunicorn master's own in a
child process), so the workers never import Alembic; their health check still knows which schema this code needs."""
from __future__ import annotations

import shlex
import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from flows.db.migrate import alembic_config
from flows.db.revisions import current_revisions, head_revisions
from tests.test_running import ROOT, clean_env


def procfile(process: str) -> list[str]:
    line = next(entry for entry in (ROOT / "Procfile").read_text().splitlines() if entry.startswith(f"{process}:"))
    return shlex.split(line.split(":", 1)[1].strip())


def test_the_heads_read_without_alembic_are_the_heads_alembic_finds():
    assert head_revisions() == frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_the_procfiles_release_step_brings_a_new_database_to_the_schema_the_web_workers_check_for(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    done = subprocess.run(procfile("release"), cwd=tmp_path, env=clean_env(DATABASE_URL=url), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert current_revisions(connection) == head_revisions()
    finally:
        engine.dispose()


def test_neither_the_gunicorn_master_nor_a_worker_with_its_app_built_imports_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    subprocess.run(procfile("release"), cwd=tmp_path, env=clean_env(DATABASE_URL=url), check=True, timeout=120,
                   capture_output=True)
    # What a worker holds: gunicorn's config (the master's imports, inherited), then the app as its first request
    # builds it, and a health check.
    script = (
        "import sys, bot.gunicorn_conf\n"
        "master = sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako'))\n"
        "from bot.wsgi import create_wsgi_app\n"
        "from bot.settings import get_settings\n"
        "app = create_wsgi_app(get_settings())\n"
        "answered = []\n"
        "body = app({'PATH_INFO': '/healthz'}, lambda status, headers: answered.append(status))\n"
        "print(answered[0], master, sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=clean_env(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "OK", "[]", "[]"]
