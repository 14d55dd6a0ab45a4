"""Query evaluation in worker processes that can be killed: how a runaway query is stopped.

pyoxigraph cannot cancel a running query, so queries run in worker processes. A *manager* process
(a fresh, single-threaded interpreter) loads the served dataset once and ``fork``s the
workers, which share it copy-on-write. The service (the :class:`QueryPool`, in the uvicorn process)
hands each query to an idle worker over a Unix socket and waits at most the query timeout; past it,
it kills the worker (SIGKILL) and answers 503 — before any byte of a result was sent. The manager
reaps dead workers and forks replacements at once.

Writes (SPARQL Update, Graph Store Protocol) go to the manager, which applies them to its dataset
(see :mod:`kg.layers`) and forks a new *generation* of workers that see them; the pool retires the
older generation as soon as each of its workers is idle. The manager also watches the store's
``current`` release and reloads when ``kg build`` publishes a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import enum
import hashlib
import json
import os
import pickle
import queue
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from . import engine
from . import store as built_store
from .errors import InternalError, InvalidInput, KgError, QueryTooComplex, ServiceFailed
from .layers import ServedDataset

_HEADER = struct.Struct("!I")
_M = TypeVar("_M")
RELOAD_CHECK_SECONDS = 1.0


class QueryTimeout(KgError):
    """The query ran past its time limit and was stopped."""

    exit_code = 4


class PoolUnavailable(KgError):
    """No worker could take the query (all busy past the deadline, or the pool is down)."""

    exit_code = 4


TOO_COMPLEX = "the query engine cannot evaluate this query: it stopped the worker evaluating it, twice"


# --- messages (both sides) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What the service asks: a query of a worker (``operation`` "query"), or a write of the manager."""

    operation: str
    query: engine.Request | None = None
    arguments: dict[str, object] = field(default_factory=dict)
    public: bool = False
    """An ad-hoc query: evaluated at a lower CPU priority than the service's own (:data:`AD_HOC_NICENESS`)."""


@dataclass(frozen=True)
class Reply:
    """The outcome of one :class:`Job`: its value, or the exception it raised (the same class, re-raised in
    the service); a write's reply also names the generation of workers and the version that see it."""

    value: object = None
    error: KgError | SyntaxError | None = None
    generation: int = 0
    version: str = ""

    def result(self) -> object:
        if self.error is not None:
            raise self.error
        return self.value


class Event(enum.Enum):
    """What a :class:`Control` message says."""

    HELLO = "hello"  # worker -> service: a new worker, ready
    READY = "ready"  # manager -> service: the dataset is loaded and the first workers forked
    FAILED = "failed"  # manager -> service: the dataset cannot be loaded
    GENERATION = "generation"  # manager -> service: a new release was loaded, newer workers see it
    SHUTDOWN = "shutdown"  # service -> manager


@dataclass(frozen=True)
class Control:
    """A message about the pool itself rather than a job."""

    event: Event
    generation: int = 0
    version: str = ""
    pid: int = 0
    reason: str = ""


def _transmissible(err: Exception) -> KgError | SyntaxError:
    """``err`` as the service should raise it: the library's errors as they are, the few foreign ones the
    engine and the dataset raise as the library's (ValueError: bad input; OSError without an errno: a remote
    endpoint failed), anything else as an internal error."""
    if isinstance(err, SyntaxError):  # pickled from its args: the position must be in them
        return SyntaxError(err.msg, (err.filename, err.lineno, err.offset, err.text))
    if isinstance(err, KgError):
        try:  # an attribute that does not pickle must not cost the worker
            pickle.loads(pickle.dumps(err))
        except Exception:
            return InternalError(f"{type(err).__name__}: {err}")
        return err
    if isinstance(err, ValueError):
        return InvalidInput(str(err))
    if isinstance(err, OSError) and err.errno is None:  # pyoxigraph's, for a failed LOAD; a disk's has an errno
        return ServiceFailed(str(err))
    return InternalError(f"{type(err).__name__}: {err}")


# --- framing (both sides) ---------------------------------------------------------------------------


