"""Load and soak, bounded: 2,000 mixed requests at concurrency 32 with 5 % runaway queries against `kg serve`
(bench/soak.py runs the full 20,000 and prints the table in the README)."""

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
    assert result.light_load_ms["p99"] <= 3 * result.light_idle_ms["p99"], (result.light_idle_ms, result.light_load_ms)
    assert result.memory_end_mb <= result.memory_start_mb * 1.25 + 20, (result.memory_start_mb, result.memory_end_mb)
    assert process.poll() is None
