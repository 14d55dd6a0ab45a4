"""The soak driver: many mixed requests at high concurrency against a running `kg serve`, with a share of
runaway queries; used by bench/soak.py (the full run and its table) and the bounded soak test.

See bench/soak.py for what is sent and what is measured.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import httpx

from support import live

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {}"
SMALL = (
    "PREFIX mea: <https://w3id.org/mea-kg/ontology#> "
    "SELECT ?a ?code WHERE {{ ?a a mea:Activity ; mea:code ?code }} LIMIT {}"
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
    rng, queue = random.Random(seed), list(reversed(plan))
    light: list[float] = []

    async def client(http: httpx.AsyncClient) -> None:
        while queue:
            kind = queue.pop()
            params: dict[str, str]
            headers: dict[str, str]
            data: dict[str, str] | None
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
