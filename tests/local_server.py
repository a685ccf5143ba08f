"""A real HTTP server on 127.0.0.1 whose routes misbehave on purpose, for the HTTP client tests.

Routes (the query string is ignored unless said):
  /slow/<ms>        200 after <ms> milliseconds
  /flaky/<n>/<code> <code> (503, 429…) for the first <n> hits of this path, then 200
  /status/<code>    always <code>, with a short body
  /retry-after/<v>  429 with `Retry-After: <v>` every time
  /reset            the connection is cut with no response
  /malformed        200 with a body that is not JSON
  /drip/<ms>        200 with a 100-byte body sent a byte every <ms> milliseconds
  /moved/<host>/... 302 to the rest of the path on <host> (localhost, 127.0.0.1), same port
  /loop             302 to itself, forever
  /headers          200 with the request's headers as JSON
Any other path answers from `routes` (status, body, delay), so that a source's base URL can
point here and get API-shaped answers.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Route:
    body: bytes
    status: int = 200
    delay_s: float = 0.0


class Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may have given up, as the timeout tests make it

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits[path] += 1
        if path in self.server.routes:
            route = self.server.routes[path]
            time.sleep(route.delay_s)
            self._send(route.status, route.body)
            return
        self.server.agents.append(self.headers.get("User-Agent", ""))
        parts = path.strip("/").split("/")
        ok = json.dumps({"ok": True, "path": path}).encode()
        if parts[0] == "slow":
            time.sleep(int(parts[1]) / 1000)
            self._send(200, ok)
        elif parts[0] == "flaky":
            failures, code = int(parts[1]), int(parts[2])
            if self.server.hits[path] <= failures:
                self._send(code, b'{"error": "try again"}', {"Retry-After": "0"})
            else:
                self._send(200, ok)
        elif parts[0] == "status":
            self._send(int(parts[1]), b'{"msg": "Service unavailable from a restricted location"}')
        elif parts[0] == "retry-after":
            self._send(429, b"{}", {"Retry-After": parts[1].replace("%20", " ")})
        elif parts[0] == "reset":
            # SO_LINGER 0: close sends a TCP reset instead of a response.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif parts[0] == "malformed":
            self._send(200, b'{"data": [1, 2,')
        elif parts[0] == "drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(int(parts[1]) / 1000)
        elif parts[0] == "moved":
            target = f"http://{parts[1]}:{self.server.server_port}/{'/'.join(parts[2:])}"
            self._send(302, b"{}", {"Location": target})
        elif parts[0] == "loop":
            self._send(302, b"{}", {"Location": "/loop"})
        elif parts[0] == "headers":
            self._send(200, json.dumps(dict(self.headers.items())).encode())
        else:
            self._send(404, b"{}")


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: Counter[str] = Counter()
        self.agents: list[str] = []
        self.routes: dict[str, Route] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


@contextmanager
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
