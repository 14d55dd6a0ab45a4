"""kg.workers: a worker evaluates on a thread of its own (its own malloc arena) and loses nothing it raises; errors
cross from workers as the library's own classes; a query that kills workers is refused."""

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import pytest

from kg import engine, sparqltext, store, workers
from kg.api import problems
from kg.config import Settings
from kg.errors import DatasetConflict, GraphNotFound, InvalidInput
from kg.namespaces import PREDECLARED_PREFIXES
from kg.sparqlerrors import plain_errors

T = TypeVar("T")


def test_function_runs_off_the_main_thread_with_its_arguments():
    seen = []
    workers._on_own_arena(lambda a, b: seen.append((a, b, threading.current_thread() is threading.main_thread())), 1, 2)
    assert seen == [(1, 2, False)]


def test_what_the_function_raises_reaches_the_caller():
    def fail() -> None:
        raise SystemExit(3)

    with pytest.raises(SystemExit) as raised:
        workers._on_own_arena(fail)
    assert raised.value.code == 3


# --- a real pool, over an empty store -------------------------------------------------------------------

DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
"""A 10 KB query the parser accepts and the engine cannot evaluate: its stack overflows (SIGSEGV)."""
WITH_UPDATE = "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.fixture()
def pool_settings(tmp_path) -> Settings:
    store.publish(tmp_path / "store", ox.Store(), {"id": store.new_release_id()})
    return Settings(store=tmp_path / "store", workers=2)


def on_pool(settings: Settings, scenario: Callable[[workers.QueryPool], Awaitable[T]]) -> T:
    async def run() -> T:
        pool = workers.QueryPool(settings.store_dir, settings.userdata_dir, workers=settings.workers)
        await pool.start()
        try:
            return await scenario(pool)
        finally:
            await pool.stop()

    return asyncio.run(run())


def raised_by(call: Awaitable[object]) -> Callable[[], Awaitable[BaseException]]:
    async def catch() -> BaseException:
        try:
            await call
        except Exception as err:
            return err
        raise AssertionError("nothing raised")

    return catch


def same_problem(a: BaseException, b: BaseException) -> bool:
    pa, pb = problems.problem_for(a), problems.problem_for(b)
    return type(a) is type(b) and (pa.status, pa.slug, pa.detail, pa.extra) == (pb.status, pb.slug, pb.detail, pb.extra)


def test_errors_from_the_worker_and_the_manager_are_the_librarys_own(pool_settings):
    """Each error a real worker or the manager raises reaches the service as the class raised in-process."""
    construct = engine.Request("CONSTRUCT WHERE { ?s ?p ?o }", graph_format=None)

    async def scenario(pool: workers.QueryPool) -> list[BaseException]:
        return [
            await raised_by(pool.query(engine.Request("SELECT * WHERE { ?s ?p }"), timeout=30))(),
            await raised_by(pool.query(construct, timeout=30))(),
            await raised_by(pool.write("update", text=WITH_UPDATE, using=["urn:a"]))(),
            await raised_by(pool.write("update", text="INSERT DATA { <urn:a> <urn:b> }"))(),
            await raised_by(pool.write("delete_graph", graph="urn:x-test:absent"))(),
            await raised_by(pool.write("replace_graph", graph="urn:g", data=b"", media_type="image/png"))(),
        ]

    from_pool = on_pool(pool_settings, scenario)
    in_process = [
        raised_in_process(lambda: engine.evaluate(ox.Store(), engine.Request("SELECT * WHERE { ?s ?p }"))),
        raised_in_process(lambda: engine.evaluate(ox.Store(), construct)),
        raised_in_process(lambda: sparqltext.with_using(WITH_UPDATE, ["urn:a"], [])),
        raised_in_process(lambda: _update_in_process("INSERT DATA { <urn:a> <urn:b> }")),
        GraphNotFound("no graph <urn:x-test:absent>"),
        InvalidInput("cannot read 'image/png' as RDF"),
    ]
    assert [type(e) for e in from_pool] == [
        SyntaxError,
        engine.NotAcceptable,
        DatasetConflict,
        SyntaxError,
        GraphNotFound,
        InvalidInput,
    ]
    for ours, theirs in zip(from_pool, in_process, strict=True):
        assert same_problem(ours, theirs), (ours, theirs)


def raised_in_process(call: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as raised:
        call()
    return raised.value


def test_a_query_that_kills_a_fresh_worker_too_is_refused_and_remembered(pool_settings):
    """Retried once on another worker, then QueryTooComplex (400); asked again, refused without a fork."""

    async def scenario(pool: workers.QueryPool) -> tuple:
        first = await raised_by(pool.query(engine.Request(DEEP), timeout=60, public=True))()
        deaths_after_first = pool.deaths
        again = await raised_by(pool.query(engine.Request(DEEP), timeout=60, public=True))()
        still_serving = await pool.query(engine.Request("ASK { }"), timeout=60, public=True)
        return first, deaths_after_first, again, pool.deaths, still_serving

    first, deaths_after_first, again, deaths, still_serving = on_pool(pool_settings, scenario)
    assert type(first) is type(again) is workers.QueryTooComplex
    assert deaths_after_first == deaths == 2  # the first request cost two workers, the second none
    problem = problems.problem_for(first)
    assert (problem.status, problem.slug) == (400, "query-too-complex")
    assert b"true" in still_serving.body


def test_ad_hoc_queries_run_on_a_nicer_thread_than_the_services_own(pool_settings):
    """Each worker evaluates ad-hoc queries on a thread AD_HOC_NICENESS nicer than its thread for pages."""

    async def scenario(pool: workers.QueryPool) -> list[list[int]]:
        await pool.query(engine.Request("ASK { }"), timeout=60, public=True)
        await pool.query(engine.Request("ASK { }"), timeout=60)
        manager = Path(f"/proc/{pool._manager.pid}/task/{pool._manager.pid}/children")
        return [thread_niceness(int(pid)) for pid in manager.read_text().split()]

    per_worker = on_pool(pool_settings, scenario)
    assert len(per_worker) == pool_settings.workers
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert all(set(threads) <= {base, base + workers.AD_HOC_NICENESS} for threads in per_worker)
    assert any(base + workers.AD_HOC_NICENESS in threads for threads in per_worker)


def thread_niceness(pid: int) -> list[int]:
    """The nice value of each thread of process ``pid`` (field 19 of /proc/PID/task/TID/stat)."""
    values = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        values.append(int(stat.read_text().rsplit(")", 1)[1].split()[16]))
    return values


def _update_in_process(text: str) -> None:
    """An update applied as the manager applies one (predeclared prefixes, errors in plain words)."""
    with plain_errors(text, update=True):
        ox.Store().update(text, prefixes=PREDECLARED_PREFIXES)
