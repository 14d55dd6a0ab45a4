"""ODK-style quality control: every queries/qc/*-violation.rq returns no rows on the real data."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.config import PROJECT_DIR

QC_QUERIES = sorted((PROJECT_DIR / "queries" / "qc").glob("*-violation.rq"))


def test_there_are_qc_queries():
    assert len(QC_QUERIES) >= 5


@pytest.mark.parametrize("query_file", QC_QUERIES, ids=lambda p: p.stem)
def test_qc_query_finds_nothing(graph, query_file):
    rows = list(graph.query(query_file.read_text(encoding="utf-8"), use_default_graph_as_union=True))
    assert rows == [], f"{query_file.name}: {[str(r) for r in rows[:5]]}"


def _programme_order_violations(*programmes: str) -> list[tuple[str, str]]:
    store = ox.Store()
    mea, idp = "https://w3id.org/mea-kg/ontology#", "https://w3id.org/mea-kg/id/"
    for name in programmes:
        activity = ox.NamedNode(f"{idp}activity/{name}/1")
        store.add(
            ox.Quad(
                activity,
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode(mea + "Activity"),
            )
        )
        store.add(ox.Quad(activity, ox.NamedNode(mea + "programme"), ox.NamedNode(f"{idp}programme/{name}")))
    text = (PROJECT_DIR / "queries" / "qc" / "programme-order-violation.rq").read_text(encoding="utf-8")
    return [
        (row["programme"].value.rsplit("/", 1)[1], row["other"].value.rsplit("/", 1)[1]) for row in store.query(text)
    ]


def test_programme_order_violation_finds_a_name_whose_iris_sort_apart():
    """'jwp' sorts before 'jwp-2', but …/activity/jwp-2/… before …/activity/jwp/… ('-' comes before '/')."""
    assert _programme_order_violations("jwp", "jwp-2", "cami") == [("jwp", "jwp-2")]


def test_programme_order_violation_allows_names_that_are_prefixes_before_letters_and_digits():
    assert _programme_order_violations("syn-p1", "syn-p10", "syn-p2", "cami", "jwp") == []
