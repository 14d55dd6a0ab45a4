"""The typed query wrappers return the answer kind they name, and refuse another with a TypeError."""

import pyoxigraph as ox
import pytest

from kg.typed_query import ask, construct, select


@pytest.fixture()
def tiny() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.DefaultGraph()))
    return store


def test_each_wrapper_returns_its_kind(tiny):
    assert [row["o"].value for row in select(tiny, "SELECT ?o WHERE { ?s ?p ?o }")] == ["o"]
    assert [t.object.value for t in construct(tiny, "CONSTRUCT WHERE { ?s ?p ?o }")] == ["o"]
    assert ask(tiny, "ASK { ?s ?p 'o' }") is True
    assert ask(tiny, "ASK { ?s ?p 'x' }") is False


def test_a_query_of_another_form_is_a_type_error(tiny):
    with pytest.raises(TypeError, match=r"expected QuerySolutions.*got QueryBoolean"):
        select(tiny, "ASK {}")
    with pytest.raises(TypeError, match="expected QueryTriples"):
        construct(tiny, "SELECT * {}")
