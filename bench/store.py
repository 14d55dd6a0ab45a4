"""Store benchmark: why `kg` serves from an in-memory store loaded from the release's N-Quads.

Prints load time, disk size and the median query latency of every canned query for (a) an in-memory
pyoxigraph Store bulk-loaded from the release and (b) an on-disk (RocksDB) pyoxigraph Store holding
the same quads. Run from the repository: `python bench/store.py`.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import report
from kg import build, catalogue, store
from kg.config import Settings

REPEAT = 30


def timed(function, repeat: int = 1) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    settings = Settings()
    if store.current_release(settings.store_dir) is None:
        build.build(settings)
    release = store.current_release(settings.store_dir)
    if release is None:
        raise SystemExit(f"error: no release in {settings.store_dir} after the build")
    dataset = release / store.DATASET
    workdir = Path(tempfile.mkdtemp(prefix="kg-store-bench-"))
    try:
        memory = ox.Store()
        load_memory = timed(lambda: memory.bulk_load(path=dataset, format=ox.RdfFormat.N_QUADS))
        disk = ox.Store(str(workdir / "rocksdb"))

        def load_onto_disk() -> None:
            disk.bulk_load(path=dataset, format=ox.RdfFormat.N_QUADS)
            disk.flush()

        load_disk = timed(load_onto_disk)
        print(f"\nStore benchmark — {len(memory)} quads, release {release.name}, median of {REPEAT} runs\n")
        print("| | in memory | on disk (RocksDB) |\n|---|---:|---:|")
        print(f"| load | {load_memory * 1000:.1f} ms | {load_disk * 1000:.1f} ms |")
        print(f"| size | {dataset.stat().st_size / 1e6:.1f} MB N-Quads | {du(workdir / 'rocksdb') / 1e6:.1f} MB |")
        ratios = []
        for name, query in catalogue.load(settings.queries_dir).items():
            substitutions = {ox.Variable(k): v for k, v in query.bindings({}).items()} or None

            def run(s: ox.Store, text: str = query.text, subs: dict | None = substitutions) -> list:
                solutions = s.query(text, use_default_graph_as_union=True, substitutions=subs)
                assert isinstance(solutions, ox.QuerySolutions), "every canned query is a SELECT"
                return list(solutions)

            in_memory = timed(lambda run=run: run(memory), REPEAT)
            on_disk = timed(lambda run=run: run(disk), REPEAT)
            ratios.append(on_disk / in_memory)
            print(f"| {name} | {in_memory * 1000:.2f} ms | {on_disk * 1000:.2f} ms |")
        median = statistics.median(ratios)
        print(f"\nOn-disk queries take {median:.1f}× as long as in-memory ones (median over the canned queries).")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    with report.page("store", "Store benchmark: in memory against on disk"):
        main()
