"""Endpoint benchmark: kg serve vs `oxigraph serve` vs rdflib-endpoint, same data, same queries, one run.

Prints a Markdown table of requests/s and p50/p99 latency for a point lookup, the design card's query
(the canned activities-by-listing, CITES Appendix I) and a heavy aggregate at concurrency 1 and 8
(load from wrk; rdflib-endpoint, too slow for wrk's time-outs, from Python clients), then the design card's query on kg serve
while runaway queries are being stopped by the timeout. Needs `wrk` (Debian package) and the bench
extras (`pip install oxigraph rdflib-endpoint`); run from the repository: `python bench/endpoint.py`.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from kg import build, catalogue, store
from kg.config import Settings

QUERIES = {
    "point lookup": "SELECT ?p ?o WHERE { <https://w3id.org/mea-kg/id/activity/cami/2.3.8> ?p ?o }",
    "design card": (
        catalogue.read(Path(__file__).parents[1] / "queries" / "activities-by-listing.rq").text
        + '\nVALUES (?convention ?appendix) { (<https://w3id.org/mea-kg/id/convention/cites> "I") }'
    ),
    "heavy aggregate": """SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)""",
}
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


def start_servers(settings: Settings, triples_file: Path, workdir: Path) -> list[Server]:
    servers = []
    for name, cache in (("kg serve", "64"), ("kg serve, no cache", "0")):
        port = free_port()
        servers.append(
            Server(
                name,
                [
                    str(BIN / "kg"),
                    "serve",
                    "--port",
                    str(port),
                    "--store",
                    str(settings.store_dir),
                    "--query-timeout",
                    "30",
                    "--cache-mb",
                    cache,
                ],
                f"http://127.0.0.1:{port}/sparql",
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
        url, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=600
    )
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def wrk(url: str, query: str, connections: int, seconds: int) -> dict[str, float]:
    target = f"{url}?query={quote(query, safe='')}"
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
            target,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    found = {p: re.search(rf"\s{p}%\s+([\d.]+\w+)", output) for p in ("50", "99")}
    latency = {p: _ms(m.group(1)) if m else float("nan") for p, m in found.items()}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"], "errors": int(errors.group(1)) if errors else 0}


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
                        url, params={"query": query}, headers={"Accept": "application/sparql-results+json"}
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
        "p50": pick(0.5),
        "p99": pick(0.99),
        "errors": errors[0],
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def runaway_scenario(seconds: int, query: str) -> dict[str, float]:
    """kg serve with a 1 s timeout, one client sending runaway queries non-stop, wrk measuring the design query."""
    settings = Settings()
    port = free_port()
    server = Server(
        "kg serve (1 s timeout)",
        [
            str(BIN / "kg"),
            "serve",
            "--port",
            str(port),
            "--store",
            str(settings.store_dir),
            "--query-timeout",
            "1",
            "--cache-mb",
            "0",
        ],
        f"http://127.0.0.1:{port}/sparql",
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


def ratio(ours: float, theirs: float, spec: str) -> str:
    if theirs == 0:
        return "∞ (none answered)" if ours else "-"
    return f"{ours / theirs:{spec}}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
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
            graph.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True),
            out,
            format=ox.RdfFormat.N_TRIPLES,
        )
    triples = sum(1 for _ in open(triples_file, "rb"))
    servers = start_servers(settings, triples_file, workdir)
    rows, by_single = [], {}
    try:
        for name, query in QUERIES.items():
            counts = {s.name: row_count(s.url, query) for s in servers}
            if len(set(counts.values())) != 1:
                sys.exit(f"error: the servers disagree on {name!r}: {counts}")
            for connections in (1, 8):
                for server in servers:
                    single = by_single.get((name, server.name))
                    if single is not None and single["p50"] > SLOW_MS:
                        result = {**single, "skipped": True}  # one request takes too long to load it 8 at a time
                    else:
                        measure = threaded if server.name == "rdflib-endpoint" else wrk
                        result = measure(server.url, query, connections, args.seconds)
                    if connections == 1:
                        by_single[(name, server.name)] = result
                    rows.append((name, counts[server.name], connections, server.name, result))
                    print(f"  {name:16} c={connections} {server.name:16} {result['rps']:9.1f} req/s", file=sys.stderr)
    finally:
        for server in servers:
            server.stop()
    runaway = runaway_scenario(args.seconds * 2, QUERIES["design card"])
    print(
        f"\nEndpoint benchmark — {triples} triples (release {manifest['id']}), {os.cpu_count()} CPUs, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, pyoxigraph {ox.__version__}, "
        f"wrk -t1, {args.seconds} s per cell\n"
    )
    print("| query | rows | conc. | server | req/s | p50 ms | p99 ms | vs rdflib-endpoint | vs oxigraph serve |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    by_key = {(q, c, s): r for q, _, c, s, r in rows}
    for query, count, connections, server, result in rows:
        rdflib_result = by_key[(query, connections, "rdflib-endpoint")]
        rdflib_rps = rdflib_result["rps"] if not rdflib_result.get("skipped") else 1000 / rdflib_result["p50"]
        ratio_rdflib = ratio(result["rps"], rdflib_rps, ".1f")
        ratio_oxigraph = ratio(result["rps"], by_key[(query, connections, "oxigraph serve")]["rps"], ".2f")
        if result.get("skipped"):
            print(
                f"| {query} | {count} | {connections} | {server} | not run (one request: {result['p50'] / 1000:.0f} s) | | | | |"
            )
            continue
        print(
            f"| {query} | {count} | {connections} | {server} | {result['rps']:.1f} | {result['p50']:.2f} | {result['p99']:.2f} "
            f"| {ratio_rdflib} | {ratio_oxigraph} |"
        )
    print(
        f"\nDesign card query on kg serve (no cache) while runaway queries are stopped (1 s timeout, {runaway['runaways stopped']} "
        f"stopped during the run): {runaway['rps']:.0f} req/s, p50 {runaway['p50']:.2f} ms, p99 {runaway['p99']:.2f} ms, "
        f"{runaway['errors']} errors."
    )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import report  # writes docs/benchmarks/endpoint.md from what main prints

    with report.page("endpoint", "Endpoint benchmark: kg serve, oxigraph serve and rdflib-endpoint"):
        main()
