"""Validation of a loaded dataset: SHACL shapes (pyshacl) and QC queries. Returns findings; never prints."""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from .errors import Finding
from .namespaces import PREFIXES, SH
from .typed_query import construct, select

# A literal whose lexical form does not fit its datatype is a SHACL finding with its resource; rdflib's own
# warning (a traceback on stderr) would only repeat it.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

_SH = rdflib.Namespace(SH)


def to_rdflib(store: ox.Store) -> rdflib.Graph:
    """The union of all graphs of ``store`` as one rdflib graph (for pyshacl)."""
    triples = construct(store, "CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    graph = rdflib.Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    graph.parse(data=triples.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def shacl_findings(data: rdflib.Graph, shapes_file: Path) -> list[Finding]:
    """Run the SHACL shapes of ``shapes_file`` over ``data``; one finding per violation."""
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    conforms, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    if conforms:
        return []
    findings = []
    for result in results.subjects(rdflib.RDF.type, _SH.ValidationResult):
        shape = results.value(result, _SH.sourceShape)
        path = results.value(result, _SH.resultPath)
        findings.append(
            Finding(
                rule=_shape_name(shapes, shape, results.value(result, _SH.sourceConstraintComponent)),
                focus=str(results.value(result, _SH.focusNode)),
                message=str(results.value(result, _SH.resultMessage) or "violation"),
                path=data.namespace_manager.normalizeUri(path) if isinstance(path, rdflib.URIRef) else None,
            )
        )
    return sorted(findings, key=lambda f: (f.focus, f.rule, f.path or ""))


def _shape_name(shapes: rdflib.Graph, shape: rdflib.term.Node | None, component: rdflib.term.Node | None) -> str:
    label = shapes.value(shape, _SH.name) if shape is not None else None
    name = str(label) if label is not None else None
    if name is None and isinstance(shape, rdflib.URIRef):
        name = shape.split("#")[-1].split("/")[-1]
    if name is None:  # a property shape in a blank node: name it by its node shape and path
        parent = shapes.value(None, _SH.property, shape)
        path = shapes.value(shape, _SH.path)
        parent_name = str(parent).split("#")[-1] if isinstance(parent, rdflib.URIRef) else "shape"
        path_name = shapes.namespace_manager.normalizeUri(path) if isinstance(path, rdflib.URIRef) else ""
        name = f"{parent_name} {path_name}".strip()
    kind = str(component).split("#")[-1].removesuffix("ConstraintComponent") if component else ""
    return f"{name} ({kind})" if kind else str(name)


def qc_findings(store: ox.Store, qc_dir: Path) -> list[Finding]:
    """Run every ``*-violation.rq`` in ``qc_dir``; each row is a finding (its first variable is the resource)."""
    findings = []
    for query_file in sorted(qc_dir.glob("*-violation.rq")):
        solutions = select(store, query_file.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        variables = [v.value for v in solutions.variables]
        for row in solutions:
            values = {v: row[v] for v in variables if row[v] is not None}
            focus = values.get(variables[0]) if variables else None
            detail = ", ".join(
                f"{k}={_term_text(t)}" for k, t in values.items() if k != (variables[0] if variables else None)
            )
            findings.append(
                Finding(
                    rule=query_file.stem,
                    focus=focus.value if focus is not None else "",
                    message=detail or _first_comment(query_file),
                )
            )
    return findings


def _term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def _first_comment(query_file: Path) -> str:
    for line in query_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("#+ summary:"):
            return line.split(":", 1)[1].strip()
    return "violation"


def validate(store: ox.Store, *, shapes_file: Path, qc_dir: Path) -> list[Finding]:
    """All findings of SHACL and QC over the union of the store's graphs."""
    return shacl_findings(to_rdflib(store), shapes_file) + qc_findings(store, qc_dir)