def _send(sock: socket.socket, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv(sock: socket.socket) -> object | None:
    header = _recv_exactly(sock, _HEADER.size)
    if header is None:
        return None
    body = _recv_exactly(sock, _HEADER.unpack(header)[0])
    return None if body is None else pickle.loads(body)


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


async def _read_message(reader: asyncio.StreamReader) -> object:
    header = await reader.readexactly(_HEADER.size)
    return pickle.loads(await reader.readexactly(_HEADER.unpack(header)[0]))


async def _read(reader: asyncio.StreamReader, kind: type[_M]) -> _M:
    """The next message, which must be a ``kind``."""
    message = await _read_message(reader)
    if not isinstance(message, kind):
        raise ConnectionError(f"expected a {kind.__name__}, got {type(message).__name__}")
    return message


def _encode(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


# --- the manager process -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManagerConfig:
    store_dir: Path
    userdata_dir: Path
    workers: int
    worker_socket: str
    control_socket: str


def manager_main(config: ManagerConfig) -> None:
    """Entry point of the manager process (``python -m kg.workers CONFIG``)."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    _die_with_parent()
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    control.connect(config.control_socket)
    try:
        dataset = ServedDataset.open(config.store_dir, config.userdata_dir)
    except KgError as err:
        _send(control, Control(Event.FAILED, reason=str(err)))
        return
    manager = _Manager(config, control, dataset)
    try:
        manager.run()
    finally:
        manager.stop_all()


def _exit_on_signal(*_: object) -> None:
    raise SystemExit(0)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans after a kill -9)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


WRITE_OPERATIONS = frozenset({"update", "replace_graph", "add_to_graph", "delete_graph"})


class _Manager:
    def __init__(self, config: ManagerConfig, control: socket.socket, dataset: ServedDataset):
        self.config, self.control, self.dataset = config, control, dataset
        self.generation = 1
        self.children: dict[int, int] = {}  # pid -> generation
        self.release = built_store.current_release(config.store_dir)
        self.last_reload_check = time.monotonic()

    def run(self) -> None:
        self.spawn(self.config.workers)
        _send(self.control, Control(Event.READY, self.generation, self.dataset.version))
        while True:
            readable, _, _ = select.select([self.control], [], [], 0.05)
            if readable:
                message = _recv(self.control)
                if not isinstance(message, Job):  # closed, or shut down
                    return
                _send(self.control, self.handle(message))
            self.reap()
            if time.monotonic() - self.last_reload_check > RELOAD_CHECK_SECONDS:
                self.reload_if_rebuilt()

    def handle(self, job: Job) -> Reply:
        """Apply one write; reply with its result and the generation that sees it, or with its error."""
        if job.operation not in WRITE_OPERATIONS:
            return Reply(error=InternalError(f"unknown operation {job.operation!r}"))
        try:
            result = getattr(self.dataset, job.operation)(**job.arguments)
        except Exception as err:
            return Reply(error=_transmissible(err))
        self.new_generation()
        return Reply(result, generation=self.generation, version=self.dataset.version)

    def new_generation(self) -> None:
        self.generation += 1
        self.spawn(self.config.workers)

    def reload_if_rebuilt(self) -> None:
        self.last_reload_check = time.monotonic()
        release = built_store.current_release(self.config.store_dir)
        if release == self.release:
            return
        try:
            self.dataset = ServedDataset.open(self.config.store_dir, self.config.userdata_dir)
        except KgError:
            return  # keep serving the last good release
        self.release = release
        self.new_generation()
        _send(self.control, Control(Event.GENERATION, self.generation, self.dataset.version))

    def spawn(self, count: int) -> None:
        for _ in range(count):
            pid = os.fork()
            if pid == 0:  # the worker
                code = 0
                try:
                    self.control.close()
                    _worker_main(self.config.worker_socket, self.dataset, self.generation)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            self.children[pid] = self.generation

    def reap(self) -> None:
        while self.children:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            generation = self.children.pop(pid, None)
            if generation == self.generation:
                self.spawn(1)

    def stop_all(self) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.children.clear()


def _worker_main(socket_path: str, dataset: ServedDataset, generation: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(socket_path)
    _send(conn, Control(Event.HELLO, generation, dataset.version, pid=os.getpid()))
    _on_own_arena(_serve, conn, dataset)


def _on_own_arena(function: Callable[..., None], *args: object) -> None:
    """Run ``function(*args)`` on a new thread, to which glibc gives a malloc arena of its own, and re-raise
    what it raises. A forked worker that evaluates on its main thread allocates from the manager's heap: every
    page of it the worker first writes is copied (copy-on-write), and the load left its free memory scattered.
    Measured at 1M triples in a freshly forked worker (median of its 2nd to 6th evaluations): `activities-by-country`
    32 ms on the main thread (13,000 page faults the first time; 23 ms once some 15 evaluations have made their
    copies) against 15.5 ms on its own thread; the design card 332 against 264 ms."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            function(*args)
        except BaseException as err:
            raised.append(err)

    thread = threading.Thread(target=run, name="kg-evaluate")
    thread.start()
    thread.join()
    if raised:
        raise raised[0]


def _serve(conn: socket.socket, dataset: ServedDataset) -> None:
    """Answer the service's requests on ``conn`` until it closes: its own queries on this thread, ad-hoc ones on a
    thread of lower CPU priority."""
    ad_hoc = _Lane(dataset, AD_HOC_NICENESS)
    while True:
        job = _recv(conn)
        if not isinstance(job, Job) or job.query is None:
            return
        _send(conn, ad_hoc.evaluate(job.query) if job.public else _evaluate(dataset, job.query))


AD_HOC_NICENESS = 5
"""How much nicer (Linux ``nice``) a worker's thread for ad-hoc queries is than its thread for the service's
own: while ad-hoc queries keep every CPU busy, a page or canned query gets about three times the CPU share
of each (weights 1024 against 335); on a CPU left idle the ad-hoc thread runs at full speed."""


class _Lane:
    """A thread that evaluates the queries given to it at a niceness of its own (Linux sets it per thread).
    Like the worker's main evaluating thread, it gets a malloc arena of its own (see :func:`_on_own_arena`)."""

    def __init__(self, dataset: ServedDataset, niceness: int):
        self.dataset, self.niceness = dataset, niceness
        self.requests: queue.SimpleQueue[engine.Request] = queue.SimpleQueue()
        self.replies: queue.SimpleQueue[Reply] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="kg-evaluate-ad-hoc", daemon=True).start()

    def evaluate(self, request: engine.Request) -> Reply:
        self.requests.put(request)
        return self.replies.get()

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # raising one's own niceness is always allowed; never fail for it
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.niceness)
        while True:
            self.replies.put(_evaluate(self.dataset, self.requests.get()))


