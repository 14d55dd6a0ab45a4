"""A real `kg serve` on a free loopback port, for tests that need HTTP over a socket (clients, browsers)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextlib.contextmanager
def serve(store_dir: Path, *options: str) -> Iterator[str]:
    """`kg serve` in a subprocess over ``store_dir`` (or the remote store that ``options`` name); yields its
    base URL (``http://127.0.0.1:PORT``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port), "--store", str(store_dir), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_up(base + "/sparql")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def remote_options(settings) -> list[str]:
    """`kg serve` options for the remote store ``settings`` name, if any (none for the embedded store)."""
    return ["--store-url", settings.store_url] if settings.store_url else []
