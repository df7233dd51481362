"""Shared fixtures: the real datasets (when present) and a local HTTP file server."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def real_data_dir() -> Path | None:
    """COURSE_DATA_DIR when set, else ../shared/data beside the checkout, if present."""
    candidates = [os.environ.get("COURSE_DATA_DIR"), ROOT.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "mnist").is_dir():
            return Path(candidate)
    return None


@pytest.fixture
def full_mode(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "full")


@pytest.fixture
def smoke_mode(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "smoke")


@pytest.fixture
def shared_data(monkeypatch):
    """Points COURSE_DATA_DIR at the real datasets, or skips the test."""
    folder = real_data_dir()
    if folder is None:
        pytest.skip(
            "real datasets not present: set COURSE_DATA_DIR or provide ../shared/data"
        )
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    return folder


class FileServer:
    """Serves ``routes`` (path -> bytes) on 127.0.0.1.

    A route whose value is a ``Drop(data, after)`` sends the full Content-Length but
    closes after ``after`` bytes."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                server.requests.append(self.path)
                body = server.routes.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                payload, cut = (
                    (body.data, body.after) if isinstance(body, Drop) else (body, None)
                )
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload if cut is None else payload[:cut])
                if cut is not None:
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Drop:
    def __init__(self, data: bytes, after: int):
        self.data, self.after = data, after


@pytest.fixture
def file_server():
    server = FileServer()
    yield server
    server.close()


def pytest_configure(config):
    """Unit tests draw figures without a display."""
    import matplotlib

    matplotlib.use("Agg")
