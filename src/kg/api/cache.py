"""A bounded in-memory cache of query answers, keyed by the ETag (store version + request), and the
back-end wrapper that uses it for every query the service sends.

A key names one store version, so an entry can never be stale: a rebuild or a write changes the
version and the old entries simply age out (least recently used first).
"""

from __future__ import annotations

from collections import OrderedDict

from .. import engine
from ..backends import Backend
from ..engine import Answer
from .answers import etag_for
from .searching import SearchingBackend

LARGEST_SHARE = 8
"""No single answer may take more than 1/LARGEST_SHARE of the cache."""


class AnswerCache:
    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self._entries: OrderedDict[str, Answer] = OrderedDict()

    def get(self, key: str) -> Answer | None:
        answer = self._entries.get(key)
        if answer is not None:
            self._entries.move_to_end(key)
        return answer

    def put(self, key: str, answer: Answer) -> None:
        cost = len(answer.body)
        if self.max_bytes == 0 or cost > self.max_bytes // LARGEST_SHARE or key in self._entries:
            return
        self._entries[key] = answer
        self.size += cost
        while self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted.body)


class CachedBackend:
    """The back-end, its answers remembered per store version: every route's queries — ad-hoc ones, those of
    the resource pages, VoID, the sitemap and the feed — are evaluated once per version while they fit."""

    def __init__(self, backend: Backend | SearchingBackend, cache: AnswerCache):
        self.backend, self.cache = backend, cache

    def __getattr__(self, name: str) -> object:  # start, stop, write, version, … are the back-end's own
        return getattr(self.backend, name)

    async def query(self, request: engine.Request, *, timeout: float, public: bool = False) -> Answer:
        key = etag_for(self.backend.version, request)
        answer = self.cache.get(key)
        if answer is None:
            answer = await self.backend.query(request, timeout=timeout, public=public)
            self.cache.put(key, answer)
        return answer
