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
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kg import store
from kg.config import Settings
from support import live
from support.soak import Soak, soak

RESULTS = Path(__file__).resolve().parent / "results"


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
