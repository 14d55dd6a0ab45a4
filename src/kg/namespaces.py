"""The IRIs of the public contract, and every other vocabulary the code names, in one place.

Each namespace is a plain string (``MEA + "Activity"``, ``f"PREFIX mea: <{MEA}>"``) that also makes its terms
in the two libraries' forms: ``MEA.node("Activity")`` (pyoxigraph) and ``MEA.rdflib.Activity`` (rdflib).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyoxigraph import NamedNode

if TYPE_CHECKING:
    import rdflib


class Namespace(str):
    """A namespace IRI."""

    __slots__ = ()

    def node(self, local: str) -> NamedNode:
        """The term ``local`` of this namespace as a pyoxigraph node."""
        return NamedNode(self + local)

    @property
    def rdflib(self) -> rdflib.Namespace:
        """This namespace for rdflib (imported here: most importers of this module never need rdflib)."""
        import rdflib

        return rdflib.Namespace(str(self))


MEA = Namespace("https://w3id.org/mea-kg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/mea-kg/ontology"
ID = Namespace("https://w3id.org/mea-kg/id/")
GRAPH = Namespace("https://w3id.org/mea-kg/graph/")
SERVICE = Namespace("https://w3id.org/mea-kg/service#")
"""Terms of the Service Description that SPARQL-SD has no word for (time limit, row cap, …)."""

DWC = Namespace("http://rs.tdwg.org/dwc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")

RDF_TYPE = RDF.node("type")
RDFS_LABEL = RDFS.node("label")

PREFIXES: dict[str, str] = {
    "mea": MEA,
    "id": ID,
    "dwc": DWC,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}

ONTOLOGY_GRAPH = NamedNode(GRAPH + "ontology")
INFERRED_GRAPH = NamedNode(GRAPH + "inferred")


def source_graph(stem: str) -> NamedNode:
    """The named graph holding the transcription file ``data/turtle/<stem>.ttl``."""
    return NamedNode(GRAPH + stem)


def sparql_prologue() -> str:
    """PREFIX declarations for every prefix above."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


PREDECLARED_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "dct": DCTERMS,
    "dc": "http://purl.org/dc/elements/1.1/",
    "sh": SH,
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "geof": "http://www.opengis.net/def/function/geosparql/",
}
"""Prefixes every query may use without declaring them (``/sparql``, updates, ``kg query``, canned queries),
as the Wikidata Query Service and Virtuoso predeclare theirs; a query's own ``PREFIX`` wins."""

SEARCH_SERVICE = "https://w3id.org/mea-kg/search"
"""The search as a SPARQL ``SERVICE``: answered by the service itself (kg.search.sparql), never fetched."""
