"""kg.api.cache, directly: the bounded answer cache and the back-end wrapper keyed by store version; and, over
HTTP, that a write is seen at once by the query after it."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
import pytest

from kg import engine
from kg.api.answers import etag_for
from kg.api.cache import LARGEST_SHARE, AnswerCache, CachedBackend
from kg.formats import Format
from tests.helpers import bindings

from .conftest import auth

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def answer_of(size: int) -> engine.Answer:
    return engine.Answer(b"x" * size, Format.JSON)


def test_an_answer_is_kept_and_found_by_its_key():
    cache = AnswerCache(1024)
    kept = answer_of(100)
    cache.put("a", kept)
    assert cache.get("a") is kept
    assert cache.get("b") is None
    assert cache.size == 100


def test_the_cache_stays_within_its_bytes_evicting_the_least_recently_used():
    cache = AnswerCache(800)
    share = 800 // LARGEST_SHARE
    for key in "abcdefgh":
        cache.put(key, answer_of(share))
    assert cache.size == 800
    assert cache.get("a") is not None  # now the most recently used
    cache.put("i", answer_of(share))
    assert cache.size == 800
    assert cache.get("b") is None  # the least recently used went
    assert all(cache.get(key) is not None for key in "acdefghi")


def test_an_answer_larger_than_its_share_is_not_kept():
    cache = AnswerCache(800)
    cache.put("big", answer_of(800 // LARGEST_SHARE + 1))
    assert cache.get("big") is None and cache.size == 0


def test_a_key_put_twice_is_counted_once():
    cache = AnswerCache(800)
    cache.put("a", answer_of(50))
    cache.put("a", answer_of(50))
    assert cache.size == 50


def test_zero_bytes_disables_the_cache():
    cache = AnswerCache(0)
    cache.put("a", answer_of(1))
    assert cache.get("a") is None and cache.size == 0


class StoreBackend:
    """A back-end over an in-memory store that counts the queries it evaluates; ``version`` as the pool's."""

    def __init__(self, store: ox.Store):
        self.store, self.version, self.evaluated = store, "release-1.0", 0

    async def query(self, request: engine.Request, *, timeout: float, public: bool = False) -> engine.Answer:
        self.evaluated += 1
        return engine.evaluate(self.store, request)


@pytest.fixture()
def backend() -> StoreBackend:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o")))
    return StoreBackend(store)


def ask(cached: CachedBackend, text: str) -> engine.Answer:
    return asyncio.run(cached.query(engine.request_for(text), timeout=60))


def test_a_query_is_evaluated_once_per_store_version(backend):
    cached = CachedBackend(backend, AnswerCache(1 << 20))
    first = ask(cached, COUNT)
    assert ask(cached, COUNT) is first and backend.evaluated == 1
    assert ask(cached, "ASK { ?s ?p ?o }") is not first and backend.evaluated == 2  # another request, another entry
    backend.store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o2")))
    backend.version = "release-1.1"  # a write (or a rebuild) changes the version
    after = ask(cached, COUNT)
    assert backend.evaluated == 3 and after.body != first.body and b'"2"' in after.body


def test_the_key_names_the_version_and_the_request(backend):
    request = engine.request_for(COUNT)
    cache = AnswerCache(1 << 20)
    asyncio.run(CachedBackend(backend, cache).query(request, timeout=60))
    assert cache.get(etag_for("release-1.0", request)) is not None
    assert cache.get(etag_for("release-1.1", request)) is None
    assert cache.get(etag_for("release-1.0", engine.request_for(COUNT, format=Format.CSV))) is None


def test_with_no_cache_every_query_is_evaluated(backend):
    cached = CachedBackend(backend, AnswerCache(0))
    ask(cached, COUNT)
    ask(cached, COUNT)
    assert backend.evaluated == 2


def test_the_wrapper_passes_the_rest_to_the_back_end(backend):
    assert CachedBackend(backend, AnswerCache(0)).version == "release-1.0"


def test_a_write_is_seen_by_the_next_query_over_http(writable_client):
    graph = "http://example.org/cache-test"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    before = writable_client.get("/sparql", params={"query": count})
    assert writable_client.get("/sparql", params={"query": count}).content == before.content  # served again
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> 'o' }} }}"
    written = writable_client.post(
        "/sparql", content=update, headers={"Content-Type": "application/sparql-update", **auth()}
    )
    assert written.status_code == 204, written.text
    after = writable_client.get("/sparql", params={"query": count})
    assert bindings(before) == [{"n": "0"}] and bindings(after) == [{"n": "1"}]
    assert after.headers["etag"] != before.headers["etag"]
