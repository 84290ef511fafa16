"""`POST /api/messages` as an ASGI endpoint, beside Slack's in the same web process (bot/asgi.py routes by path).

The Teams SDK brings its own FastAPI server; here it is handed this small adapter instead, so that a Teams request is
read the way a Slack one is (on the event loop, bounded in size and time) and the Teams app is built in the worker
that serves it, after the fork, on that worker's own event loop.
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable

from bot.asgi import read_body

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"


class RouteAdapter:
    """The SDK's HttpServerAdapter: keeps the handler the SDK registers for the messaging endpoint."""

    def __init__(self) -> None:
        self.handlers: dict[tuple[str, str], Callable[[dict], Awaitable[dict]]] = {}

    def register_route(self, method: str, path: str, handler) -> None:
        self.handlers[(method, path)] = handler

    def serve_static(self, path: str, directory: str) -> None:
        raise ValueError("this app serves no static files")

    async def start(self, port: int) -> None:
        raise RuntimeError("the web process serves the Teams endpoint; it starts no server of its own")

    async def stop(self) -> None:
        pass


class TeamsEndpoint:
    """Reads the request, refuses what must not reach the SDK, and hands the rest to the SDK's handler.

    ``build`` makes the Teams front (an object with ``handler`` and ``allow_unauthenticated``) and is awaited on the
    first request, in the running loop: nothing of the SDK exists before a worker serves its first Teams request."""

    def __init__(self, build: Callable[[], Awaitable[object]], max_bytes: int, read_timeout: float) -> None:
        self._build = build
        self._front = None
        self._lock = asyncio.Lock()
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def front(self):
        if self._front is None:
            async with self._lock:
                if self._front is None:
                    self._front = await self._build()
        return self._front

    async def __call__(self, scope, receive, send) -> None:
        if scope["method"] != "POST":
            await _answer(send, 405, {"error": "method not allowed"})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        body = await read_body(scope, receive, send, self.max_bytes, self.read_timeout)
        if body is None:
            return
        try:
            activity = json.loads(body)
        except ValueError:
            activity = None
        if not isinstance(activity, dict):
            await _answer(send, 400, {"error": "the body is not an activity"})
            return
        front = await self.front()
        if front.allow_unauthenticated and not _loopback(scope):
            # The try-out mode trusts whoever calls: only a caller on this machine may.
            log.warning("Teams activity from %s refused: unauthenticated mode serves loopback only",
                        (scope.get("client") or ("?",))[0])
            await _answer(send, 401, {"error": "Unauthorized"})
            return
        response = await front.handler({"body": activity, "headers": headers})
        await _answer(send, response["status"], response.get("body"))


def _loopback(scope) -> bool:
    client = scope.get("client") or ("",)
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


async def _answer(send, status: int, body: object) -> None:
    payload = b"" if body is None else json.dumps(body).encode()
    headers = [(b"content-length", str(len(payload)).encode())]
    if body is not None:
        headers.append((b"content-type", b"application/json; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
