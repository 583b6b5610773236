"""Start `uvicorn app.main:app` in the current project on a free port, check the health probes and /docs, stop it.

Run as a script from a generated project's directory (the demo does), or through `check()` from tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@contextmanager
def serving(
    project: Path,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    log: Path | None = None,
    app: tuple[str, ...] = ("app.main:app",),
) -> Iterator[str]:
    """Serve the project (uvicorn's `app` arguments) on a free port until the block ends; yields the base
    URL. Always stopped.

    The server's log (tracebacks included) goes to `log`, or to a temporary file: never to a pipe
    nobody reads, which would stall a server that logs a lot.
    """
    port = free_port()
    with open(log, "w+b") if log else tempfile.TemporaryFile() as errors:
        server = subprocess.Popen(
            [python, "-m", "uvicorn", *app, "--host", "127.0.0.1", "--port", str(port)],
            cwd=project,
            env=env if env is not None else dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    _get(base + "/health/live")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        errors.seek(0)
                        raise RuntimeError(f"uvicorn did not start: {errors.read().decode()}") from None
                    time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def check(project: Path, env: dict[str, str] | None = None, python: str = sys.executable) -> dict[str, int]:
    """Serve the project and return the status of each page; the server is always stopped."""
    with serving(project, env, python) as base:
        return {path: _get(base + path)[0] for path in ("/health/live", "/health/ready", "/docs", "/openapi.json")}


if __name__ == "__main__":
    statuses = check(Path.cwd())
    for path, status in statuses.items():
        print(f"GET {path} -> {status}")
    sys.exit(0 if set(statuses.values()) == {200} else 1)
