"""`make try` (python -m tryout): the app on this machine, in Microsoft 365 Agents Playground, with a demo
organisation to try every flow in, and no account, registration or internet needed.

It starts, on loopback only: the web process (gunicorn, as the Procfile's web: line, serving Teams' /api/messages
in its unauthenticated try-out mode), the clock, and the playground (a local web page that plays Teams), on a fresh
SQLite database of its own under .try/ seeded with the demo organisation (tryout/seed.py). Ctrl-C stops all three.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tryout.seed import PLAYGROUND_USER, ROLES, seed

REPO = Path(__file__).resolve().parent.parent
PLAYGROUND = REPO / "tryout" / "playground"
PLAYGROUND_CLI = PLAYGROUND / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
APP_PORT, PAGE_PORT = 3978, 56150


def free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def environment(folder: Path, app_port: int, page_port: int) -> dict[str, str]:
    """The app's settings for the try-out: Teams only, no token checked (loopback only), roles from id lists."""
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        # Settings come from here alone: a .env beside README.md (a real deployment's) must not leak in.
        "GROUP_POLICY_ENV_FILE": os.devnull,
        "DATABASE_URL": f"sqlite:///{folder / 'try.db'}",
        "PORT": str(app_port),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{app_port}",
        "TEAMS_ALLOW_UNAUTHENTICATED": "true",
        "TEAMS_SERVICE_URL": f"http://127.0.0.1:{page_port}/_connector",
        "TEAMS_STAFF_IDS": ROLES.staff_ids,
        "TEAMS_SENIOR_MANAGER_IDS": ROLES.senior_manager_ids,
        "TEAMS_PCF_STAFF_IDS": "",
        "TEAMS_TRY_OUT_NAMES": ROLES.names,
        # The playground's own browser window is not opened: the address is printed instead.
        "TEAMSAPPTESTER_BROWSER": "none",
    }


def procfile(folder: Path, app_port: int, page_port: int) -> Path:
    node = shutil.which("node") or "node"
    path = folder / "Procfile"
    path.write_text(
        "web: gunicorn -c python:bot.gunicorn_conf bot.asgi:application\n"
        "clock: python -m bot.clock\n"
        # Run from .try/ so its logs land there; loopback.cjs keeps its page off the network.
        f"playground: cd {folder} && {node} -r {PLAYGROUND / 'loopback.cjs'} {PLAYGROUND_CLI}"
        f" -e http://127.0.0.1:{app_port}/api/messages -c msteams -p {page_port}"
        f" --service-url http://127.0.0.1:{page_port}/_connector --disable-telemetry\n"
    )
    return path


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tryout", description=__doc__.splitlines()[0])
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("TRY_APP_PORT", APP_PORT)))
    parser.add_argument("--page-port", type=int, default=int(os.environ.get("TRY_PAGE_PORT", PAGE_PORT)))
    parser.add_argument("--folder", type=Path, default=REPO / ".try")
    options = parser.parse_args(argv)
    if not PLAYGROUND_CLI.is_file():
        sys.exit(f"The playground is not installed: run `make try` (it runs npm ci in {PLAYGROUND}).")
    busy = [str(p) for p in (options.app_port, options.page_port) if not free(p)]
    if busy:
        sys.exit(f"Port {' and '.join(busy)} on 127.0.0.1 is in use (another `make try`?). Stop it, or pick others: "
                 "make try TRY_APP_PORT=... TRY_PAGE_PORT=...")
    folder = options.folder.resolve()
    shutil.rmtree(folder, ignore_errors=True)  # a fresh demo each time: nothing from an earlier try is kept
    folder.mkdir(parents=True)
    env = environment(folder, options.app_port, options.page_port)
    subprocess.run([sys.executable, "-m", "flows", "migrate"], cwd=REPO, env=env, check=True)
    os.environ.update(env)  # the seed reads the same settings as the processes it is for
    seed(env["DATABASE_URL"])
    print(f"\n  Group Policy Assistant is starting. Open http://localhost:{options.page_port} in your browser\n"
          f"  and type 'home' or 'new group' to the app. You are {PLAYGROUND_USER.name}, staff and a senior manager.\n"
          "  Ctrl-C stops everything.\n", flush=True)
    os.execve(sys.executable, [
        sys.executable, "-m", "honcho", "-f", str(procfile(folder, options.app_port, options.page_port)),
        "-d", str(REPO), "-e", os.devnull, "start",
    ], env)


if __name__ == "__main__":
    main(sys.argv[1:])
