"""What a resource's HTML page shows beyond its raw description: per-kind sections.

Each section is one SPARQL file in ``sections/*.rq`` whose ``#+`` header says which kind of resource it
is for (a class of the ontology, matched against the resource's types, inferred ones included), its
title in English and French, its columns, and whether its rows are drawn as a picture (``picture: var``:
the neighbourhood graph; ``timeline: true``: listings over time; ``fold: [var]``: long texts folded). A column
whose query gives stable tokens reads them in the page's language (``values: {var: {token: {en: …, fr: …}}}``:
the query stays plain ASCII, which every back-end reads alike). The
query sees the resource as ``?r`` and the page language as ``?lang`` (bound as RDF terms); a column ``?x``
shows ``?xLabel`` as its text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .catalogue import header
from .namespaces import ID, MEA

SECTIONS_DIR = Path(__file__).parent / "sections"
YES_NO = {"en": ("yes", "no"), "fr": ("oui", "non")}
UNCONFIRMED = {"en": "to be confirmed", "fr": "à confirmer"}
LONG = 240  # characters: a longer literal of a folded column (a citation) shows its first words, then opens


@dataclass(frozen=True)
class Section:
    name: str
    kind: str
    order: int
    title: dict[str, str]
    columns: dict[str, dict[str, str]]
    text: str
    picture: str | None = None
    timeline: bool = False
    fold: tuple[str, ...] = ()
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def bindings(self, resource: ox.NamedNode, lang: str) -> dict[str, ox.NamedNode | ox.Literal]:
        return {"r": resource, "lang": ox.Literal(lang)}

    def reproducing_query(self, resource: ox.NamedNode, lang: str) -> str:
        """The section's query as plain SPARQL for this resource (a VALUES block opening its WHERE)."""
        head, where, body = self.text.partition("WHERE {")
        lines = [line for line in head.splitlines() if not line.startswith("#+")]
        return "\n".join(lines) + f'{where}\n  VALUES (?r ?lang) {{ ({resource} "{lang}") }}{body}'

    def table(self, body: bytes, lang: str) -> dict:
        """The section's rows as cells for the page (text, link, language tag, note)."""
        rows = [
            {column: self._read(_cell(row, column, lang, column in self.fold), column, lang) for column in self.columns}
            for row in json.loads(body)["results"]["bindings"]
        ]
        return {
            "name": self.name,
            "title": self.title[lang],
            "timeline": self.timeline,
            "rows": rows,
            "columns": [(column, labels[lang]) for column, labels in self.columns.items()],
            "nodes": [row[self.picture] for row in rows] if self.picture else [],
        }

    def _read(self, cell: dict, column: str, lang: str) -> dict:
        """A cell whose text is one of the column's stable tokens, in the page's language."""
        words = self.values.get(column, {}).get(cell["text"])
        return {**cell, "text": words[lang]} if words and "href" not in cell else cell


def load(directory: Path = SECTIONS_DIR) -> list[Section]:
    """Every section, in page order; ValueError naming the file when a header is incomplete."""
    sections = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = header(text, path)
        try:
            sections.append(
                Section(
                    path.stem,
                    meta["kind"],
                    int(meta["order"]),
                    dict(meta["title"]),
                    {name: dict(labels) for name, labels in meta["columns"].items()},
                    text,
                    meta.get("picture"),
                    bool(meta.get("timeline", False)),
                    tuple(meta.get("fold", ())),
                    {
                        name: {token: dict(words) for token, words in tokens.items()}
                        for name, tokens in (meta.get("values") or {}).items()
                    },
                )
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"{path}: section header needs kind, order, title and columns ({err})") from None
    return sorted(sections, key=lambda s: (s.kind, s.order))


def for_types(sections: list[Section], types: set[str]) -> list[Section]:
    """The sections for a resource of these types (full IRIs)."""
    return [s for s in sections if MEA + s.kind in types]


def local_href(iri: str) -> str:
    """A link to an IRI: on this server for the graph's own resources (``/id/…``) and terms (``/ontology#…``)."""
    if iri.startswith(ID):
        return "/id/" + iri[len(ID) :]
    if iri.startswith(MEA):
        return "/ontology#" + iri[len(MEA) :]
    return iri


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def cell(term: dict | None, label: dict | None = None, *, fold: bool = False) -> dict:
    """One SPARQL JSON term as a page cell: a link for an IRI (with its label), text and language for a literal
    (a long one ``fold``ed behind its first words)."""
    if term is None:
        return {"text": ""}
    if term["type"] == "literal":
        text = term["value"]
        folded = fold and len(text) > LONG
        return {
            "text": text,
            "lang": term.get("xml:lang", ""),
            **({"summary": text[:LONG].rsplit(" ", 1)[0] + " …"} if folded else {}),
        }
    if term["type"] == "uri":
        return {"text": (label or {}).get("value") or local_name(term["value"]), "href": local_href(term["value"])}
    return {"text": (label or {}).get("value") or term["value"]}


def _cell(row: dict, column: str, lang: str, fold: bool) -> dict:
    term = row.get(column)
    if term and term.get("datatype", "").endswith("#boolean"):
        confirmed = term["value"] == "true"
        return {"text": YES_NO[lang][0 if confirmed else 1], **({} if confirmed else {"note": UNCONFIRMED[lang]})}
    return cell(term, row.get(column + "Label"), fold=fold)
