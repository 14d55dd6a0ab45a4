"""InforMEA feed benchmark: how long a harvester waits for each entity set of `/informea/`.

Starts `kg serve` on a free loopback port over the current release (built first if there is none) and,
for each top-level entity set with every navigation expanded, measures the first request after start
(the mapping queries run; JSON is asked first) and the median of repeated requests with a different `$skip=0&$top=N`
each time (mapped entities cached per store version, the answer itself not cached), in JSON and Atom;
then the median of the very requests the public InforMEA harvesters make (the clients that
tests/api/routes/test_informea_clients.py replays).
Run from the repository: `python bench/informea.py` (needs `requests`, in the `dev` extra).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import report
from kg import build, store
from kg.config import Settings
from kg.informea.model import MODEL

REPEAT = 30
CLIENT_REQUESTS = {  # a harvester's request: its entity set and options, as its public code writes them
    "ecolex importer (cop_decision.py)": (
        "Decisions",
        "$top=20&$skip=0&$format=json&$expand=title,longTitle,keywords,content,files,summary"
        "&$filter=updated gt datetime'2000-01-01T00:00:00'&$orderby=updated asc",
    ),
    "legal-sources scraper (bootstrap.py)": (
        "Decisions",
        "$top=500&$skip=0&$expand=content,title,summary,keywords&$format=json&$orderby=updated desc",
    ),
    "tideline scraper (scraper-informea.ts)": (
        "Decisions",
        "$filter=treaty eq 'cms'&$expand=title,files&$top=100&$skip=0&$format=json",
    ),
    "documents adapter (unep-informea)": (
        "Documents",
        "$format=json&$expand=title,files,types,treaties&$orderby=updated desc&$skip=0&$top=50",
    ),
    "PHP treaties reader (Atom)": ("Treaties", ""),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def get_ms(url: str, params: dict | str) -> tuple[float, int, int]:
    start = time.perf_counter()
    response = requests.get(url, params=params, timeout=60)
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    return elapsed, len(response.content), response.content.count(b"informea.")


def main() -> None:
    settings = Settings.model_validate({})
    if store.current_release(settings.store_dir) is None:
        build.build(settings)
    port = free_port()
    base = f"http://127.0.0.1:{port}/informea/"
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, process)
        print(f"| entity set | format | entities (+ records) | bytes | first request ms | median ms (n={REPEAT}) |")
        print("|---|---|---:|---:|---:|---:|")
        for entity_type in (t for t in MODEL.types if t.mapping):
            expand = ",".join(n.name for n in entity_type.navigations)
            for fmt in ("json", "atom"):
                params = {"$format": fmt, "$expand": expand}
                first, size, objects = get_ms(base + entity_type.entity_set, params)
                samples = [
                    get_ms(base + entity_type.entity_set, {**params, "$skip": "0", "$top": str(1000 + i)})[0]
                    for i in range(REPEAT)
                ]
                shown = f"{first:.1f}" if fmt == "json" else "(mapped already)"
                median = statistics.median(samples)
                print(f"| {entity_type.entity_set} | {fmt} | {objects} | {size:,} | {shown} | {median:.1f} |")
        print(f"\n| client request | entity set | entities (+ records) | bytes | median ms (n={REPEAT}) |")
        print("|---|---|---:|---:|---:|")
        for client, (entity_set, query) in CLIENT_REQUESTS.items():
            runs = [get_ms(base + entity_set, query) for _ in range(REPEAT)]
            median = statistics.median(ms for ms, _, _ in runs)
            print(f"| {client} | {entity_set} | {runs[0][2]} | {runs[0][1]:,} | {median:.1f} |")
    finally:
        process.terminate()
        process.wait(timeout=15)


if __name__ == "__main__":
    with report.page("informea", "InforMEA feed benchmark"):
        main()
