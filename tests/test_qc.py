"""ODK-style quality control: every queries/qc/*-violation.rq returns no rows on the real data."""

from __future__ import annotations

import pytest

from kg.config import PROJECT_DIR

QC_QUERIES = sorted((PROJECT_DIR / "queries" / "qc").glob("*-violation.rq"))


def test_there_are_qc_queries():
    assert len(QC_QUERIES) >= 5


@pytest.mark.parametrize("query_file", QC_QUERIES, ids=lambda p: p.stem)
def test_qc_query_finds_nothing(graph, query_file):
    rows = list(graph.query(query_file.read_text(encoding="utf-8"), use_default_graph_as_union=True))
    assert rows == [], f"{query_file.name}: {[str(r) for r in rows[:5]]}"
