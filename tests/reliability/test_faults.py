"""Faults: `kg build` killed with SIGKILL at random points, query workers killed mid-query, a full disk during
a build, a corrupt store. After each, the last good graph is served whole, or `kg serve` refuses to start with
one clear line — never partial data, never a crash loop."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from kg import store
from kg.errors import StoreCorrupt
from support import live
from tests.helpers import ask, bindings

KILLS = 3
SEED = 20261202


def _build(store_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "build", "--store", str(store_dir), "--no-owl-check"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _whole(store_dir: Path) -> tuple[str, int]:
    """The current release and its size, after checking every byte against its manifest."""
    manifest = store.verify(store_dir)
    reopened, _ = store.open_store(store_dir)
    assert len(reopened) == manifest["quads"]
    return store.current_release(store_dir).name, manifest["quads"]


def test_kill_9_of_kg_build_at_random_points_leaves_a_whole_store(tmp_path):
    store_dir = tmp_path / "store"
    start = time.monotonic()
    first = _build(store_dir)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    duration = time.monotonic() - start
    good = _whole(store_dir)
    rng = random.Random(SEED)
    outcomes = []
    for _ in range(KILLS):
        process = _build(store_dir)
        time.sleep(rng.uniform(0.2, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        release, quads = _whole(store_dir)  # the old release, or the new one complete: nothing in between
        assert quads == good[1]
        outcomes.append("new" if release != good[0] else "old")
        good = (release, quads)
    with live.serve(store_dir, "--workers", "1") as base:  # the service serves that whole graph
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        answer = httpx.get(f"{base}/sparql", params={"query": count}, timeout=30)
        reopened, _ = store.open_store(store_dir)
        expected = next(iter(reopened.query(count)))["n"].value
        assert bindings(answer)[0]["n"] == expected
    again = _build(store_dir)  # no stale lock, no staging left in the way
    assert again.wait(timeout=300) == 0, again.stderr.read()
    assert not list((store_dir / "releases").glob(".staging-*"))
    print(f"kg build killed {KILLS} times: {outcomes}")


def test_a_worker_killed_mid_query_fails_that_query_only(served, service):
    _, process = served
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    answers = {}

    def slow():
        answers["runaway"] = httpx.post(f"{service}/sparql", data={"query": runaway}, timeout=30)

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 30
    while not any(_running(pid) for pid in _workers(process.pid)):  # until a worker evaluates the runaway
        assert time.monotonic() < deadline, "no worker took the runaway query"
        time.sleep(0.01)
    workers = _workers(process.pid)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    thread.join(timeout=30)
    assert answers["runaway"].status_code in (500, 503) and answers["runaway"].json()["detail"]
    for _ in range(20):  # the pool respawns its workers; every later query is answered
        after = httpx.get(f"{service}/sparql", params={"query": "ASK { ?s a ?t }"}, timeout=30)
        assert after.status_code == 200 and ask(after) is True, after.text
    assert process.poll() is None


def _workers(service_pid: int) -> list[int]:
    """The query workers of a `kg serve`: its descendants with no children of their own."""
    return [pid for pid in live.descendants(service_pid) if not live.descendants(pid)]


def _running(pid: int) -> bool:
    """Whether a thread of the process is on a CPU or waiting for one (Linux /proc state R), not sleeping."""
    states = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        with contextlib.suppress(OSError, IndexError):
            states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
    return "R" in states


@pytest.fixture()
def small_disk(tmp_path, settings, built):
    """A tmpfs with room for one release (as large as the session's, its search index included) but not a second
    beside it: one and a half releases."""
    release = store.current_release(settings.store_dir)
    assert release is not None
    size = sum(f.stat().st_size for f in release.rglob("*") if f.is_file()) * 3 // 2
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here (needs root): {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_during_build_keeps_the_previous_store(small_disk):
    store_dir = small_disk / "store"
    first = _build(store_dir)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    good = _whole(store_dir)
    second = _build(store_dir)
    assert second.wait(timeout=300) == 1
    message = second.stderr.read().decode()
    assert (
        "No space left on device" in message and "previous store is unchanged" in message and "Traceback" not in message
    )
    assert _whole(store_dir) == good
    assert not list((store_dir / "releases").glob(".staging-*"))  # the half-written release was removed


def _serve_exits(store_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--port", str(live.free_port()), "--store", str(store_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("damage", ["truncated dataset", "flipped byte", "garbage manifest", "dangling current link"])
def test_a_corrupt_store_is_refused_with_one_clear_line(tmp_path, settings, built, damage):
    store_dir = tmp_path / "store"
    shutil.copytree(settings.store_dir, store_dir, symlinks=True)
    release = store.current_release(store_dir)
    dataset = release / store.DATASET
    if damage == "truncated dataset":
        os.truncate(dataset, dataset.stat().st_size // 2)
    elif damage == "flipped byte":
        data = bytearray(dataset.read_bytes())
        data[len(data) // 3] ^= 0x20
        dataset.write_bytes(bytes(data))
    elif damage == "garbage manifest":
        (release / store.MANIFEST).write_text("{not json")
    else:
        shutil.rmtree(release)
    with pytest.raises(StoreCorrupt):
        store.verify(store_dir)
    done = _serve_exits(store_dir)  # exits at once: a supervisor restarting it sees the same line, not a crash loop
    assert done.returncode == 3, (done.returncode, done.stderr[-500:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and release.name in lines[0], done.stderr[-800:]
    assert ("does not match its manifest" in lines[0] and "kg build" in lines[0]) or "unreadable manifest" in lines[0]
