"""The IRIs of the public contract, in one place."""

from pyoxigraph import NamedNode

MEA = "https://w3id.org/mea-kg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/mea-kg/ontology"
ID = "https://w3id.org/mea-kg/id/"
GRAPH = "https://w3id.org/mea-kg/graph/"

DWC = "http://rs.tdwg.org/dwc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"

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
