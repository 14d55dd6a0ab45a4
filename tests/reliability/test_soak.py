"""Load and soak, bounded: 2,000 mixed requests at concurrency 32 with 5 % runaway queries against `kg serve`
(bench/soak.py runs the full 20,000 and writes its table to docs/benchmarks/soak.md)."""

from __future__ import annotations

from support.soak import soak
from tests.reliability.conftest import QUERY_TIMEOUT_S


def test_runaways_are_cut_and_light_traffic_keeps_its_pace_and_memory(served):
    base, process = served
    result = soak(
        base, process.pid, requests=2_000, concurrency=32, runaway_share=0.05, timeout_s=QUERY_TIMEOUT_S, seed=7
    )
    assert result.requests == 2_000 and result.unexpected == [], result.unexpected[:10]
    assert result.runaways > 60 and result.runaways_cut == result.runaways
    assert (
        result.adhoc_shed <= result.adhoc * 0.1
    )  # ad-hoc queries may be shed while runaways hold their workers, rarely
    # light traffic keeps its pace: the median request does not queue behind runaways (bound relative to the idle
    # baseline measured just before, with a wide margin for a shared machine), and none waits out many runaways
    idle, loaded = result.light_idle_ms, result.light_load_ms
    assert loaded["p50"] <= 5 * idle["p50"] + 50, (idle, loaded)
    assert loaded["p99"] <= 10 * QUERY_TIMEOUT_S * 1000, (idle, loaded)
    assert result.memory_end_mb <= result.memory_start_mb * 1.25 + 20, (result.memory_start_mb, result.memory_end_mb)
    assert process.poll() is None
