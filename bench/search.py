"""Search benchmark: relevance on the judged query set (lexical, semantic, hybrid; per language) and speed of
GET /search at 8 concurrent clients on a live `kg serve`, side by side with the FILTER(CONTAINS(LCASE(?text), …))
query a user writes today; the index's build time and the service's memory with and without it loaded.

    python bench/search.py [--requests 400] [--clients 8] [--synthetic 1M] [--record]

`--synthetic SIZE` also builds the index of a synthetic graph of SIZE triples (bench/synthetic.py: the real
graph's shape, its activities given generated text) and times the same searches on it. `--record` writes the
hybrid figures to tests/search/recorded.json (the floor its test holds the search to).
Writes docs/benchmarks/search.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import report
from kg import store
from kg.cli import ensure_store
from kg.config import load_settings
from kg.search import index as search_index
from kg.search.evaluation import METRICS, evaluate, judged
from kg.search.index import SearchIndex
from kg.search.ranking import MODES
from support import live

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "tests" / "search" / "judged.yaml"
RECORDED = ROOT / "tests" / "search" / "recorded.json"
CONTAINS = """PREFIX mea: <https://w3id.org/mea-kg/ontology#>
SELECT ?activity ?text WHERE {{ ?activity a mea:Activity ; mea:text ?text
  FILTER(CONTAINS(LCASE(?text), "{}")) }}"""


def relevance(index: SearchIndex) -> dict[str, dict[str, dict[str, float]]]:
    queries = judged(JUDGED)
    return {mode: evaluate(index, queries, mode) for mode in MODES}


def print_relevance(figures: dict[str, dict[str, dict[str, float]]]) -> None:
    languages = list(next(iter(figures.values())))
    print("## Relevance on the judged query set\n")
    print(f"{sum(len(e) for e in judged(JUDGED).values())} queries in {len(languages) - 1} languages "
          "(tests/search/judged.yaml), measured with ranx.\n")  # fmt: skip
    print("| ranking | language | " + " | ".join(METRICS) + " |")
    print("|---|---|" + "---:|" * len(METRICS))
    for mode, by_language in figures.items():
        for language in languages:
            print(f"| {mode} | {language} | " + " | ".join(f"{by_language[language][m]:.3f}" for m in METRICS) + " |")


async def timed_requests(base: str, requests: list[tuple[str, dict]], clients: int) -> list[float]:
    """Send ``requests`` (path, params) with ``clients`` at once; the latency of each, in ms."""
    queue, latencies = list(reversed(requests)), []

    async def client(http: httpx.AsyncClient) -> None:
        while queue:
            path, params = queue.pop()
            start = time.perf_counter()
            response = await http.get(path, params=params)
            latencies.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()

    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies


def speed(store_dir: Path, count: int, clients: int) -> list[tuple[str, int, float, float]]:
    words = queries()
    ascii_words = [w for w in words if w.isascii()] or words
    sparql = [CONTAINS.format(ascii_words[i % len(ascii_words)].lower().replace('"', "")) for i in range(count)]
    plans = {
        "GET /search (hybrid)": [("/search", {"q": words[i % len(words)]}) for i in range(count)],
        "GET /search?mode=lexical": [
            ("/search", {"q": words[i % len(words)], "mode": "lexical"}) for i in range(count)
        ],
        "FILTER(CONTAINS(LCASE(?text), …)) on /sparql": [("/sparql", {"query": q}) for q in sparql],
    }
    rows, (before, after) = timed_plans(store_dir, plans, clients)
    print(f"\n## Speed: {count} requests per row, {clients} clients at once, answer cache off\n")
    print_rows(rows)
    print(f"\nService memory (PSS of the service, its query workers and its search processes): {before:.0f} MB "
          f"before the first search, {after:.0f} MB once searches ran (the search processes share one copy of the "
          "encoder's weights and memory-map the index).")  # fmt: skip
    return rows


def queries() -> list[str]:
    """The judged queries' words, in all six languages, as the requests' search terms."""
    return [e["q"] for entries in judged(JUDGED).values() for e in entries]


def timed_plans(
    store_dir: Path, plans: dict[str, list[tuple[str, dict]]], clients: int
) -> tuple[list[tuple[str, int, float, float]], tuple[float, float]]:
    """Each plan's requests sent to a live `kg serve` over ``store_dir``: (name, n, p50, p99) per plan, and the
    service's memory before the first search and after the last request."""
    rows = []
    with live.serve_process(store_dir, "--cache-mb", "0", up_within=900) as (base, process):
        before = live.memory_mb(process.pid)
        httpx.get(base + "/search", params={"q": "warm up"}, timeout=300).raise_for_status()
        for name, requests in plans.items():
            latencies = sorted(asyncio.run(timed_requests(base, requests, clients)))
            p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
            rows.append((name, len(latencies), statistics.median(latencies), p99))
        after = live.memory_mb(process.pid)
    return rows, (before, after)


