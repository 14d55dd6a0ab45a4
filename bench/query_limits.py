"""Where pyoxigraph's stack overflows: the measurement behind ``query_max_depth`` and ``query_max_patterns``.

Each shape of query is built at size N and evaluated in a fresh process, on a thread of its own as a query
worker evaluates (:func:`kg.workers._on_own_arena`), on a one-triple store. A process killed by a signal is
a stack overflow ("dies"); one still running at ``--timeout`` is only slow. Run from the repository:
``python bench/query_limits.py braces 2100 2200`` (shapes: ``python bench/query_limits.py --help``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time

import pyoxigraph as ox

SHAPES = {
    "braces": lambda n: "SELECT * WHERE " + "{ " * n + "?s ?p ?o" + " }" * n,
    "parentheses": lambda n: "SELECT * WHERE { BIND(" + "(" * n + "1" + ")" * n + " AS ?x) }",
    "blank-nodes": lambda n: "SELECT * WHERE { ?s <u:p> " + "[ <u:p> " * n + "1" + " ]" * n + " }",
    "group": lambda n: "SELECT * WHERE { " + " ".join(f"?s{i} <u:p> ?o{i} ." for i in range(n)) + " }",
    "one-subject": lambda n: "SELECT * WHERE { " + " ".join(f"?s <u:p{i}> ?o{i} ." for i in range(n)) + " }",
    "object-list": lambda n: "SELECT * WHERE { ?s <u:p> " + ", ".join(f"?o{i}" for i in range(n)) + " }",
    "union": lambda n: "SELECT * WHERE { " + " UNION ".join("{ ?s <u:p> ?o }" for _ in range(n)) + " }",
    "insert-data": lambda n: "INSERT DATA { " + " ".join(f"<u:s{i}> <u:p> {i} ." for i in range(n)) + " }",
}


def evaluate(shape: str, size: int) -> None:
    """Evaluate one query of ``shape`` and ``size`` on a thread (the child process's job)."""
    text = SHAPES[shape](size)
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("u:a"), ox.NamedNode("u:p"), ox.Literal("1")))

    def run() -> None:
        if shape == "insert-data":
            store.update(text)
        else:
            result = store.query(text, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                list(result)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def probe(shape: str, size: int, timeout: float) -> tuple[str, float]:
    """("survives" | "dies (signal N)" | "slow", seconds) for one query in a fresh process."""
    started = time.monotonic()
    command = [sys.executable, __file__, "--child", shape, str(size)]
    try:
        code = subprocess.run(command, timeout=timeout, capture_output=True, check=False).returncode
    except subprocess.TimeoutExpired:
        return "slow", time.monotonic() - started
    outcome = "survives" if code == 0 else f"dies (signal {-code})" if code < 0 else f"fails (exit {code})"
    return outcome, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a query counts as slow")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        evaluate(args.shape, args.sizes[0])
        return
    print("| shape | size | outcome | seconds |\n|---|---|---|---|")
    for size in args.sizes:
        outcome, seconds = probe(args.shape, size, args.timeout)
        print(f"| {args.shape} | {size:,} | {outcome} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
