"""A real `kg serve` on a free loopback port, for tests that need HTTP over a socket (clients, browsers)."""

from __future__ import annotations

import contextlib
import http.server
import socket
import subprocess
import sys
import threading
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
def serve_process(
    store_dir: Path, *options: str, log: Path | None = None, env: dict[str, str] | None = None, up_within: float = 60
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`kg serve` in a subprocess over ``store_dir`` (or the remote store that ``options`` name); yields its
    base URL (``http://127.0.0.1:PORT``) and the process. Its output goes to ``log`` (default: nowhere)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        output = stack.enter_context(log.open("ab")) if log else subprocess.DEVNULL
        process = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--port", str(port), "--store", str(store_dir), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            wait_until_up(base + "/sparql", up_within)
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def serve(store_dir: Path, *options: str, log: Path | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """:func:`serve_process`, yielding the base URL only."""
    with serve_process(store_dir, *options, log=log, env=env) as (base, _):
        yield base


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc; a process that has just exited has none)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children + [d for c in children for d in descendants(c)]


def memory_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants, MB (shared copy-on-write pages counted once)."""
    total = 0
    for proc in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{proc}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total / 1024


def remote_options(settings) -> list[str]:
    """`kg serve` options for the remote store ``settings`` name, if any (none for the embedded store)."""
    return ["--store-url", settings.store_url] if settings.store_url else []


@contextlib.contextmanager
def loopback_listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP listener on loopback: yields its SPARQL endpoint URL and the list of paths it was asked for."""
    hits: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    finally:
        server.shutdown()
