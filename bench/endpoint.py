"""Endpoint benchmark: kg serve vs `oxigraph serve` vs rdflib-endpoint, same data, same queries, one run.

Prints a Markdown table of requests/s and p50/p99 latency for a point lookup, the design card's query
(the canned activities-by-listing, CITES Appendix I) and a heavy aggregate at concurrency 1 and 8
(load from wrk; rdflib-endpoint, too slow for wrk's time-outs, from Python clients). Every request's
query is unique (a FILTER that excludes nothing, on a fresh IRI), so no answer cache serves it. Then:
how long a resource page and a canned query take while 8 clients load kg serve with ad-hoc queries,
against the same probe idle; and the design card's query on kg serve while runaway queries are being
stopped by the timeout. Needs `wrk` (Debian package) and `oxigraph` (dev extra); rdflib-endpoint (bench
extra) is measured when installed. Run from the repository: `python bench/endpoint.py`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from kg import build, catalogue, store
from kg.config import Settings

NONCE = "KG_BENCH_NONCE"
"""Replaced in each request by a fresh number: the query's ``FILTER(?x != <urn:kg-bench:NONCE>)`` excludes nothing
(no such IRI is in the data) and makes every request's text, and so its answer cache key, unique."""


def _design_card() -> str:
    text = catalogue.read(Path(__file__).parents[1] / "queries" / "activities-by-listing.rq").text
    where_end = text.rindex("}\nGROUP BY")
    return (
        f"{text[:where_end]}  FILTER(?activity != <urn:kg-bench:{NONCE}>)\n{text[where_end:]}"
        '\nVALUES (?convention ?appendix) { (<https://w3id.org/mea-kg/id/convention/cites> "I") }'
    )


QUERIES = {
    "point lookup": (
        "SELECT ?p ?o WHERE { <https://w3id.org/mea-kg/id/activity/cami/2.3.8> ?p ?o "
        f"FILTER(?o != <urn:kg-bench:{NONCE}>) }}"
    ),
    "design card": _design_card(),
    "heavy aggregate": f"""SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE {{ ?s ?p ?o FILTER(?s != <urn:kg-bench:{NONCE}>) }} GROUP BY ?p ORDER BY DESC(?n)""",
}
PROBES = {
    "resource page": ("/id/activity/cami/2.3.8", "text/turtle"),
    "canned query": ("/queries/activities-by-listing", "application/sparql-results+json"),
}
"""What the service answers with its own bounded queries, timed while ad-hoc queries load it."""
_nonces = itertools.count(1)
_wrk_nonces = itertools.count(10**10, 10**10)
"""Where each wrk run starts counting: far beyond any run before it and the Python clients' nonces."""


def unique(query: str) -> str:
    """``query`` with a nonce never used before in this run."""
    return query.replace(NONCE, str(next(_nonces)))


SLOW_MS = 5000
"""A server whose single request takes longer than this is not loaded at concurrency 8."""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not start")


class Server:
    def __init__(self, name: str, command: list[str], url: str):
        self.name, self.url = name, url
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )

    def stop(self) -> None:
        with_suppress = self.process.poll() is None
        if with_suppress:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def start_servers(settings: Settings, triples_file: Path, workers: int | None) -> list[Server]:
    servers = []
    pool = [] if workers is None else ["--workers", str(workers)]
    for name, cache in (("kg serve", "64"), ("kg serve, no cache", "0")):
        port = free_port()
        servers.append(
            Server(
                name, kg_serve(port, settings, *pool, timeout_s=30, cache_mb=cache), f"http://127.0.0.1:{port}/sparql"
            )
        )
    port = free_port()
    servers.append(
        Server(
            "oxigraph serve",
            [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            f"http://127.0.0.1:{port}/query",
        )
    )
    if (BIN / "rdflib-endpoint").exists():
        port = free_port()
        servers.append(
            Server(
                "rdflib-endpoint",
                [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port), str(triples_file)],
                f"http://127.0.0.1:{port}/",
            )
        )
    for server in servers:
        wait_up(server.url)
    oxigraph = next(s for s in servers if s.name == "oxigraph serve")
    store_url = oxigraph.url.replace("/query", "/store?default")
    response = httpx.post(
        store_url, content=triples_file.read_bytes(), headers={"Content-Type": "application/n-triples"}, timeout=120
    )
    response.raise_for_status()
    return servers


