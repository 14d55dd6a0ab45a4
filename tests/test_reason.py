"""Reasoning: the SPARQL rules infer exactly what HermiT classifies, and HermiT's verdict fails a build."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import owl, reason
from kg.namespaces import INFERRED_GRAPH, MEA

from .conftest import PREFIXES


@pytest.fixture(scope="module")
def hermit(graph) -> dict[str, set[str]]:
    return owl.classify(graph)


def test_there_are_defined_classes(hermit):
    assert {
        MEA + "CitesAppendixITaxon",
        MEA + "ActivityTouchingCitesAppendixITaxon",
        MEA + "TaxonListedByBothConventions",
        MEA + "ActivityWithUnconfirmedActor",
    } <= set(hermit)


def test_rules_infer_exactly_what_hermit_classifies(graph, hermit):
    for class_iri, members in hermit.items():
        inferred = {
            row["x"].value
            for row in graph.query(f"SELECT ?x WHERE {{ ?x a <{class_iri}> }}", use_default_graph_as_union=True)
        }
        assert inferred == members, class_iri
    assert len(hermit[MEA + "ActivityWithUnconfirmedActor"]) == 6
    assert len(hermit[MEA + "ActivityTouchingCitesAppendixITaxon"]) == 34


def test_inferences_live_in_their_own_graph(graph):
    asserted = graph.query(
        PREFIXES + f"ASK {{ GRAPH ?g {{ ?a mea:touchesTaxon ?t }} FILTER(?g != <{INFERRED_GRAPH.value}>) }}"
    )
    assert not asserted
    b17 = "<https://w3id.org/mea-kg/id/activity/jwp/B17>"
    assert graph.query(PREFIXES + f"ASK {{ GRAPH <{INFERRED_GRAPH.value}> {{ {b17} mea:touchesTaxon ?t }} }}")


def test_rules_are_fast(graph):
    copy = ox.Store()
    copy.extend(q for q in graph if q.graph_name != INFERRED_GRAPH)
    assert reason.materialise(copy) > 1000


def test_hermit_finds_an_inconsistency_and_names_the_graph(graph):
    broken = ox.Store()
    broken.extend(q for q in graph if q.graph_name != INFERRED_GRAPH)
    culprit = ox.NamedNode("https://w3id.org/mea-kg/graph/culprit")
    # an activity that cross-references a country: refersTo's range makes the country an activity, sub-item or issue
    broken.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/mea-kg/id/activity/jwp/B5"),
            ox.NamedNode(MEA + "refersTo"),
            ox.NamedNode("https://w3id.org/mea-kg/id/country/KZ"),
            culprit,
        )
    )
    with pytest.raises(owl.Inconsistent, match="graph/culprit"):
        owl.check(broken)
