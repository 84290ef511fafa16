"""The web process's front: an ASGI application (gunicorn's own asyncio `asgi` worker serves it) that receives each
request on the event loop and only then hands it to the Slack endpoint's WSGI application on a thread.

Why: a thread that reads a request body is held for as long as the sender takes. Slow or hostile senders (a large
Content-Length and a trickle of bytes) could hold every thread of a threaded worker, and genuine Slack requests then
waited past Slack's three seconds. Here a body arrives on the event loop, which holds no thread however slowly it
comes; a body larger than MAX_REQUEST_BYTES is refused (413) before a byte of it is read, and one that has not
arrived within REQUEST_READ_TIMEOUT_SECONDS is cut off (408). Threads only ever run complete, bounded requests.
Being ASGI, the same process can later serve an ASGI endpoint (e.g. Teams' FastAPI app) beside Slack's.
"""
from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.settings import SlackSettings as Settings, get_settings

log = logging.getLogger(__name__)

# Threads that run complete requests: as many as gunicorn's threaded worker had, since each still waits (up to
# three seconds) for its listener's acknowledgement.
REQUEST_THREADS = 8


class BufferedWSGI:
    def __init__(self, wsgi_app, max_bytes: int, read_timeout: float, threads: int = REQUEST_THREADS) -> None:
        self.wsgi_app = wsgi_app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="request")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, self._pool)
            return
        if scope["type"] != "http":
            return  # no websockets here
        body = await read_body(scope, receive, send, self.max_bytes, self.read_timeout)
        if body is None:
            return
        loop = asyncio.get_running_loop()
        status, headers, payload = await loop.run_in_executor(self._pool, self._run, _environ(scope, body))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _run(self, environ: dict) -> tuple[int, list, bytes]:
        answered: dict = {}

        def start_response(status, headers, exc_info=None):
            answered["status"] = int(status.split(" ", 1)[0])
            answered["headers"] = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
            return lambda data: answered.setdefault("written", []).append(data)

        result = self.wsgi_app(environ, start_response)
        try:
            payload = b"".join(answered.get("written", [])) + b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return answered["status"], answered["headers"], payload


async def read_body(scope, receive, send, max_bytes: int, read_timeout: float) -> bytes | None:
    """The whole body of a request, or None when it was refused (413 too large, 408 too slow; answered here) or
    the sender went away. Every endpoint of the web process reads its requests through this."""
    announced = _content_length(scope)
    if announced is not None and announced > max_bytes:
        await _answer(send, 413, {"error": "request too large"})
        return None
    try:
        return await asyncio.wait_for(_read(receive, max_bytes), read_timeout)
    except asyncio.TimeoutError:
        await _answer(send, 408, {"error": "request not received in time"})
    except _TooLarge:
        await _answer(send, 413, {"error": "request too large"})
    except _Gone:
        pass
    return None


async def _read(receive, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body") or b""
        size += len(chunk)
        if size > max_bytes:  # no Content-Length (chunked), or more than it announced
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _environ(scope, body: bytes) -> dict:
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", ""),
        "PATH_INFO": scope["path"],
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers") or []:
        name, value = raw_name.decode("latin-1").upper().replace("-", "_"), raw_value.decode("latin-1")
        if name == "CONTENT_LENGTH":
            continue
        key = name if name == "CONTENT_TYPE" else f"HTTP_{name}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


async def _answer(send, status: int, body: dict) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": payload})


async def _lifespan(receive, send, pool: ThreadPoolExecutor) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            pool.shutdown(wait=True)
            await send({"type": "lifespan.shutdown.complete"})
            return


class _BuiltOnFirstRequest:
    """Importing this module does no I/O: the settings are read when the first request (or lifespan) arrives."""

    def __init__(self, wsgi_app) -> None:
        self._wsgi_app = wsgi_app
        self._app = None
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = front(get_settings(), self._wsgi_app)
        await self._app(scope, receive, send)


def front(settings: Settings, wsgi_app, teams=None):
    """Slack's endpoint, and Teams' at /api/messages when Teams is configured (``teams``: an ASGI endpoint for it,
    made from the Teams settings unless given)."""
    slack = BufferedWSGI(wsgi_app, settings.max_request_bytes, settings.request_read_timeout_seconds)
    teams = teams if teams is not None else _teams(settings)
    if teams is None:
        return slack
    from teams.http import MESSAGES_PATH

    return ByPath(slack, {MESSAGES_PATH: teams})


class ByPath:
    """One web process, two platforms: each path its own endpoint; everything else (lifespan too) to the default."""

    def __init__(self, default, routes: dict) -> None:
        self.default = default
        self.routes = routes

    async def __call__(self, scope, receive, send) -> None:
        endpoint = self.routes.get(scope.get("path")) if scope["type"] == "http" else None
        await (endpoint or self.default)(scope, receive, send)


def _teams(settings: Settings):
    from teams.settings import get_teams_settings

    teams = get_teams_settings()
    if not teams.enabled:
        return None
    from teams.front import endpoint

    return endpoint(settings, teams)


def served(wsgi_app) -> _BuiltOnFirstRequest:
    """Any WSGI application behind this front, as the web process serves it (the benchmark's baselines too)."""
    return _BuiltOnFirstRequest(wsgi_app)


def _slack(environ, start_response):
    from bot.wsgi import application as slack_wsgi

    return slack_wsgi(environ, start_response)


application = served(_slack)
