"""The back-end with the search answered inside SPARQL: every query that holds a search block (kg.search.sparql)
reaches the store with the block replaced by its hits, whichever route sent it (``/sparql``, a canned query, a
page) and whichever store answers (embedded or remote)."""

from __future__ import annotations

import asyncio
import dataclasses

from .. import engine
from ..backends import Backend
from ..search.current import CurrentIndex
from ..search.sparql import rewrite, uses_search


class SearchingBackend:
    def __init__(self, backend: Backend, index: CurrentIndex):
        self.backend, self.index = backend, index

    def __getattr__(self, name: str) -> object:  # start, stop, write, … are the back-end's own
        return getattr(self.backend, name)

    @property
    def version(self) -> str:
        return self.backend.version

    async def query(self, request: engine.Request, *, timeout: float, public: bool = False) -> engine.Answer:
        if uses_search(request.text):
            text = await asyncio.to_thread(rewrite, request.text, request.bindings, self.index.get)
            request = dataclasses.replace(request, text=text)
        return await self.backend.query(request, timeout=timeout, public=public)
