"""Real remote SPARQL servers on loopback, for tests and benchmarks (plain context managers, no fixtures).

    with virtuoso(tmp_path) as ep:          # Debian's virtuoso-opensource 7.2.x
        httpx.post(ep.update_url, data={"update": "..."}, auth=ep.httpx_auth())
    with oxigraph_server(tmp_path) as ep:   # `oxigraph serve` from PyPI's `oxigraph` (0.5.x)
        httpx.post(ep.update_url, data={"update": "..."})

Each server binds only 127.0.0.1 on free ports, keeps all its files in ``workdir`` and is stopped
(SIGTERM, then SIGKILL) when the block exits, also when it fails to start, and (Linux) when the test
process dies. ``available(name)`` returns None, or a one-line reason to skip.

Send queries form-encoded (``query=``): Virtuoso 7.2 never answers a POST of ``application/sparql-query``.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from support.live import free_port

VIRTUOSO_BIN = "/usr/bin/virtuoso-t"  # Debian package virtuoso-opensource-7-bin
VIRTUOSO_VSP = "/var/lib/virtuoso-opensource-7/vsp"  # ServerRoot of Debian's package
START_TIMEOUT_S = 30.0


def _die_with_parent() -> None:  # runs in the child: SIGTERM it if the test process dies (Linux only)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass(frozen=True)
class RemoteEndpoints:
    """Where one running server answers: SPARQL query, SPARQL update, Graph Store Protocol, credentials."""

    name: str
    query_url: str
    update_url: str
    gsp_url: str | None
    user: str | None
    password: str | None
    auth: str  # "digest", "basic" or "none"

    def httpx_auth(self) -> httpx.Auth | None:
        """The httpx auth object for ``update_url`` and ``gsp_url`` (None when the server needs none)."""
        if self.auth == "digest":
            return httpx.DigestAuth(self.user or "", self.password or "")
        if self.auth == "basic":
            return httpx.BasicAuth(self.user or "", self.password or "")
        return None


def _oxigraph_bin() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"  # installed into the same venv
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def available(name: str) -> str | None:
    """None if server ``name`` ("virtuoso" or "oxigraph") can be started here, else why not (one line)."""
    if name == "virtuoso":
        ok = Path(VIRTUOSO_BIN).is_file() and Path(VIRTUOSO_VSP).is_dir()
        return None if ok else "virtuoso-opensource is not installed (apt-get install virtuoso-opensource)"
    if name == "oxigraph":
        return None if _oxigraph_bin() else "the oxigraph CLI is not installed (pip install 'oxigraph>=0.5,<0.6')"
    return f"unknown remote server {name!r} (known: virtuoso, oxigraph)"


def _wait_ready(process: subprocess.Popen, url: str, log: Path, seconds: float) -> None:
    """Poll ``url`` with ASK{} until it answers 200; fail early if the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


@contextlib.contextmanager
def _running(argv: list[str], log: Path, ready_url: str, start_timeout_s: float) -> Iterator[subprocess.Popen]:
    """Run ``argv`` (output to ``log``) until the block exits; never leaves the process behind."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=log.parent,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509 (a lone prctl call, safe after fork)
        )
    try:
        _wait_ready(process, ready_url, log, start_timeout_s)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
; 8 KiB pages: 340000 buffers ~ 2.7 GB (allocated as used), enough for a few million triples
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
; one SPARQL update is one transaction: kg publish's switch moves whole graphs (default 50 MB; a 32-bit value)
TransactionAfterImageLimit = 1500000000
MaxSortedTopRows = 10000000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 20
ServerThreads = 20
MaxKeepAlives = 20
EnabledDavVSP = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout}
"""


@contextlib.contextmanager
def virtuoso(
    workdir: Path, *, query_timeout_s: int = 0, buffers: int = 340_000, start_timeout_s: float = START_TIMEOUT_S
) -> Iterator[RemoteEndpoints]:
    """Virtuoso on a database in ``workdir`` (created there, or reopened if it holds one); starts in 2-4 s.

    Queries: ``/sparql`` (anonymous, read-only; default graph = union of all graphs, Virtuoso's own
    included). Updates: ``/sparql-auth``; GSP: ``/sparql-graph-crud-auth``; both take HTTP digest auth as
    ``dba``/``dba``, the default of a new database, which is fine on loopback. Nothing has to be granted.
    ``query_timeout_s`` > 0 sets MaxQueryExecutionTime (over it: HTTP 500 ``SR171: Transaction timed out``).
    """
    if reason := available("virtuoso"):
        raise RuntimeError(reason)
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(
        _VIRTUOSO_INI.format(
            d=workdir,
            sql_port=sql_port,
            http_port=http_port,
            vsp=VIRTUOSO_VSP,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            timeout=query_timeout_s,
        )
    )
    base = f"http://127.0.0.1:{http_port}"
    argv = [VIRTUOSO_BIN, "+foreground", "+configfile", str(ini)]
    with _running(argv, workdir / "virtuoso.out", base + "/sparql", start_timeout_s):
        yield RemoteEndpoints(
            name="virtuoso",
            query_url=base + "/sparql",
            update_url=base + "/sparql-auth",
            gsp_url=base + "/sparql-graph-crud-auth",
            user="dba",
            password="dba",
            auth="digest",
        )


@contextlib.contextmanager
def oxigraph_server(
    workdir: Path,
    *,
    timeout_s: int | None = None,
    union_default_graph: bool = False,
    start_timeout_s: float = START_TIMEOUT_S,
) -> Iterator[RemoteEndpoints]:
    """``oxigraph serve`` on a store in ``workdir``/oxigraph: ``/query``, ``/update``, ``/store``, no auth.

    Updates need no flag. The default graph is the store's own one unless ``union_default_graph``
    (which also makes queries ignore FROM). ``timeout_s`` is best effort: it can answer 200 with a
    truncated body, and misses ORDER BY. Stopping skips the RocksDB flush, so reopening a store that
    took big loads replays its log (~10 s per 500k triples): prefer a fresh ``workdir``.
    """
    if reason := available("oxigraph"):
        raise RuntimeError(reason)
    workdir = Path(workdir).resolve()
    (workdir / "oxigraph").mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [
        _oxigraph_bin() or "oxigraph",
        "serve",
        "--location",
        str(workdir / "oxigraph"),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    if timeout_s:
        argv += ["--timeout-s", str(timeout_s)]
    if union_default_graph:
        argv.append("--union-default-graph")
    with _running(argv, workdir / "oxigraph.out", base + "/query", start_timeout_s):
        yield RemoteEndpoints(
            name="oxigraph",
            query_url=base + "/query",
            update_url=base + "/update",
            gsp_url=base + "/store",
            user=None,
            password=None,
            auth="none",
        )