def row_count(url: str, query: str) -> int:
    response = httpx.get(
        url, params={"query": unique(query)}, headers={"Accept": "application/sparql-results+json"}, timeout=600
    )
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def wrk(url: str, query: str, connections: int, seconds: int) -> dict[str, float]:
    """Load ``url`` from ``connections`` connections for ``seconds``, each request's query made unique."""
    before, _, after = query.partition(NONCE)
    first = next(_wrk_nonces)
    path = f"{httpx.URL(url).raw_path.decode()}?query="
    script = (
        f"local n = {first}\n"
        "request = function()\n  n = n + 1\n"
        f'  return wrk.format("GET", "{path}{quote(before, safe="")}" .. n .. "{quote(after, safe="")}")\nend\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "30s",
                "-H",
                "Accept: application/sparql-results+json",
                "-s",
                lua.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(lua.name)
    rps = float(_found(r"Requests/sec:\s+([\d.]+)", output)[0])
    found = {p: re.search(rf"\s{p}%\s+([\d.]+\w+)", output) for p in ("50", "99")}
    latency = {p: _ms(m.group(1)) if m else float("nan") for p, m in found.items()}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests, duration, unit = _found(r"(\d+) requests in ([\d.]+)(\w+)", output)
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "errors": int(errors.group(1)) if errors else 0,
        "requests": int(requests),
        "seconds": _ms(duration + unit) / 1000,
    }


def threaded(url: str, query: str, connections: int, seconds: int) -> dict[str, float]:
    """For a slow server: `connections` clients send requests one after another until the time is up, and
    every request started is waited for, so no backlog is left for the next measurement."""
    deadline, samples, errors, lock = time.monotonic() + seconds, [], [0], threading.Lock()

    def client() -> None:
        with httpx.Client(timeout=600) as http:
            while time.monotonic() < deadline:
                start = time.monotonic()
                ok = (
                    http.get(
                        url, params={"query": unique(query)}, headers={"Accept": "application/sparql-results+json"}
                    ).status_code
                    == 200
                )
                with lock:
                    samples.append(time.monotonic() - start)
                    errors[0] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000  # noqa: E731
    return {
        "rps": len(samples) / (time.monotonic() - started),
        "requests": len(samples),
        "seconds": time.monotonic() - started,
        "p50": pick(0.5),
        "p99": pick(0.99),
        "errors": errors[0],
    }


