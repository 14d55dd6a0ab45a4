"""ODK-style quality control: every queries/qc/*-violation.rq returns no rows on the real data."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest

from kg import store
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


def test_absolute_path_violation_finds_local_paths_in_any_term_and_nothing_else():
    store, ex = ox.Store(), "http://example.org/"
    values = {
        "seed-path": ox.Literal("/work/shared/seeds/003_7ccfd4c154610a25.txt"),
        "in-text": ox.Literal("transcribed from /home/ana/seeds/000_4569078506374d09.txt"),
        "file-iri": ox.NamedNode("file:///srv/kg/data/turtle/jwp.ttl"),
        "windows": ox.Literal("C:\\Users\\ana\\seed.txt"),
        "seed-name": ox.Literal("003_7ccfd4c154610a25.txt"),
        "web-path": ox.NamedNode("https://example.org/var/home/x"),
        "slashes": ox.Literal("Haute / Moyenne, 2014/2020"),
    }
    for name, value in values.items():
        store.add(ox.Quad(ox.NamedNode(ex + name), ox.NamedNode(ex + "p"), value))
    store.add(ox.Quad(ox.NamedNode("file:///tmp/x.ttl#a"), ox.NamedNode(ex + "p"), ox.NamedNode(ex + "o")))
    text = (PROJECT_DIR / "queries" / "qc" / "absolute-path-violation.rq").read_text(encoding="utf-8")
    found = {row["resource"].value.removeprefix(ex) for row in store.query(text)}
    assert found == {"seed-path", "in-text", "file-iri", "windows", "file:///tmp/x.ttl#a"}


def test_the_release_names_no_local_path(settings, built):
    """The manifest, the dumps and the generated documents name sources relative to the project (seeds by their
    file name), never where the checkout, the seeds or the store lie on this disk."""
    release = store.current_release(settings.store_dir)
    local = [str(PROJECT_DIR), str(PROJECT_DIR.parent / "shared"), str(settings.store_dir), "file:/"]
    for path in sorted(p for p in release.iterdir() if p.is_file()):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        assert not [place for place in local if place.encode() in data], path.name


def _heading_place_violations(*quads: tuple[str, str, str, str]) -> list[str]:
    mea, idp, graphs = (
        "https://w3id.org/mea-kg/ontology#",
        "https://w3id.org/mea-kg/id/",
        "https://w3id.org/mea-kg/graph/",
    )
    store = ox.Store()
    for subject, predicate, obj, graph in quads:
        store.add(
            ox.Quad(
                ox.NamedNode(idp + subject),
                ox.NamedNode(mea + predicate),
                ox.NamedNode(idp + obj),
                ox.NamedNode(graphs + graph),
            )
        )
    text = (PROJECT_DIR / "queries" / "qc" / "heading-place-violation.rq").read_text(encoding="utf-8")
    return [row["problem"].value for row in store.query(text, use_default_graph_as_union=True)]


def test_heading_place_violation_finds_a_place_both_named_and_inherited_and_a_transcribed_inherited_one():
    assert (
        _heading_place_violations(
            ("activity/cami/2.3.1", "concernsCountry", "country/IR", "cami-objective-2"),
            ("activity/cami/2.3.1", "headingCountry", "country/AF", "inferred"),
        )
        == []
    )
    assert _heading_place_violations(
        ("activity/cami/2.3.1", "concernsCountry", "country/IR", "cami-objective-2"),
        ("activity/cami/2.3.1", "headingCountry", "country/IR", "inferred"),
    ) == ["named by the activity and inherited from its heading"]
    assert _heading_place_violations(
        ("activity/cami/2.3.6", "headingLandscape", "landscape/ustyurt", "cami-objective-2"),
    ) == ["a place from its heading is derived from the heading, not transcribed"]
