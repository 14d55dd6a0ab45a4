"""Searches answered by processes of their own (kg.search.processes): the same answers as in the service
process, and a search process that dies is replaced."""

from __future__ import annotations

import asyncio
import os
import signal

import numpy as np
import pytest

from kg.search.index import SearchIndex
from kg.search.processes import SearchProcesses, _index


@pytest.fixture(scope="module")
def index(built) -> SearchIndex:
    return SearchIndex.of_release(built.release)


def answers(processes: SearchProcesses, index: SearchIndex, texts: list[str]) -> list[bytes]:
    async def ask() -> list[bytes]:
        return list(await asyncio.gather(*(processes.answer(index, text, limit=5, lang="fr") for text in texts)))

    return asyncio.run(ask())


def test_search_processes_answer_as_the_service_process_does(index):
    texts = ["clôtures frontalières", "снежный барс", "trophy hunting", "zzqxv"]
    processes = SearchProcesses(2)
    try:
        assert answers(processes, index, texts) == answers(SearchProcesses(0), index, texts)
    finally:
        processes.stop()


def test_a_search_process_that_dies_is_replaced(index):
    processes = SearchProcesses(1)
    try:
        first = answers(processes, index, ["saiga"])
        pid = asyncio.run(_pid_of_a_search_process(processes))
        os.kill(pid, signal.SIGKILL)
        assert answers(processes, index, ["saiga"]) == first
    finally:
        processes.stop()


async def _pid_of_a_search_process(processes: SearchProcesses) -> int:
    return await asyncio.get_running_loop().run_in_executor(processes._running(), os.getpid)


def test_an_index_is_loaded_once_per_process(index):
    assert _index(str(index.directory)) is _index(str(index.directory))


def test_the_first_pass_over_reduced_vectors_keeps_the_semantic_ranking(index, monkeypatch):
    """On a graph with more passages than CANDIDATES, the semantic scores come from the candidates the reduced
    vectors pick; the best documents are those of the full comparison."""
    from kg.search import semantic

    count = len(index.documents)
    for text in ("border fences", "снежный барс", "trophy hunting", "遥测"):
        vector = semantic.query_vector(text)
        exact = semantic.scores(index.vectors, index.reduced, index.axes, index.owners, count, vector)
        monkeypatch.setattr(semantic, "CANDIDATES", 200)
        axes = semantic.projection(np.asarray(index.vectors))
        reduced = np.asarray(index.vectors) @ axes
        rough = semantic.scores(index.vectors, reduced, axes, index.owners, count, vector)
        monkeypatch.undo()
        best = np.argsort(-exact)[:20]
        assert set(np.argsort(-rough)[:20]) == set(best) and np.allclose(rough[best], exact[best])