def _evaluate(dataset: ServedDataset, request: engine.Request) -> Reply:
    try:
        return Reply(engine.evaluate(dataset.store, request))
    except Exception as err:
        return Reply(error=_transmissible(err))


# --- the service side ------------------------------------------------------------------------------------


@dataclass
class _Worker:
    pid: int
    generation: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    arrival: int = 0
    """The order in which the workers said hello: a worker with a higher number was forked later."""


class _WorkerDied(Exception):
    """The worker's connection closed while it evaluated a query: the process died (crash, stack overflow)."""


FATAL_QUERIES_REMEMBERED = 1024
"""How many queries that killed two workers the pool remembers, to refuse them again without a fork."""


def public_slots(workers: int) -> int:
    """How many of ``workers`` ad-hoc queries may hold: all but a fifth (at least one), so that the default
    count, one per CPU plus a quarter as many (:attr:`kg.config.Settings.workers`), gives ad-hoc queries every
    CPU (2 of 3 workers on 2 CPUs, 4 of 5 on 4, 8 of 10 on 8) and keeps the rest for the service's own queries.
    On 2 CPUs, uncached point lookups from 8 clients went from 510–540 req/s (1 of 2 workers) to 1,080–1,430."""
    return max(1, workers - max(1, workers // 5))


class QueryPool:
    """The service's handle on the manager and its workers."""

    def __init__(self, store_dir: Path, userdata_dir: Path, *, workers: int, start_timeout: float = 120.0):
        self.store_dir, self.userdata_dir, self.size = store_dir, userdata_dir, workers
        self.start_timeout = start_timeout
        self.generation = 0
        self.version = ""
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._control: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._control_ready: asyncio.Future[Control]
        self._write_lock = asyncio.Lock()
        self._pending: asyncio.Future[Reply] | None = None
        self._fatal: OrderedDict[bytes, None] = OrderedDict()
        self._arrivals = 0
        self.deaths = 0
        """Workers that died while evaluating a query (not those stopped at the time limit)."""
        self.public_slots = public_slots(workers)
        """How many workers ad-hoc queries may hold at once: the rest stay free for the service's own bounded
        queries (pages, canned queries, VoID, the feed), so runaway queries cannot starve them."""
        self._public = asyncio.Semaphore(self.public_slots)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._dir = tempfile.mkdtemp(prefix="kg-pool-")
        worker_socket, control_socket = os.path.join(self._dir, "w"), os.path.join(self._dir, "c")
        self._control_ready = loop.create_future()
        self._servers = [
            await asyncio.start_unix_server(self._on_worker, path=worker_socket),
            await asyncio.start_unix_server(self._on_control, path=control_socket),
        ]
        config = {
            "store_dir": str(self.store_dir),
            "userdata_dir": str(self.userdata_dir),
            "workers": self.size,
            "worker_socket": worker_socket,
            "control_socket": control_socket,
        }
        self._manager = await asyncio.create_subprocess_exec(sys.executable, "-m", "kg.workers", json.dumps(config))
        try:
            first = await asyncio.wait_for(self._control_ready, self.start_timeout)
        except TimeoutError:
            await self.stop()
            raise PoolUnavailable(f"the query workers did not start within {self.start_timeout:.0f} s") from None
        if first.event is Event.FAILED:
            await self.stop()
            raise PoolUnavailable(first.reason)
        self.generation, self.version = first.generation, first.version

    async def stop(self) -> None:
        if self._control is not None:
            with contextlib.suppress(Exception):
                self._control[1].write(_encode(Control(Event.SHUTDOWN)))
                await self._control[1].drain()
        for server in getattr(self, "_servers", []):
            server.close()
        manager = getattr(self, "_manager", None)
        if manager is not None and manager.returncode is None:
            try:
                await asyncio.wait_for(manager.wait(), 5)
            except TimeoutError:
                manager.kill()
                await manager.wait()
        shutil.rmtree(getattr(self, "_dir", ""), ignore_errors=True)

    # -- queries -----------------------------------------------------------------------------------

    async def query(self, request: engine.Request, *, timeout: float, public: bool = False) -> engine.Answer:
        """Evaluate on a worker; ``public`` for an ad-hoc query (at most ``public_slots`` of those run at once).

        Raises what the evaluation raised (SyntaxError, NotAcceptable, ServiceFailed, ...), QueryTimeout,
        PoolUnavailable, or QueryTooComplex for a query that killed a worker and then a fresh one.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if not public:
            return await self._evaluate_once_more_if_fatal(request, timeout, deadline, public=False)
        try:
            async with asyncio.timeout_at(deadline):  # a timer, not the task wait_for makes on 3.11
                await self._public.acquire()
        except TimeoutError:
            raise QueryTimeout("the workers open to ad-hoc queries stayed busy until the time limit") from None
        try:
            return await self._evaluate_once_more_if_fatal(request, timeout, deadline, public=True)
        finally:
            self._public.release()

    async def _evaluate_once_more_if_fatal(
        self, request: engine.Request, timeout: float, deadline: float, *, public: bool
    ) -> engine.Answer:
        """Evaluate; when the worker dies, once more on another worker (the first may have died of something
        else); when that one dies too, remember the query and refuse it, now and later, without a fork."""
        fingerprint = hashlib.blake2b(request.text.encode(), digest_size=16).digest()
        if fingerprint in self._fatal:
            self._fatal.move_to_end(fingerprint)
            raise QueryTooComplex(TOO_COMPLEX)
        fresh_after = -1
        for _attempt in range(2):
            try:
                return await self._evaluate(request, timeout, deadline, public=public, arrived_after=fresh_after)
            except _WorkerDied:  # once more on a worker forked after this death: not one killed with the first
                fresh_after = self._arrivals
        self._fatal[fingerprint] = None
        if len(self._fatal) > FATAL_QUERIES_REMEMBERED:
            self._fatal.popitem(last=False)
        raise QueryTooComplex(TOO_COMPLEX)

    async def _evaluate(
        self, request: engine.Request, timeout: float, deadline: float, *, public: bool, arrived_after: int = -1
    ) -> engine.Answer:
        worker = await self._acquire(deadline, arrived_after=arrived_after)
        try:
            worker.writer.write(_encode(Job("query", request, public=public)))
            async with asyncio.timeout_at(deadline):  # a timer, not a task per wait as wait_for makes on 3.11
                reply = await _read(worker.reader, Reply)
        except TimeoutError:
            self._kill(worker)
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped") from None
        except (ConnectionError, asyncio.IncompleteReadError):
            self._kill(worker)
            self.deaths += 1
            raise _WorkerDied() from None
        except BaseException:
            self._kill(worker)  # cancelled (client went away): do not let it run on
            raise
        self._release(worker)
        return cast(engine.Answer, reply.result())

    async def _acquire(self, deadline: float, *, arrived_after: int = -1) -> _Worker:
        """An idle live worker of the current generation (one that said hello after ``arrived_after``)."""
        loop = asyncio.get_running_loop()
        aside: list[_Worker] = []  # live but older than asked: back in the queue for other queries
        try:
            while True:
                if deadline - loop.time() <= 0:
                    raise QueryTimeout("no query worker became free before the time limit")
                try:
                    async with asyncio.timeout_at(deadline):
                        worker = await self._idle.get()
                except TimeoutError:
                    raise QueryTimeout("every query worker stayed busy until the time limit") from None
                if worker.reader.at_eof():  # died while idle (killed, out of memory): the manager replaces it
                    worker.writer.close()
                elif worker.generation != self.generation:
                    self._retire(worker)
                elif worker.arrival <= arrived_after:
                    aside.append(worker)
                else:
                    return worker
        finally:
            for worker in aside:
                self._idle.put_nowait(worker)

    def _release(self, worker: _Worker) -> None:
        if worker.generation == self.generation:
            self._idle.put_nowait(worker)
        else:
            self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.writer.close()  # the worker reads EOF and exits; the manager does not replace it

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        worker.writer.close()

    async def _on_worker(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hello = await _read(reader, Control)
        self._arrivals += 1
        self._release(
            _Worker(pid=hello.pid, generation=hello.generation, reader=reader, writer=writer, arrival=self._arrivals)
        )

    # -- writes -------------------------------------------------------------------------------------

    async def write(self, operation: str, **kwargs: object) -> object:
        """Apply a write in the manager; return its result once workers that see it are serving.

        Raises what the write raised (SyntaxError, DatasetConflict, ReadOnlyGraph, GraphNotFound, ...).
        """
        if self._control is None:
            raise PoolUnavailable("the query manager is not connected")
        async with self._write_lock:
            self._pending = asyncio.get_running_loop().create_future()
            self._control[1].write(_encode(Job(operation, arguments=kwargs)))
            reply = await self._pending
        value = reply.result()
        self.generation, self.version = reply.generation, reply.version
        return value

    async def _on_control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._control = (reader, writer)
        try:
            while True:
                message = await _read_message(reader)
                if isinstance(message, Reply):
                    if self._pending is not None and not self._pending.done():
                        self._pending.set_result(message)
                elif not isinstance(message, Control):
                    raise ConnectionError(f"unexpected message from the manager: {type(message).__name__}")
                elif message.event in (Event.READY, Event.FAILED):
                    self._control_ready.set_result(message)
                elif message.event is Event.GENERATION:
                    self.generation, self.version = message.generation, message.version
        except (asyncio.IncompleteReadError, ConnectionError):
            if not self._control_ready.done():
                self._control_ready.set_result(Control(Event.FAILED, reason="the query manager exited during start-up"))
            if self._pending is not None and not self._pending.done():
                self._pending.set_result(Reply(error=PoolUnavailable("the query manager exited")))


def _main(argument: str) -> None:
    raw = json.loads(argument)
    manager_main(
        ManagerConfig(
            Path(raw["store_dir"]),
            Path(raw["userdata_dir"]),
            raw["workers"],
            raw["worker_socket"],
            raw["control_socket"],
        )
    )


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy: the messages it pickles must be kg.workers' classes.
    from kg.workers import _main as main

    main(sys.argv[1])
