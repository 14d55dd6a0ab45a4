"""kg.namespaces: the vocabularies in one place, as strings and as pyoxigraph and rdflib terms."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg import namespaces
from kg.namespaces import MEA, RDF_TYPE, SH, Namespace

SOURCES = Path(namespaces.__file__).parent
ALLOWED = {
    "api/routes/ui.py": 1,  # the entry page's example query, shown to users as self-contained text
    "owl.py": 5,  # the query HermiT reads (to move here with the other changes to kg.owl)
}
"""Files still spelling a namespace IRI out, and how often."""


def test_a_namespace_is_a_string_that_makes_terms_for_both_libraries():
    assert MEA + "Activity" == "https://w3id.org/mea-kg/ontology#Activity"
    assert f"<{MEA}>" == "<https://w3id.org/mea-kg/ontology#>"
    assert MEA.node("Activity") == ox.NamedNode("https://w3id.org/mea-kg/ontology#Activity")
    assert SH.rdflib.ValidationResult == rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationResult")
    assert RDF_TYPE.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert pickle.loads(pickle.dumps(MEA)) == MEA and repr(MEA) == repr(str(MEA))


def test_no_module_spells_a_namespace_out():
    iris = [value for value in vars(namespaces).values() if isinstance(value, Namespace)]
    found = {}
    for path in SOURCES.rglob("*.py"):
        if path.name == "namespaces.py":
            continue
        text = path.read_text(encoding="utf-8")
        count = sum(text.count(iri) for iri in iris)
        if count:
            found[path.relative_to(SOURCES).as_posix()] = count
    assert found == ALLOWED
