"""kg.layers, directly: the served dataset — the built release, read-only, plus the graphs written through the
update API, saved beside the store and kept across restarts."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg import store
from kg.errors import GraphNotFound, ReadOnlyGraph, StoreCorrupt
from kg.layers import USER_GRAPHS, USER_META, ServedDataset

BUILT = "https://w3id.org/mea-kg/graph/test-built"
MINE = "http://example.org/mine"
TURTLE = "text/turtle"
ROW = ox.Quad(ox.NamedNode("urn:x:activity"), ox.NamedNode("urn:x:code"), ox.Literal("B5"), ox.NamedNode(BUILT))


@pytest.fixture()
def dirs(tmp_path):
    """A published release of one built graph: (store directory, userdata directory)."""
    release = ox.Store()
    release.add(ROW)
    store.publish(tmp_path / "store", release, {"id": "r1", "quads": 1})
    return tmp_path / "store", tmp_path / "store-userdata"


@pytest.fixture()
def dataset(dirs) -> ServedDataset:
    return ServedDataset.open(*dirs)


def triples(dataset: ServedDataset, graph: str | None) -> set[tuple[str, str, str]]:
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    return {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in dataset.store.quads_for_pattern(None, None, None, name)
    }


def test_a_fresh_dataset_is_the_release(dataset):
    assert dataset.release_id == "r1" and dataset.version == "r1.0"
    assert dataset.built_graphs == {BUILT}
    assert dataset.has_graph(BUILT) and dataset.has_graph(None) and not dataset.has_graph(MINE)


def test_an_update_to_a_new_graph_is_applied_saved_and_kept_on_reopening(dataset, dirs):
    dataset.update(f"INSERT DATA {{ GRAPH <{MINE}> {{ <urn:x:a> <urn:x:note> 'checked' }} }}")
    assert dataset.version == "r1.1"
    assert triples(dataset, MINE) == {("urn:x:a", "urn:x:note", "checked")}
    assert json.loads((dirs[1] / USER_META).read_text()) == {"version": 1}
    assert MINE in (dirs[1] / USER_GRAPHS).read_text() and BUILT not in (dirs[1] / USER_GRAPHS).read_text()
    reopened = ServedDataset.open(*dirs)
    assert reopened.version == "r1.1" and triples(reopened, MINE) == triples(dataset, MINE)
    assert triples(reopened, BUILT) == {("urn:x:activity", "urn:x:code", "B5")}


def test_an_update_may_read_the_built_graphs_but_never_change_them(dataset, dirs):
    dataset.update(f"INSERT {{ GRAPH <{MINE}> {{ ?a <urn:x:seen> true }} }} WHERE {{ GRAPH <{BUILT}> {{ ?a ?p ?o }} }}")
    assert triples(dataset, MINE) == {("urn:x:activity", "urn:x:seen", "true")}
    for change in (
        f"INSERT DATA {{ GRAPH <{BUILT}> {{ <urn:x:a> <urn:x:p> 'o' }} }}",
        f"DELETE DATA {{ GRAPH <{BUILT}> {{ <urn:x:activity> <urn:x:code> 'B5' }} }}",
        f"DROP GRAPH <{BUILT}>",
        "CLEAR ALL",
    ):
        with pytest.raises(ReadOnlyGraph, match=BUILT):
            dataset.update(change)
    assert dataset.version == "r1.1"  # nothing applied, nothing saved
    assert triples(dataset, BUILT) == {("urn:x:activity", "urn:x:code", "B5")}
    assert json.loads((dirs[1] / USER_META).read_text()) == {"version": 1}


def test_a_bad_update_changes_nothing(dataset, dirs):
    with pytest.raises(SyntaxError):
        dataset.update("INSERT DATA { this is not SPARQL }")
    assert dataset.version == "r1.0" and not dirs[1].exists()


def test_using_names_the_graph_an_update_reads(dataset):
    dataset.update(
        f"INSERT {{ GRAPH <{MINE}> {{ ?a <urn:x:seen> true }} }} WHERE {{ ?a <urn:x:code> ?c }}", using=[BUILT]
    )
    assert triples(dataset, MINE) == {("urn:x:activity", "urn:x:seen", "true")}


def test_graph_store_put_post_and_delete_on_a_written_graph(dataset):
    assert dataset.replace_graph(MINE, b"<urn:x:a> <urn:x:p> 'one' .", TURTLE) is False  # created
    assert dataset.add_to_graph(MINE, b"<urn:x:a> <urn:x:p> 'two' .", TURTLE) is True  # merged
    assert {o for _, _, o in triples(dataset, MINE)} == {"one", "two"}
    assert dataset.replace_graph(MINE, b"<urn:x:a> <urn:x:p> 'three' .", TURTLE) is True  # replaced
    assert {o for _, _, o in triples(dataset, MINE)} == {"three"}
    dataset.delete_graph(MINE)
    assert not dataset.has_graph(MINE) and dataset.version == "r1.4"
    with pytest.raises(GraphNotFound):
        dataset.delete_graph(MINE)


def test_the_default_graph_is_writable(dataset):
    dataset.replace_graph(None, b"<urn:x:a> <urn:x:p> 'default' .", TURTLE)
    assert triples(dataset, None) == {("urn:x:a", "urn:x:p", "default")}
    dataset.delete_graph(None)
    assert triples(dataset, None) == set()


def test_graph_store_writes_to_a_built_graph_are_refused(dataset):
    for write in (
        lambda: dataset.replace_graph(BUILT, b"<urn:x:a> <urn:x:p> 'o' .", TURTLE),
        lambda: dataset.add_to_graph(BUILT, b"<urn:x:a> <urn:x:p> 'o' .", TURTLE),
        lambda: dataset.delete_graph(BUILT),
    ):
        with pytest.raises(ReadOnlyGraph, match="kg build"):
            write()
    assert dataset.version == "r1.0"


def test_a_body_in_a_format_that_is_not_rdf_is_refused(dataset):
    with pytest.raises(ValueError, match="application/pdf"):
        dataset.replace_graph(MINE, b"%PDF-1.7", "application/pdf")


def test_unreadable_written_graphs_are_reported_on_opening(dataset, dirs):
    dataset.update(f"INSERT DATA {{ GRAPH <{MINE}> {{ <urn:x:a> <urn:x:p> 'o' }} }}")
    (dirs[1] / USER_GRAPHS).write_text("<urn:x:a> <urn:x:p> broken")
    with pytest.raises(StoreCorrupt, match="unreadable written graphs"):
        ServedDataset.open(*dirs)