def print_rows(rows: list[tuple[str, int, float, float]]) -> None:
    print("| request | n | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    for name, n, p50, p99 in rows:
        print(f"| {name} | {n} | {p50:.1f} | {p99:.1f} |")


def synthetic_speed(size: str, count: int, clients: int, cache: Path, workdir: Path) -> None:
    """Build the search index of a synthetic graph of ``size`` triples and time GET /search on it."""
    from bench import synthetic
    from bench.scale import parse_size

    dataset = workdir / f"synthetic-{size}.nq"
    counts = synthetic.generate(parse_size(size), dataset)
    graph = ox.Store()
    graph.bulk_load(path=dataset, format=ox.RdfFormat.N_QUADS)
    start = time.perf_counter()
    files = search_index.build(graph, cache=cache)
    built_in = time.perf_counter() - start
    store.publish(workdir / "store", graph, {"id": store.new_release_id(), "synthetic": str(dataset)}, documents=files)
    index = SearchIndex.of_release(workdir / "store" / "current")
    words = [*queries(), "regional cooperation", "illegal trade monitoring", "gestion durable des habitats"]
    plans = {f"GET /search (hybrid), {size}": [("/search", {"q": words[i % len(words)]}) for i in range(count)]}
    rows, (before, after) = timed_plans(workdir / "store", plans, clients)
    print(f"\n## Speed on a synthetic graph of {size} triples\n")
    print(f"{counts.get('quads', len(graph)):,} quads; index of {len(index.documents):,} documents and "
          f"{index.vectors.shape[0]:,} passages built in {built_in:.1f} s (sentence vectors cached in {cache.parent} "
          f"reused if an earlier run encoded the same texts). {count} requests, {clients} clients at once, answer "
          f"cache off.\n")  # fmt: skip
    print_rows(rows)
    print(f"\nService memory (PSS): {before:.0f} MB before the first search, {after:.0f} MB after.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--synthetic", metavar="SIZE", help="also time searches on a synthetic graph (e.g. 1M)")
    parser.add_argument("--record", action="store_true", help="write the hybrid figures to " + str(RECORDED))
    args = parser.parse_args()
    settings = load_settings()
    ensure_store(settings)
    release = store.current_release(settings.store_dir)
    assert release is not None
    manifest = store.read_manifest(release)
    index = SearchIndex.of_release(release)
    figures = relevance(index)
    print_relevance(figures)
    built_in = manifest["seconds"].get("search", float("nan"))
    print(f"\nIndex: {len(index.documents)} documents, {index.vectors.shape[0]} passages, {len(index.phrases)} "
          f"phrases; built in {built_in:.1f} s by `kg build` (release {release.name}).")  # fmt: skip
    speed(settings.store_dir, args.requests, args.clients)
    if args.synthetic:
        with tempfile.TemporaryDirectory(prefix="kg-bench-search-") as workdir:
            cache = settings.cache_dir / search_index.ENCODER_CACHE
            synthetic_speed(args.synthetic, args.requests, args.clients, cache, Path(workdir))
    if args.record:
        RECORDED.write_text(json.dumps({"hybrid": figures["hybrid"]}, indent=2) + "\n", encoding="utf-8")
        print(f"\nRecorded the hybrid figures in {RECORDED.relative_to(ROOT)}.")


if __name__ == "__main__":
    with report.page("search", "Search benchmark"):
        main()
