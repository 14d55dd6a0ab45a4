"""The ontology: OWL 2 metadata and, for every term, labels (en, fr), a comment, a domain and a range."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg.config import PROJECT_DIR
from kg.namespaces import MEA, ONTOLOGY_IRI

ONTOLOGY = rdflib.Graph().parse(PROJECT_DIR / "ontology" / "mea.ttl")
TERMS = sorted(s for s in ONTOLOGY.subjects(RDF.type, None) if isinstance(s, rdflib.URIRef) and str(s).startswith(MEA))
PROPERTIES = [
    t for t in TERMS if (t, RDF.type, OWL.ObjectProperty) in ONTOLOGY or (t, RDF.type, OWL.DatatypeProperty) in ONTOLOGY
]


def test_ontology_metadata():
    onto = rdflib.URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in ONTOLOGY
    for prop in (OWL.versionIRI, DCTERMS.license, DCTERMS.creator, DCTERMS.created, DCTERMS.modified):
        assert ONTOLOGY.value(onto, prop) is not None, prop


def test_contract_terms_exist():
    contract = [
        "Convention",
        "Appendix",
        "Listing",
        "Taxon",
        "Species",
        "Activity",
        "Actor",
        "Landscape",
        "Country",
        "acronym",
        "convention",
        "appendixNumber",
        "listedIn",
        "parentTaxon",
        "code",
        "targetsTaxon",
        "responsible",
        "priority",
        "inLandscape",
        "country",
        "isoCode",
    ]
    assert {rdflib.URIRef(MEA + t) for t in contract} <= set(TERMS)
    assert (rdflib.URIRef(MEA + "Species"), RDFS.subClassOf, rdflib.URIRef(MEA + "Taxon")) in ONTOLOGY


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.removeprefix(MEA))
def test_every_term_is_documented_in_both_languages(term):
    labels = {label.language for label in ONTOLOGY.objects(term, RDFS.label)}
    comments = {c.language for c in ONTOLOGY.objects(term, RDFS.comment)}
    assert labels == {"en", "fr"} and comments == {"en", "fr"}


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda t: t.removeprefix(MEA))
def test_every_property_has_domain_and_range(prop):
    assert ONTOLOGY.value(prop, RDFS.domain) is not None
    assert ONTOLOGY.value(prop, RDFS.range) is not None
