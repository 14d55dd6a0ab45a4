"""Load and soak: many mixed requests at high concurrency against `kg serve`, with a share of runaway queries.

Light requests are what crawlers and clients send most — canned queries, resource pages (HTML and Turtle),
VoID, the sitemap, the catalogue, the InforMEA feed — and each must answer 200. Small ad-hoc SELECTs must
answer 200, or 503 with a message when the workers open to ad-hoc queries are all held by runaways (load
shed, counted). Runaway queries (a three-way cross product of the graph) must each be cut with a 503. The
light mix is first sent alone at the same concurrency, twice (the second pass is the idle baseline, caches
warm), then with the runaways among it. Reported: requests served, status counts, unexpected answers, light
p50/p99 idle and under load, the slowest runaway, and the service's memory (PSS of `kg serve` and its
workers) at the start and the end. Loopback only.

    python bench/soak.py                                  # 20,000 requests, concurrency 32, 5 % runaway
    python bench/soak.py --requests 2000 --concurrency 8  # a quick run

Writes ``bench/results/soak.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kg import store
from kg.config import Settings
from tests import live

RESULTS = Path(__file__).resolve().parent / "results"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {}"
SMALL = (
    "PREFIX mea: <https://w3id.org/mea-kg/ontology#> SELECT ?a ?code WHERE {{ ?a a mea:Activity ; mea:code ?code }} "
    "LIMIT {}"
)
RESOURCES = [
    "activity/jwp/B5",
    "activity/cami/2.3.1",
    "taxon/uncia-uncia",
    "actor/cms-secretariat",
    "country/MN",
    "convention/cites",
    "programme/cami",
    "document/cms-resolution-11.24",
]


@dataclass
class Soak:
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    light_idle_ms: dict[str, float] = field(default_factory=dict)
    light_load_ms: dict[str, float] = field(default_factory=dict)
    runaways: int = 0
    runaways_cut: int = 0
    adhoc: int = 0
    adhoc_shed: int = 0
    slowest_runaway_s: float = 0.0
    memory_start_mb: float = 0.0
    memory_end_mb: float = 0.0
    seconds: float = 0.0


def light_request(rng: random.Random) -> tuple[str, str, dict, dict]:
    """One light request: (method, path, params, headers)."""
    kind = rng.randrange(5)
    if kind == 0:
        name = rng.choice(
            [
                "activities-by-listing",
                "activities-by-actor",
                "activities-by-taxon",
                "programme-synergies",
                "taxa-listed-by-both",
                "unconfirmed-responsibilities",
                "listings-as-of",
            ]
        )
        return "GET", f"/queries/{name}", {}, {}
    if kind == 1:
        return "GET", f"/id/{rng.choice(RESOURCES)}", {}, {"Accept": "text/html"}
    if kind == 2:
        return "GET", f"/id/{rng.choice(RESOURCES)}", {}, {"Accept": "text/turtle"}
    if kind == 3:
        return "GET", rng.choice(["/.well-known/void", "/queries", "/sitemap.xml"]), {}, {}
    return "GET", "/informea/Documents", {"$top": "5", "$format": "json"}, {}


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50": pick(0.5), "p99": pick(0.99), "max": ordered[-1] * 1000} if ordered else {}


async def _drive(
    base: str, plan: list[str], *, concurrency: int, timeout_s: float, seed: int, result: Soak
) -> list[float]:
    """Send ``plan`` ("light" or "runaway" per request) with ``concurrency`` clients; the light latencies."""
    rng, light, queue = random.Random(seed), [], list(reversed(plan))

    async def client(http: httpx.AsyncClient) -> None:
        while queue:
            kind = queue.pop()
            headers: dict[str, str]
            if kind == "runaway":
                method, path, params, headers = "POST", "/sparql", {}, {}
                data = {"query": RUNAWAY.format(rng.random())}
            elif kind == "adhoc":
                (method, path, params, headers), data = (
                    ("GET", "/sparql", {"query": SMALL.format(rng.randint(1, 50))}, {}),
                    None,
                )
            else:
                (method, path, params, headers), data = light_request(rng), None
            start = time.perf_counter()
            try:
                response = await http.request(method, path, params=params, headers=headers, data=data)
                status = str(response.status_code)
            except httpx.HTTPError as err:
                status = type(err).__name__
            took = time.perf_counter() - start
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if kind == "runaway":
                result.runaways += 1
                result.slowest_runaway_s = max(result.slowest_runaway_s, took)
                if status == "503":
                    result.runaways_cut += 1
                else:
                    result.unexpected.append(f"runaway answered {status}")
            elif kind == "adhoc":
                result.adhoc += 1
                if status == "503":
                    result.adhoc_shed += 1
                elif status != "200":
                    result.unexpected.append(f"ad-hoc query answered {status}")
            elif status != "200":
                result.unexpected.append(f"{method} {path} {params} answered {status}")
            else:
                light.append(took)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s * 10 + 30, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    return light


def soak(
    base: str, pid: int, *, requests: int, concurrency: int, runaway_share: float, timeout_s: float, seed: int = 0
) -> Soak:
    """Run the idle baseline (the light mix alone, a tenth of ``requests``) and then the soak itself."""
    result = Soak()
    result.memory_start_mb = live.memory_mb(pid)
    rng = random.Random(seed)
    idle_plan = ["adhoc" if rng.random() < 0.15 else "light" for _ in range(max(300, requests // 10))]
    for _ in range(2):  # the first pass fills the caches; the second is the idle baseline
        baseline = Soak()
        idle = asyncio.run(
            _drive(base, idle_plan, concurrency=concurrency, timeout_s=timeout_s, seed=seed, result=baseline)
        )
    result.unexpected += baseline.unexpected
    result.light_idle_ms = _percentiles(idle)
    plan = [
        "runaway" if rng.random() < runaway_share else "adhoc" if rng.random() < 0.15 else "light"
        for _ in range(requests)
    ]
    start = time.perf_counter()
    loaded = asyncio.run(_drive(base, plan, concurrency=concurrency, timeout_s=timeout_s, seed=seed + 1, result=result))
    result.seconds = time.perf_counter() - start
    result.light_load_ms = _percentiles(loaded)
    result.memory_end_mb = live.memory_mb(pid)
    return result


def table(result: Soak, *, concurrency: int, timeout_s: float) -> str:
    rows = [
        ("requests served", f"{result.requests:,} in {result.seconds:.0f} s at concurrency {concurrency}"),
        ("statuses", ", ".join(f"{k}: {v:,}" for k, v in sorted(result.statuses.items()))),
        ("unexpected answers", str(len(result.unexpected))),
        ("ad-hoc small queries shed with 503 (workers held by runaways)", f"{result.adhoc_shed:,} of {result.adhoc:,}"),
        (
            "runaway queries cut at the timeout",
            f"{result.runaways_cut:,} of {result.runaways:,} (timeout {timeout_s:g} s, "
            f"slowest answer {result.slowest_runaway_s:.2f} s)",
        ),
        ("light requests p50 / p99, idle", f"{result.light_idle_ms['p50']:.1f} / {result.light_idle_ms['p99']:.1f} ms"),
        (
            "light requests p50 / p99, under load",
            f"{result.light_load_ms['p50']:.1f} / {result.light_load_ms['p99']:.1f} ms "
            f"({result.light_load_ms['p99'] / result.light_idle_ms['p99']:.2f}× idle p99)",
        ),
        ("memory (PSS) start → end", f"{result.memory_start_mb:.0f} → {result.memory_end_mb:.0f} MB"),
    ]
    return "\n".join(["| measure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--runaway-share", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=1.0, help="the service's query timeout, seconds")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = Settings()
    if store.current_release(settings.store_dir) is None:
        sys.exit(f"no built store in {settings.store_dir}: run `kg build` first")
    with live.serve_process(
        settings.store_dir, "--workers", str(args.workers), "--query-timeout", str(args.timeout)
    ) as (base, process):
        result = soak(
            base,
            process.pid,
            requests=args.requests,
            concurrency=args.concurrency,
            runaway_share=args.runaway_share,
            timeout_s=args.timeout,
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(asdict(result), indent=1))
    print(table(result, concurrency=args.concurrency, timeout_s=args.timeout))
    for line in result.unexpected[:20]:
        print("unexpected:", line, file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import report  # writes docs/benchmarks/soak.md from what main prints

    with report.page("soak", "Load and soak"):
        main()
