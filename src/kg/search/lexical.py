"""Lexical ranking: one BM25 index per field (bm25s), scores weighted title > body > context as InforMEA's Solr
weights its fields; quoted phrases; taxon look-up by a prefix of any of its names, as CITES Species+ does it."""

from __future__ import annotations

import bisect
import logging
from pathlib import Path

import bm25s
import numpy as np

from .analysis import Query, query_terms, stopwords, terms, word_forms, words
from .documents import FIELDS, Document

WEIGHTS = {"title": 3.0, "body": 2.0, "context": 1.0, "taxa": 1.0}
"""How much a match in each field counts (InforMEA's Solr boosts title over body over the rest)."""
ADJACENCY_BONUS = 1.0
"""How much more a document counts when the query's words (stop words aside) stand side by side in it."""
ADJACENCY_CANDIDATES = 1_000
"""How many of the best-scoring documents are checked for the query's words side by side (bounds the cost on a
large graph; the real graph has fewer documents)."""
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
        self.names = sorted({(" ".join(words(n)), i) for i, d in enumerate(documents) for n in d.names})

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
            for i in _best(total, ADJACENCY_CANDIDATES):
                if adjacent in self.content[i]:
                    total[i] *= 1 + ADJACENCY_BONUS
        total[self._named(query.text)] += NAME_HIT
        for phrase in query.phrases:
            for i in np.flatnonzero(total):
                if phrase not in self.folded[i]:
                    total[i] = 0
        return total

    def unknown_share(self, text: str) -> float:
        """The share of the query's words (stop words aside) that no field of any document has, in any form: the
        words a search must find through their meaning."""
        kept = [w for w in words(text) if w not in stopwords()] or list(words(text))
        unknown = [w for w in kept if not any(f in r.vocab_dict for f in word_forms(w) for r in self.fields.values())]
        return len(unknown) / len(kept) if kept else 1.0

    def _named(self, text: str) -> list[int]:
        """The taxa one of whose names starts with the query's words ("Panthera unc", "snow leo")."""
        typed = " ".join(words(text))
        if len(typed) < 3:
            return []
        found = set()
        for name, i in self.names[bisect.bisect_left(self.names, (typed, -1)) :]:
            if not name.startswith(typed):
                break
            found.add(i)
        return sorted(found)


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """The documents with the ``count`` highest positive scores, in no particular order."""
    found = np.flatnonzero(scores)
    if len(found) > count:
        found = found[np.argpartition(-scores[found], count - 1)[:count]]
    return found
