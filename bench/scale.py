"""Scale benchmark: how build time, store size, memory and canned-query latency grow with the data.

One run prints one Markdown table (and writes it to ``bench/results/scale.md``). For each size of the
synthetic graph (``bench/synthetic.py``: the real graph's shape at 10k, 100k, 1M, 10M triples) and
each engine:

- **embedded**: `kg serve` on a release built from the synthetic N-Quads (answer cache off), and the
  bare engine — pyoxigraph in this process, same query, same data, same JSON serialisation — beside it,
  its evaluations taken in turn with the service's requests;
- **virtuoso**: `kg publish` into Debian's Virtuoso, then `kg serve --store-url` over it;
- **rdflib**: rdflib's in-memory Dataset and SPARQL engine in a child process (up to ``--rdflib-max``).

Per canned query (default parameters): p50 / p99 of sequential requests and requests/s at
``--concurrency``; ``page1`` is the first page of 100 rows (``?page=1``). Sampling stops after
``--samples`` requests or ``--budget`` seconds per query, whichever comes first. The growth column is
the p50 ratio per 10× data, after the growth of the answer's rows in brackets. Loopback only; every
server is stopped at the end.

    python bench/scale.py                      # 10k, 100k, 1M, 10M
    python bench/scale.py --sizes 10k,100k     # a quick run
    python bench/scale.py --sizes 10M --no-virtuoso --keep   # one more size, beside those already measured
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gzip
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pyoxigraph as ox
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import generate
from kg import catalogue, engine, publish, store
from kg.config import PROJECT_DIR, Settings
from kg.remote import Endpoints
from support.live import free_port, memory_mb, wait_until_up
from support.remote_servers import available, virtuoso

DESIGN_CARD = "activities-by-listing"
REFERENCE_SCAN = (
    "PREFIX mea: <https://w3id.org/mea-kg/ontology#> SELECT ?resource ?code WHERE { ?resource mea:code ?code }"
)
"""The engine's own growth, beside the canned queries': one predicate's rows (one per activity or heading), as JSON."""
BIN = Path(sys.executable).parent
RESULTS = PROJECT_DIR / "bench" / "results"


def parse_size(text: str) -> int:
    units = {"k": 1_000, "m": 1_000_000}
    return int(float(text[:-1]) * units[text[-1].lower()]) if text[-1].lower() in units else int(text)


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


# --- measuring ------------------------------------------------------------------------------------------


def sample(
    calls: dict[str, Callable[[], object]], *, samples: int, budget: float, least: int = 3
) -> dict[str, list[float]]:
    """Seconds per call of each of ``calls``, taken in turn (one of each, again and again) until ``samples``
    rounds or ``budget`` seconds (but at least ``least`` rounds), one warm-up round first. Taking them in turn
    lets every one see the same machine: on this shared one, a query's time drifts by a third from one minute
    to the next."""
    for call in calls.values():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    deadline = time.monotonic() + budget
    for round_ in range(1, samples + 1):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
        if time.monotonic() >= deadline and round_ >= least:
            break
    return times


def p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def throughput(url: str, params: dict, *, concurrency: int, budget: float) -> float:
    """Requests/s of ``concurrency`` clients sending the same request for ``budget`` seconds."""
    done, deadline = 0, time.monotonic() + budget

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            response = await http.get(url, params=params)
            response.raise_for_status()
            done += 1

    async with httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=concurrency)) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        return done / (time.perf_counter() - start)


class Loopback:
    """One keep-alive connection through the standard library's HTTP client, for the sequential samples: its
    cost per request is about half httpx's (1.3 against 2.6 ms for a cached 53 kB answer), so the latency
    measured is the service's rather than the client library's. It asks for gzip, as browsers and httpx do."""

    def __init__(self, base: str):
        url = urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=600)

    def get(self, path: str, params: dict | None = None) -> bytes:
        self.connection.request(
            "GET", path + (f"?{urlencode(params)}" if params else ""), headers={"Accept-Encoding": "gzip"}
        )
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
        return body

    def close(self) -> None:
        self.connection.close()


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


