"""What the local fakes of Microsoft's services share: a JSON REST server on loopback port 0 that
routes by (HTTP method, path pattern) to a named operation, records every call (refused ones too),
and can be told to answer an operation with an error status or slowly.

Faults are keyed by operation name ("activities.update", "users.get"), like fake_slack's methods, so
a test says which call misbehaves without spelling URLs.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Call:
    operation: str
    http_method: str
    path: str
    query: dict[str, str]
    body: Any
    token: str | None
    timestamp: float
    status: int = 200
    response: Any = None
    path_args: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Fault:
    status: int | None  # None: answer normally, only late
    headers: dict[str, str]
    body: Any
    times: int
    delay: float = 0.0


Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]


@dataclass(frozen=True)
class Route:
    http_method: str
    pattern: re.Pattern[str]
    operation: str


def route(http_method: str, path: str, operation: str) -> Route:
    """``path`` uses ``{name}`` for one path segment, e.g. ``/v3/conversations/{conversation_id}``."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return Route(http_method, re.compile(f"^{regex}$"), operation)


class FakeService:
    """Starts serving on construction; use as a context manager or call stop().

    Subclasses set ``routes`` and define ``_op_<operation with dots as underscores>(call)`` returning
    ``(status, body[, headers])``, and ``_refuse(call)`` returning an answer when the caller's token
    is not good enough (or None).
    """

    routes: tuple[Route, ...] = ()
    name = "fake"

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self.reset()
        handler = type("_Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=self.name, daemon=True  # quick stop()
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"

    # -- lifecycle ---------------------------------------------------------

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget calls and faults (subclasses also forget their tables); the server keeps running."""
        with self._lock:
            self._calls: list[Call] = []
            self._faults: dict[str, deque[Fault]] = defaultdict(deque)
            self.delay_seconds = 0.0

    # -- faults ------------------------------------------------------------

    def respond_with_status(
        self,
        operation: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``times`` calls of ``operation`` answer ``status``; 429 carries Retry-After (1 s unless told)."""
        headers = dict(headers or {})
        if retry_after is None and status == 429:
            retry_after = 1
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        with self._lock:
            self._faults[operation].append(Fault(status, headers, body or self._error_body(status), times))

    def answer_slowly(self, operation: str, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` calls of ``operation`` are answered normally, ``seconds`` late."""
        with self._lock:
            self._faults[operation].append(Fault(None, {}, None, times, delay=seconds))

    def _error_body(self, status: int) -> Any:
        return {"error": {"code": str(status), "message": "injected fault"}}

    # -- inspection --------------------------------------------------------

    def calls(self, operation: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if operation is None or c.operation == operation]

    def wait_for(self, operation: str, predicate: Callable[[Call], bool] | None = None,
                 timeout: float = 5.0) -> Call:
        """The first recorded call matching; blocks until one arrives."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for c in self._calls:
                    if c.operation == operation and (predicate is None or predicate(c)):
                        return c
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.operation for c in self._calls]
                    raise AssertionError(f"no matching {operation} call within {timeout}s; calls seen: {seen}")
                self._lock.wait(remaining)

    # -- request handling (server threads) ---------------------------------

    def _refuse(self, call: Call) -> Answer | None:
        return None

    def _take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            queue = self._faults[operation]
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.popleft()
            return fault

    def _handle(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        fault = self._take_fault(call.operation)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status is not None:
            answer: Answer = (fault.status, fault.body, fault.headers)
        else:
            answer = self._refuse(call) or getattr(self, "_op_" + call.operation.replace(".", "_"))(call)
        status, body, headers = (*answer, {})[:3]
        call.status, call.response = status, body
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()
        return status, body, headers

    def _not_found(self, call: Call) -> Answer:
        return 404, self._error_body(404)


def bearer_token(headers: Any) -> str | None:
    auth = headers.get("Authorization", "")
    return auth[7:] if auth.startswith("Bearer ") else None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeService

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, http_method: str) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            self._send(400, {"error": {"code": "BadSyntax", "message": "The body is not valid JSON."}}, {})
            return
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        for r in self.fake.routes:
            match = r.pattern.match(path) if r.http_method == http_method else None
            if match:
                call = Call(r.operation, http_method, path, query, body, bearer_token(self.headers),
                            time.time(), path_args=match.groupdict())
                status, answer, headers = self.fake._handle(call)
                self._send(status, answer, headers)
                return
        self._send(404, self.fake._error_body(404), {})

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
