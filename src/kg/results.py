"""SPARQL SELECT results written row by row, so a row cap can stop them cleanly.

JSON, XML, CSV and TSV as the W3C SPARQL 1.1 result format recommendations define them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .formats import Format
from .namespaces import RDF, XSD

XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]


def write_solutions(variables: Sequence[str], rows: Iterable[Row], fmt: Format) -> bytes:
    """Serialise solutions (one tuple of terms per row, None for unbound) in a results format."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"{fmt.value} is not a SPARQL results format")
    return writer(variables, rows)


def _json(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    return json.dumps(
        {"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
    out.writelines(f"<variable name={quoteattr(v)}/>" for v in variables)
    out.write("</head><results>")
    for row in rows:
        out.write("<result>")
        out.writelines(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(variables, row, strict=True)
            if t is not None
        )
        out.write("</result>")
    out.write("</results></sparql>\n")
    return out.getvalue().encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_text(term.value)}</literal>"
        return f"<literal>{_text(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


_EDGE_SPACE = re.compile(r"^[ \t\r\n]+|[ \t\r\n]+$|\r")


def _text(value: str) -> str:
    """``value`` as XML character data. White space at either end, and any carriage return, as character
    references: parsers drop or normalise them in plain text (pyoxigraph's trims it), as pyoxigraph writes them."""
    return _EDGE_SPACE.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group()), escape(value))


def _csv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if t is None else _csv_value(t) for t in row])
    return out.getvalue().encode()


def _csv_value(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


_WRITERS = {Format.JSON: _json, Format.XML: _xml, Format.CSV: _csv, Format.TSV: _tsv}