@contextlib.contextmanager
def kg_serve(*options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`kg serve` on a free port (answer cache off); its output goes to a log whose end is printed if a
    measurement fails."""
    port = free_port()
    log = RESULTS / f"kg-serve-{port}.log"
    RESULTS.mkdir(exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                str(BIN / "kg"),
                "serve",
                "--port",
                str(port),
                "--cache-mb",
                "0",
                "--workers",
                "2",
                "--query-timeout",
                "600",
                "--max-rows",
                "10000000",
                *options,
            ],
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/sparql", seconds=900)
        yield base, process
    except BaseException:
        print(
            f"kg serve (exit status {process.poll()}), the end of its log:\n{log.read_text(errors='replace')[-3000:]}",
            file=sys.stderr,
        )
        raise
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.unlink(missing_ok=True)


# --- engines --------------------------------------------------------------------------------------------


def service_rows(
    base: str, queries: dict, args, *, bare: ox.Store | None = None
) -> tuple[dict[str, dict], dict[str, dict]]:
    """Per canned query: its answer's rows, p50/p99 of sequential requests, requests/s, and the first page's
    p50; with ``bare`` (the same data in this process), the bare engine's p50/p99 too, each of its
    evaluations (written as SPARQL JSON) taken in turn with one of the service's requests."""
    rows, bare_rows, http = {}, {}, Loopback(base)
    try:
        for name, query in queries.items():
            path = f"/queries/{name}"
            calls: dict[str, Callable[[], object]] = {"service": functools.partial(http.get, path)}
            if bare is not None:
                request = engine.Request(query.text, bindings=query.bindings({}), max_rows=10_000_000)
                calls["bare"] = functools.partial(engine.evaluate, bare, request)
            answer_rows = len(json.loads(gzip.decompress(http.get(path)))["results"]["bindings"])
            times = sample(calls, samples=args.samples, budget=args.budget)
            page = sample(
                {"page": functools.partial(http.get, path, {"page": "1"})}, samples=args.samples, budget=args.budget / 2
            )["page"]
            rps = asyncio.run(throughput(base + path, {}, concurrency=args.concurrency, budget=min(args.budget, 5)))
            rows[name] = {
                "p50": p(times["service"], 0.5),
                "p99": p(times["service"], 0.99),
                "rps": rps,
                "page1": p(page, 0.5),
                "answer_rows": answer_rows,
            }
            if bare is not None:
                bare_rows[name] = {"p50": p(times["bare"], 0.5), "p99": p(times["bare"], 0.99)}
    finally:
        http.close()
    return rows, bare_rows


def embedded(dataset: Path, workdir: Path, queries: dict, args) -> dict:
    """Build a release from the synthetic N-Quads (as `kg build` writes one), then serve it; the loaded
    store stays in this process as the bare engine."""
    start = time.perf_counter()
    graph = ox.Store()
    graph.bulk_load(path=dataset, format=ox.RdfFormat.N_QUADS)
    store_dir = workdir / "store"
    store.publish(store_dir, graph, {"id": store.new_release_id(), "synthetic": str(dataset)})
    build_s = time.perf_counter() - start
    release = store.current_release(store_dir)
    assert release is not None, "store.publish made the new release current"
    size = (release / store.DATASET).stat().st_size / 1e6
    with kg_serve("--store", str(store_dir)) as (base, process):
        memory = memory_mb(process.pid)
        rows, bare_rows = service_rows(base, queries, args, bare=graph)
    return {
        "build_s": build_s,
        "size_mb": size,
        "memory_mb": memory,
        "rows": rows,
        "store_dir": store_dir,
        "bare_rows": bare_rows,
        "reference": reference_scan(graph, args),
    }


def reference_scan(graph: ox.Store, args) -> dict:
    """The bare engine's p50 and rows for :data:`REFERENCE_SCAN`."""
    request = engine.Request(REFERENCE_SCAN, max_rows=10**9)
    rows = len(json.loads(engine.evaluate(graph, request).body)["results"]["bindings"])
    times = sample({"scan": lambda: engine.evaluate(graph, request)}, samples=args.samples, budget=args.budget)["scan"]
    return {"p50": p(times, 0.5), "answer_rows": rows}


def on_virtuoso(store_dir: Path, workdir: Path, triples: int, queries: dict, args) -> dict:
    buffers = max(20_000, min(1_200_000, triples // 8))  # 8 KiB pages: about one buffer per 8 triples, ≤ 9.6 GB
    with virtuoso(workdir / "virtuoso", buffers=buffers) as ep:
        settings = Settings(
            store=store_dir,
            store_url=ep.query_url,
            update_url=ep.update_url,
            gsp_url=ep.gsp_url,
            remote_user=ep.user,
            remote_password=SecretStr(ep.password) if ep.password else None,
            remote_auth="digest",
        )
        start = time.perf_counter()
        asyncio.run(publish.publish(store_dir, Endpoints.from_settings(settings), timeout=3600))
        build_s = time.perf_counter() - start
        server = _pid_listening(ep.query_url)
        size = sum(f.stat().st_size for f in (workdir / "virtuoso").glob("virtuoso*.db")) / 1e6
        with kg_serve("--store", str(store_dir), "--store-url", ep.query_url) as (base, _):
            rows, _ = service_rows(base, queries, args)
        memory = memory_mb(server) if server else float("nan")
    return {"build_s": build_s, "size_mb": size, "memory_mb": memory, "rows": rows}


def _pid_listening(url: str) -> int | None:
    port = url.split(":")[2].split("/", maxsplit=1)[0]
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    for part in out.split("pid=")[1:]:
        return int(part.split(",")[0])
    return None


RDFLIB_CHILD = """
import json, sys, time, resource, rdflib, pyoxigraph as ox
sys.path.insert(0, {root!r})
from kg import catalogue
from kg.config import Settings
start = time.perf_counter()
ds = rdflib.Dataset(default_union=True)
ds.parse({dataset!r}, format="nquads")
load = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = {{}}
for name, query in catalogue.load(Settings().queries_dir).items():
    if name != {name!r}:
        continue
    bindings = {{
        rdflib.Variable(k): (
            rdflib.URIRef(v.value) if isinstance(v, ox.NamedNode)
            else rdflib.Literal(
                v.value, lang=v.language, datatype=None if v.language else rdflib.URIRef(v.datatype.value)
            )
        )
        for k, v in query.bindings({{}}).items()
    }}
    times, deadline = [], time.monotonic() + {budget}
    while len(times) < {samples} and (not times or time.monotonic() < deadline):
        t = time.perf_counter()
        ds.query(query.text, initBindings=bindings).serialize(format="json")
        times.append(time.perf_counter() - t)
    times.sort()
    rows[name] = {{"p50": times[len(times) // 2], "p99": times[min(len(times) - 1, int(.99 * len(times)))]}}
print(json.dumps({{"build_s": load, "memory_mb": rss, "rows": rows}}))
"""


def on_rdflib(dataset: Path, queries: dict, args) -> dict:
    """rdflib's in-memory engine, one child process per canned query (parse, then sample), each stopped after
    ``--rdflib-timeout`` seconds: some of these queries take rdflib minutes and gigabytes."""
    run: dict = {"rows": {}}
    for name in queries:
        code = RDFLIB_CHILD.format(
            root=str(PROJECT_DIR / "src"),
            dataset=str(dataset),
            budget=args.budget,
            samples=min(args.samples, 5),
            name=name,
        )
        try:
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, timeout=args.rdflib_timeout, check=False
            )
        except subprocess.TimeoutExpired:
            run["rows"][name] = {"timeout_s": args.rdflib_timeout}
            continue
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-2000:])
        child = json.loads(out.stdout)
        run["rows"][name] = child["rows"][name]
        run |= {"build_s": child["build_s"], "memory_mb": max(run.get("memory_mb", 0), child["memory_mb"])}
    return run | {"size_mb": dataset.stat().st_size / 1e6}