def _found(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    if match is None:
        sys.exit(f"error: no {pattern!r} in {text[:300]!r}")
    return match.groups()


def _ms(value: str) -> float:
    number, unit = _found(r"([\d.]+)(\w+)", value)
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def kg_serve(port: int, settings: Settings, *options: str, timeout_s: int, cache_mb: str) -> list[str]:
    """The command line of a `kg serve` on ``port`` over the settings' store."""
    return [
        str(BIN / "kg"), "serve", "--port", str(port), "--store", str(settings.store_dir),
        "--query-timeout", str(timeout_s), "--cache-mb", cache_mb, *options,
    ]  # fmt: skip


def runaway_scenario(settings: Settings, seconds: int, query: str) -> dict[str, float]:
    """kg serve with a 1 s timeout, one client sending runaway queries non-stop, wrk measuring the design query."""
    port = free_port()
    server = Server(
        "kg serve (1 s timeout)", kg_serve(port, settings, timeout_s=1, cache_mb="0"), f"http://127.0.0.1:{port}/sparql"
    )
    stopped = {"n": 0}
    done = threading.Event()

    def hammer():
        with httpx.Client(timeout=30) as client:
            while not done.is_set():
                if client.get(server.url, params={"query": RUNAWAY}).status_code == 503:
                    stopped["n"] += 1

    try:
        wait_up(server.url)
        thread = threading.Thread(target=hammer, daemon=True)
        thread.start()
        time.sleep(0.5)
        result = wrk(server.url, query, 1, seconds)
        done.set()
        thread.join(timeout=5)
        result["runaways stopped"] = stopped["n"]
        return result
    finally:
        server.stop()


def side_by_side(
    servers: list[Server], query: str, *, connections: int, seconds: int, rounds: int, slow: dict[str, dict]
) -> dict[str, dict]:
    """Each server's result on ``query``: ``rounds`` short runs each, the servers taking turns (in alternating
    order), so a change in the machine's other load falls on all of them alike. Requests/s over all runs, the
    median of the runs' p50 and the highest of their p99. A server in ``slow`` (by name: its result with one
    client) is not loaded: one request takes too long."""
    runs: dict[str, list[dict]] = {s.name: [] for s in servers}
    skipped = {name: {**single, "skipped": True} for name, single in slow.items()}
    turn = [s for s in servers if s.name not in skipped]
    for round_ in range(rounds):
        for server in turn if round_ % 2 == 0 else turn[::-1]:
            measure = threaded if server.name == "rdflib-endpoint" else wrk
            runs[server.name].append(measure(server.url, query, connections, max(1, round(seconds / rounds))))
    merged = {
        server: {
            "rps": sum(r["requests"] for r in results) / sum(r["seconds"] for r in results),
            "p50": sorted(r["p50"] for r in results)[len(results) // 2],
            "p99": max(r["p99"] for r in results),
            "errors": sum(r["errors"] for r in results),
        }
        for server, results in runs.items()
        if results
    }
    return {**merged, **skipped}


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p99 of ``samples`` (seconds) in ms, and their count."""
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"n": len(ordered), "p50": pick(0.5), "p99": pick(0.99)}


def probe(base: str, until: Callable[[], bool]) -> dict[str, dict[str, float]]:
    """Time each of PROBES, one request at a time in turn, until ``until()``; every answer must be a 200."""
    samples: dict[str, list[float]] = {name: [] for name in PROBES}
    with httpx.Client(timeout=60, follow_redirects=True) as http:
        for name, (path, accept) in itertools.cycle(PROBES.items()):
            if until():
                break
            start = time.monotonic()
            response = http.get(base + path, headers={"Accept": accept})
            samples[name].append(time.monotonic() - start)
            if response.status_code != 200:
                sys.exit(f"error: the probe {name!r} got {response.status_code}: {response.text[:200]}")
    return {name: percentiles(times) for name, times in samples.items()}


def fairness(server: Server, seconds: int) -> Iterator[tuple[str, dict[str, dict[str, float]]]]:
    """The probe idle, then while 8 wrk clients send each query of QUERIES (unique) to ``server``."""
    base = server.url.removesuffix("/sparql")
    deadline = time.monotonic() + seconds
    yield "idle", probe(base, lambda: time.monotonic() > deadline)
    for name, query in QUERIES.items():
        load = threading.Thread(target=wrk, args=(server.url, query, 8, seconds + 1))
        load.start()
        time.sleep(0.5)  # let the load reach every worker before the first probe
        try:
            yield f"8 clients: {name}", probe(base, finished(load))
        finally:
            load.join()


def finished(thread: threading.Thread) -> Callable[[], bool]:
    return lambda: not thread.is_alive()


def ratio(ours: float, theirs: float, spec: str) -> str:
    if theirs == 0:
        return "∞ (none answered)" if ours else "-"
    return f"{ours / theirs:{spec}}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=6, help="time each server gets per table cell")
    parser.add_argument("--rounds", type=int, default=3, help="turns the servers take within each cell")
    parser.add_argument("--workers", type=int, help="kg serve's query workers (default: its own default)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("error: wrk is not installed (apt-get install wrk)")
    settings = Settings()
    if store.current_release(settings.store_dir) is None:
        build.build(settings)
    graph, manifest = store.open_store(settings.store_dir)
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    triples_file = workdir / "data.nt"
    with open(triples_file, "wb") as out:
        ox.serialize(
            cast(ox.QueryTriples, graph.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)),
            out,
            format=ox.RdfFormat.N_TRIPLES,
        )
    with open(triples_file, "rb") as lines:
        triples = sum(1 for _ in lines)
    servers = start_servers(settings, triples_file, args.workers)
    rows: list[tuple[str, int, int, str, dict]] = []
    by_single: dict[tuple[str, str], dict] = {}
    try:
        for name, query in QUERIES.items():
            counts = {s.name: row_count(s.url, query) for s in servers}
            if len(set(counts.values())) != 1:
                sys.exit(f"error: the servers disagree on {name!r}: {counts}")
            for connections in (1, 8):
                slow = {s: r for (q, s), r in by_single.items() if q == name and r["p50"] > SLOW_MS}
                results = side_by_side(
                    servers, query, connections=connections, seconds=args.seconds, rounds=args.rounds, slow=slow
                )
                for server in servers:
                    result = results[server.name]
                    if connections == 1:
                        by_single[(name, server.name)] = result
                    rows.append((name, counts[server.name], connections, server.name, result))
                    print(f"  {name:16} c={connections} {server.name:16} {result['rps']:9.1f} req/s", file=sys.stderr)
        uncached = next(s for s in servers if s.name == "kg serve, no cache")
        probes = list(fairness(uncached, args.seconds))
    finally:
        for server in servers:
            server.stop()
    runaway = runaway_scenario(settings, args.seconds * 2, QUERIES["design card"])
    print(
        f"\nEndpoint benchmark — {triples} triples (release {manifest['id']}), {os.cpu_count()} CPUs, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"pyoxigraph {ox.__version__}, "
        f"kg serve with {args.workers or settings.workers} query workers, wrk -t1, {args.seconds} s per cell "
        f"in {args.rounds} turns\n"
    )
    print("Every request's query is unique (a no-op FILTER on a fresh IRI): no answer cache serves it.\n")
    print("| query | rows | conc. | server | req/s | p50 ms | p99 ms | vs rdflib-endpoint | vs oxigraph serve |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    by_key = {(q, c, s): r for q, _, c, s, r in rows}
    for query, count, connections, server_name, result in rows:
        rdflib_result = by_key.get((query, connections, "rdflib-endpoint"))
        if rdflib_result is None:
            ratio_rdflib = "not installed"
        else:
            rdflib_rps = rdflib_result["rps"] if not rdflib_result.get("skipped") else 1000 / rdflib_result["p50"]
            ratio_rdflib = ratio(result["rps"], rdflib_rps, ".1f")
        ratio_oxigraph = ratio(result["rps"], by_key[(query, connections, "oxigraph serve")]["rps"], ".2f")
        if result.get("skipped"):
            print(
                f"| {query} | {count} | {connections} | {server_name} "
                f"| not run (one request: {result['p50'] / 1000:.0f} s) | | | | |"
            )
            continue
        print(
            f"| {query} | {count} | {connections} | {server_name} | {result['rps']:.1f} | {result['p50']:.2f} "
            f"| {result['p99']:.2f} "
            f"| {ratio_rdflib} | {ratio_oxigraph} |"
        )
    idle = dict(probes)["idle"]
    print(
        f"\nThe service's own queries on kg serve (no cache), one at a time, idle and while 8 wrk clients send "
        f"unique ad-hoc queries ({args.seconds + 1} s each):\n"
    )
    print("| load | probe | requests | p50 ms | p99 ms | p99 vs idle |")
    print("|---|---|---:|---:|---:|---:|")
    for load, results in probes:
        for name, result in results.items():
            print(
                f"| {load} | {name} | {result['n']} | {result['p50']:.2f} | {result['p99']:.2f} "
                f"| {ratio(result['p99'], idle[name]['p99'], '.2f')} |"
            )
    print(
        "\nDesign card query on kg serve (no cache) while runaway queries are stopped (1 s timeout, "
        f"{runaway['runaways stopped']} stopped during the run): {runaway['rps']:.0f} req/s, "
        f"p50 {runaway['p50']:.2f} ms, p99 {runaway['p99']:.2f} ms, "
        f"{runaway['errors']} errors."
    )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import report  # writes docs/benchmarks/endpoint.md from what main prints

    with report.page("endpoint", "Endpoint benchmark: kg serve, oxigraph serve and rdflib-endpoint"):
        main()
