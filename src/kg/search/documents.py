"""The search documents: every searchable resource of a built dataset with its text by field and its facets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources

import pyoxigraph as ox

from ..typed_query import select

KINDS = (
    "activity", "taxon", "country", "landscape", "site", "actor", "programme", "instrument", "paragraph", "section",
    "document",
)  # fmt: skip
"""The kinds of resource a search finds, in the order that decides a resource's kind when it has several."""
FIELDS = ("title", "body", "context", "taxa")
FACETS = ("programme", "taxon", "country")


@dataclass
class Text:
    """One text of a document: its words and their language tag ("" when untagged)."""

    value: str
    lang: str = ""


@dataclass
class Document:
    """One searchable resource."""

    iri: str
    kind: str
    code: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    fields: dict[str, list[Text]] = field(default_factory=lambda: {name: [] for name in FIELDS})
    facets: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in FACETS})
    names: list[str] = field(default_factory=list)

    def label(self, lang: str) -> str:
        """The label in ``lang``, else English, else any, else the code or the IRI."""
        return self.labels.get(lang) or self.labels.get("en") or next(iter(self.labels.values()), self.code or self.iri)

    def to_json(self) -> dict:
        return {
            "iri": self.iri, "kind": self.kind, "code": self.code, "labels": self.labels, "names": self.names,
            "fields": {name: [[t.value, t.lang] for t in texts] for name, texts in self.fields.items()},
            "facets": self.facets,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> Document:
        return cls(
            data["iri"], data["kind"], data["code"], data["labels"],
            {name: [Text(v, lang) for v, lang in texts] for name, texts in data["fields"].items()},
            data["facets"], data["names"],
        )  # fmt: skip


def collect(dataset: ox.Store) -> list[Document]:
    """Every searchable resource of ``dataset`` (the union of its graphs), in IRI order."""
    documents: dict[str, Document] = {}
    for row in _rows(dataset, "documents"):
        iri, kind = row["doc"].value, row["kind"].value
        if iri not in documents or KINDS.index(kind) < KINDS.index(documents[iri].kind):
            documents[iri] = Document(iri, kind)
    seen: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for row in _rows(dataset, "fields"):
        document = documents.get(row["doc"].value)
        text = row["text"]
        key = (row["field"].value, text.value, _lang(text))
        if document is not None and key not in seen[document.iri]:
            seen[document.iri].add(key)
            document.fields[key[0]].append(Text(text.value, key[2]))
    for row in _rows(dataset, "facets"):
        document = documents.get(row["doc"].value)
        if document is not None and row["value"].value not in document.facets[row["facet"].value]:
            document.facets[row["facet"].value].append(row["value"].value)
    for row in _rows(dataset, "names"):
        if (document := documents.get(row["doc"].value)) is not None and row["name"].value not in document.names:
            document.names.append(row["name"].value)
    for row in _rows(dataset, "labels"):
        if (document := documents.get(row["doc"].value)) is None:
            continue
        if row["code"] is not None:
            document.code = row["code"].value
        elif row["label"] is not None:
            document.labels[_lang(row["label"]) or "en"] = row["label"].value
    return [documents[iri] for iri in sorted(documents)]


def _rows(dataset: ox.Store, name: str) -> ox.QuerySolutions:
    query = resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")
    return select(dataset, query, use_default_graph_as_union=True)


def _lang(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return (term.language or "") if isinstance(term, ox.Literal) else ""
