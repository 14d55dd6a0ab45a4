"""Lexical ranking: one BM25 index per field (bm25s), scores weighted title > body > context as InforMEA's Solr
weights its fields; quoted phrases; taxon look-up by a prefix of any of its names, as CITES Species+ does it."""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

from .analysis import Query, query_terms, stopwords, terms, words
from .documents import FIELDS, Document

WEIGHTS = {"title": 3.0, "body": 2.0, "context": 1.0, "taxa": 1.0}
"""How much a match in each field counts (InforMEA's Solr boosts title over body over the rest)."""
ADJACENCY_BONUS = 1.0
"""How much more a document counts when the query's words (stop words aside) stand side by side in it."""
NAME_HIT = 1_000.0
"""The score of a taxon whose name the query begins (it comes before every text match)."""

logging.getLogger("bm25s").setLevel(logging.WARNING)


def build(documents: list[Document], directory: Path) -> None:
    """Write one BM25 index per field into ``directory``."""
    for name in FIELDS:
        corpus = [[t for text in doc.fields[name] for t in terms(text.value, text.lang)] or [""] for doc in documents]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        retriever.save(directory / name)


class LexicalIndex:
    """The per-field BM25 indexes of a release, memory-mapped (forked workers share one copy)."""

    def __init__(self, directory: Path, documents: list[Document]):
        self.fields = {name: bm25s.BM25.load(directory / name, mmap=True) for name in FIELDS}
        self.documents = documents
        texts = [[words(t.value) for field in d.fields.values() for t in field] for d in documents]
        self.folded = ["\n".join(" ".join(w) for w in doc) for doc in texts]  # for phrases: one line per text
        self.content = ["\n".join(" ".join(x for x in w if x not in stopwords()) for w in doc) for doc in texts]
        self.names = [[" ".join(words(n)) for n in d.names] for d in documents]

    def scores(self, query: Query) -> np.ndarray:
        """A score per document (0: no match); documents lacking one of the query's phrases score 0."""
        forms = query_terms(query.text)
        total = np.zeros(len(self.documents), dtype=np.float32)
        for name, retriever in self.fields.items():
            known = [f for f in forms if f in retriever.vocab_dict]
            if known:
                total += WEIGHTS[name] * retriever.get_scores(known)
        adjacent = " ".join(w for w in words(query.text) if w not in stopwords())
        if " " in adjacent:  # several words, written side by side in the document: closer to what was asked
            total *= 1 + ADJACENCY_BONUS * np.fromiter((adjacent in t for t in self.content), dtype=bool)
        total += NAME_HIT * self._name_prefix_hits(query.text)
        for phrase in query.phrases:
            total *= np.fromiter((phrase in text for text in self.folded), dtype=bool, count=len(self.folded))
        return total

    def _name_prefix_hits(self, text: str) -> np.ndarray:
        """1 for each taxon one of whose names starts with the query's words ("Panthera unc", "snow leo")."""
        typed = " ".join(words(text))
        hits = np.zeros(len(self.documents), dtype=np.float32)
        if len(typed) < 3:
            return hits
        for i, names in enumerate(self.names):
            if any(name.startswith(typed) for name in names):
                hits[i] = 1.0
        return hits
