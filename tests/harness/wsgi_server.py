"""Serve a WSGI app on loopback in a background thread, for end-to-end tests over real HTTP."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer as _WSGIServer, make_server


class _ThreadingWSGIServer(ThreadingMixIn, _WSGIServer):
    # Requests in flight must not keep the test process alive, and an app that
    # calls back into a fake while handling a request must not deadlock.
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class WSGIServer:
    """Starts on construction; ``.url`` is ``http://127.0.0.1:PORT`` (no trailing slash)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0):
        self._server = make_server(host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="wsgi-server", daemon=True  # quick stop()
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "WSGIServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