# --- the table -------------------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def _rdflib_cell(row: dict | None) -> str:
    if row is None:
        return "—"
    return f"> {row['timeout_s']:g} s" if "timeout_s" in row else ms(row["p50"])


def _grown(row: dict, before: dict) -> str:
    """The growth of a measurement (``p50``, ``answer_rows``) from ``before``: the rows' in brackets, then
    the time's."""
    rows, earlier = row.get("answer_rows"), before.get("answer_rows")
    return (f"({rows / earlier:.1f}×) " if rows and earlier else "") + f"{row['p50'] / before['p50']:.1f}×"


def table(results: dict[int, dict], queries: dict) -> str:
    sizes = sorted(results)
    lines = [
        "### Build, size and memory",
        "",
        "| triples | engine | build / load (s) | store (MB) | memory (MB) |",
        "|---:|---|---:|---:|---:|",
    ]
    for size in sizes:
        for name, run in results[size]["engines"].items():
            if "build_s" in run:
                lines.append(
                    f"| {results[size]['quads']:,} | {name} | {run['build_s']:.1f} | {run['size_mb']:.0f} "
                    f"| {run['memory_mb']:.0f} |"
                )
    measured = [size for size in sizes if "reference" in results[size]["engines"]["bare"]]
    if measured:
        lines += [
            "",
            "### The engine's own growth: one predicate's rows (bare engine, JSON)",
            "",
            "| triples | rows | bare engine p50 (ms) | growth per 10× (rows; time) |",
            "|---:|---:|---:|---|",
        ]
        previous = None
        for size in measured:
            ref = results[size]["engines"]["bare"]["reference"]
            growth = _grown(ref, previous) if previous else ""
            lines.append(f"| {results[size]['quads']:,} | {ref['answer_rows']} | {ms(ref['p50'])} | {growth} |")
            previous = ref
    lines += [
        "",
        "### Canned queries (ms; requests/s at the given concurrency)",
        "",
        "| query | triples | rows | bare engine p50 | embedded p50 / p99 | embedded req/s | service ÷ bare "
        "| page 1 p50 | Virtuoso p50 / p99 | Virtuoso req/s | rdflib p50 | growth per 10× (rows; embedded, Virtuoso) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in queries:
        previous = None
        for size in sizes:
            engines = results[size]["engines"]
            bare, emb = engines["bare"]["rows"][name], engines["embedded"]["rows"][name]
            virt = engines.get("virtuoso", {}).get("rows", {}).get(name)
            rdf = engines.get("rdflib", {}).get("rows", {}).get(name)
            growth = ""
            if previous:
                growth = _grown(emb, previous[0]) + (
                    f", {virt['p50'] / previous[1]['p50']:.1f}×" if virt and previous[1] else ""
                )
            lines.append(
                f"| {name} | {label(size)} | {emb.get('answer_rows', '—')} | {ms(bare['p50'])} "
                f"| {ms(emb['p50'])} / {ms(emb['p99'])} | {emb['rps']:.0f} "
                f"| {emb['p50'] / bare['p50']:.2f} | {ms(emb['page1'])} "
                f"| {(ms(virt['p50']) + ' / ' + ms(virt['p99'])) if virt else '—'} "
                f"| {format(virt['rps'], '.0f') if virt else '—'} "
                f"| {_rdflib_cell(rdf)} | {growth} |"
            )
            previous = (emb, virt)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M,10M")
    parser.add_argument("--samples", type=int, default=30, help="requests per query and engine (at most)")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds of sampling per query and engine (at most)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--rdflib-max", default="100k", help="largest size run on rdflib (its load takes minutes past that)"
    )
    parser.add_argument("--rdflib-timeout", type=float, default=120, help="seconds per canned query on rdflib")
    parser.add_argument("--virtuoso-max", default="10M", help="largest size run on Virtuoso")
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--keep", action="store_true", help="add to the sizes already in bench/results/scale.json")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    queries = catalogue.load(Settings().queries_dir)
    results, work = {}, Path(tempfile.mkdtemp(prefix="kg-scale-"))
    if args.keep and (RESULTS / "scale.json").exists():
        results = {int(size): run for size, run in json.loads((RESULTS / "scale.json").read_text()).items()}
    try:
        for size in sizes:
            directory = work / label(size)
            directory.mkdir()
            dataset = directory / "synthetic.nq"
            counts = generate(size, dataset)
            print(f"{label(size)}: {counts['quads']:,} quads generated", file=sys.stderr, flush=True)
            engines = {"embedded": embedded(dataset, directory, queries, args)}
            engines["bare"] = {
                "rows": engines["embedded"].pop("bare_rows"),
                "reference": engines["embedded"].pop("reference"),
            }
            print(f"{label(size)}: embedded done", file=sys.stderr, flush=True)
            if not args.no_virtuoso and size <= parse_size(args.virtuoso_max) and available("virtuoso") is None:
                engines["virtuoso"] = on_virtuoso(
                    engines["embedded"].pop("store_dir"), directory, counts["quads"], queries, args
                )
                print(f"{label(size)}: virtuoso done", file=sys.stderr, flush=True)
            if size <= parse_size(args.rdflib_max):
                engines["rdflib"] = on_rdflib(dataset, queries, args)
                print(f"{label(size)}: rdflib done", file=sys.stderr, flush=True)
            engines["embedded"].pop("store_dir", None)
            results[size] = {"quads": counts["quads"], "engines": engines}
            shutil.rmtree(directory, ignore_errors=True)
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "scale.json").write_text(json.dumps(results, indent=1, default=str))  # kept as each size ends
        report = (
            f"Scale benchmark — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, pyoxigraph {ox.__version__}, "
            f"{args.samples} samples or {args.budget:g} s per query, concurrency {args.concurrency}\n\n"
            f"{table(results, queries)}\n"
        )
        (RESULTS / "scale.md").write_text(report)
        print(report)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import report  # writes docs/benchmarks/scale.md from what main prints

    with report.page("scale", "Scale benchmark"):
        main()
