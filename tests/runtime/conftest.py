from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Served:
    """A real HTTP server on 127.0.0.1 serving ``root`` with strong ETags."""

    root: Path
    server: http.server.ThreadingHTTPServer
    log: list[tuple[str, int]] = field(default_factory=list)  # (path, status)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(served: list[Served]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            s = served[0]
            path = (s.root / self.path.lstrip("/")).resolve()
            if not path.is_file() or s.root.resolve() not in path.parents:
                self._answer(404, b"not found")
                return
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._answer(304, b"", etag)
                return
            self._answer(200, body, etag)

        def _answer(self, status: int, body: bytes, etag: str | None = None) -> None:
            served[0].log.append((self.path, status))
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[Served]:
    """Serve ``tmp_path / "www"`` over HTTP on 127.0.0.1; stopped after the test."""
    root = tmp_path / "www"
    root.mkdir()
    holder: list[Served] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    server.daemon_threads = True
    served = Served(root, server)
    holder.append(served)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield served
    if thread.is_alive():
        served.stop()
        thread.join()
