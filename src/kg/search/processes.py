"""Searches answered by a few processes of their own, so that concurrent searches use every CPU (in the service
process they would take turns under its interpreter lock).

The processes are forked from a fork server that loaded the sentence encoder first (:mod:`.preloaded`): they
share its weights copy-on-write, and the index files are memory-mapped, so a process adds little memory. A
process that dies is replaced and its search asked once more.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from .index import SearchIndex


class SearchProcesses:
    """``count`` search processes, started on the first search; with ``count`` 0, searches run in a thread."""

    def __init__(self, count: int):
        self.count = count
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    async def answer(self, index: SearchIndex, text: str, **options: Any) -> bytes:
        """``index.answer(text, **options)`` as JSON, written in a search process (the service only sends it)."""
        if self.count == 0:
            return await asyncio.to_thread(_as_json, index, text, **options)
        call = partial(_answer_in_process, str(index.directory), text, **options)
        loop = asyncio.get_running_loop()
        executor = self._running()
        try:
            return await loop.run_in_executor(executor, call)
        except BrokenProcessPool:  # a process died (killed from outside, out of memory): once more on new ones
            self._replace(executor)
            return await loop.run_in_executor(self._running(), call)

    def stop(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([f"{__package__}.preloaded"])
                self._executor = ProcessPoolExecutor(self.count, mp_context=context)
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = None


@lru_cache(maxsize=2)
def _index(directory: str) -> SearchIndex:
    """The index in ``directory`` (already checked against its release's digests by the service)."""
    return SearchIndex(Path(directory))


def _answer_in_process(directory: str, text: str, **options: Any) -> bytes:
    return _as_json(_index(directory), text, **options)


def _as_json(index: SearchIndex, text: str, **options: Any) -> bytes:
    return json.dumps(index.answer(text, **options), ensure_ascii=False, separators=(",", ":")).encode()
