"""The benchmark page writer: what a bench script prints goes to stdout and into a dated page."""

from __future__ import annotations

import re
import sys

import pytest

from bench import report


def test_a_page_holds_the_title_date_machine_command_and_what_was_printed(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["bench/informea.py", "--seconds", "3"])
    with report.page("example", "Example benchmark", directory=tmp_path):
        print("| query | ms |\n|---|---:|\n| point lookup | 1.5 |")
    assert "| point lookup | 1.5 |" in capsys.readouterr().out, "the table still reaches stdout"
    page = (tmp_path / "example.md").read_text(encoding="utf-8")
    assert page.startswith("# Example benchmark\n")
    assert re.search(r"Run on \d{4}-\d\d-\d\d \d\d:\d\d UTC with `python bench/informea.py --seconds 3`", page)
    for row in ("| CPU |", "| cores |", "| memory |", "| Python |", "| pyoxigraph |", "| load average"):
        assert row in page
    assert page.endswith("| query | ms |\n|---|---:|\n| point lookup | 1.5 |\n")


def test_a_failed_run_writes_no_page(tmp_path):
    with pytest.raises(SystemExit), report.page("failed", "Failed benchmark", directory=tmp_path):
        print("half a table")
        raise SystemExit("error: wrk is not installed")
    assert not (tmp_path / "failed.md").exists()
