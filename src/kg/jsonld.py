"""The graph's JSON-LD context, generated from the ontology, and compaction of JSON-LD answers with it.

The context maps the project's prefixes and every ``mea:`` term to a short name: object properties are
typed ``@id`` (their values are IRIs), datatype properties with an XSD range carry that datatype. It is
published at ``/context.jsonld`` and embedded in the linked-data answers, so each is readable on its own.
"""

from __future__ import annotations

import json

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .namespaces import MEA, PREFIXES, SKOS


def context(ontology: rdflib.Graph) -> dict:
    """The ``@context`` object for the ontology's terms and the project's prefixes."""
    terms: dict[str, object] = dict(sorted(PREFIXES.items()))
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for term in ontology.subjects(RDF.type, kind):
            iri = str(term)
            if not iri.startswith(MEA):
                continue
            name = iri[len(MEA) :]
            ranges = [str(r) for r in ontology.objects(term, RDFS.range)]
            if kind == OWL.ObjectProperty:
                terms[name] = {"@id": f"mea:{name}", "@type": "@id"}
            elif (
                kind == OWL.DatatypeProperty
                and len(ranges) == 1
                and ranges[0].startswith(str(XSD))
                and ranges[0] != str(XSD.string)
            ):
                terms[name] = {"@id": f"mea:{name}", "@type": f"xsd:{ranges[0][len(str(XSD)) :]}"}
            else:
                terms[name] = f"mea:{name}"
    return {"@context": terms}


SCHEMA_SAME_AS = rdflib.URIRef("http://schema.org/sameAs")
SKOS_EXACT_MATCH = rdflib.URIRef(SKOS + "exactMatch")


def compact(body: bytes, context_document: dict, *, same_as: bool = False) -> bytes:
    """Re-serialise a JSON-LD answer (as the engine writes it) compacted with the context, embedded. With
    ``same_as`` (a resource's description), each ``skos:exactMatch`` to an external identifier is also given as
    ``schema:sameAs``, the term schema.org harvesters read."""
    graph = rdflib.Graph().parse(data=body, format="json-ld")
    context = context_document["@context"]
    if same_as:
        matches = list(graph.subject_objects(SKOS_EXACT_MATCH))
        for subject, target in matches:
            graph.add((subject, SCHEMA_SAME_AS, target))
        if matches:
            context = {**context, "schema": "http://schema.org/"}
    return graph.serialize(format="json-ld", context=context, auto_compact=True).encode()


def dumps(context_document: dict) -> str:
    return json.dumps(context_document, indent=2, ensure_ascii=False)
