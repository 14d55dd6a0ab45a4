"""Benchmark pages: each bench script writes its latest result as a dated page under `docs/benchmarks/`.

A page holds the title, the date and time (UTC), the machine (CPU model, cores, memory, Python and
pyoxigraph versions, load average), the exact command line and the script's own Markdown output.
Scripts wrap their printing in `page(name, title)`: what they print still goes to stdout and also
becomes the page's body.
The pages are generated, never edited by hand; the docs site (`make docs`) shows them.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

PAGES = Path(__file__).resolve().parents[1] / "docs" / "benchmarks"


def _cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what `platform` knows elsewhere."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    """Total memory from /proc/meminfo, in GiB ("unknown" where there is none)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return "unknown"


def machine() -> list[tuple[str, str]]:
    """The machine a benchmark ran on, as (what, value) rows; the load average tells how busy it was."""
    return [
        ("CPU", f"{_cpu_model()} ({platform.machine()})"),
        ("cores", str(os.cpu_count())),
        ("memory", _memory_gib()),
        ("Python", platform.python_version()),
        ("pyoxigraph", ox.__version__),
        ("load average (1, 5, 15 min) at the end", ", ".join(f"{load:.1f}" for load in os.getloadavg())),
    ]


def command_line() -> str:
    """The command that ran this script, as typed from the repository root."""
    script = Path(sys.argv[0])
    with contextlib.suppress(ValueError):
        script = script.resolve().relative_to(PAGES.parents[1])
    return shlex.join(["python", str(script), *sys.argv[1:]])


def render(title: str, body: str, *, when: float | None = None) -> str:
    """The Markdown page: title, date, machine, command, then the script's body."""
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))
    rows = "\n".join(f"| {what} | {value} |" for what, value in machine())
    return (
        f"# {title}\n\n"
        f"Run on {stamp} with `{command_line()}`. This page is written by the script: "
        "re-run the command to update it; do not edit it by hand.\n\n"
        f"| machine | |\n|---|---|\n{rows}\n\n"
        f"## Result\n\n{body.strip()}\n"
    )


def write(name: str, title: str, body: str, *, directory: Path = PAGES) -> Path:
    """Write the page `<directory>/<name>.md` (replacing the previous run's) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.md"
    path.write_text(render(title, body), encoding="utf-8")
    print(f"page written: {path}", file=sys.stderr)
    return path


class _Tee(io.StringIO):
    """A text buffer that also passes everything written to it on to another stream."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(text)
        return super().write(text)

    def flush(self) -> None:
        self._stream.flush()


@contextlib.contextmanager
def page(name: str, title: str, *, directory: Path = PAGES) -> Iterator[None]:
    """Print as usual inside the block; when it ends without an error, what was printed becomes the page."""
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield
    write(name, title, tee.getvalue(), directory=directory)
