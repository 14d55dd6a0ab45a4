"""Hybrid ranking (reciprocal rank fusion of the lexical and the semantic rankings), facets and snippets."""

from __future__ import annotations

import html
import re

import numpy as np

from .analysis import Query, query_terms, terms, word_forms, words
from .documents import Document

RRF_K = 60
"""Reciprocal rank fusion's constant (Cormack, Clarke & Büttcher 2009): a document scores Σ 1 / (k + rank)."""
SEMANTIC_DEPTH = 50
"""How many of the semantic ranking's best documents take part in the fusion."""
SEMANTIC_WEIGHT = 0.3
"""How much the semantic ranking counts beside the lexical one in the hybrid."""
MODES = ("hybrid", "lexical", "semantic")


KIND_PRIOR = {"activity": 1.0, "taxon": 0.8}
"""How much a hit of each kind counts (others: OTHER_PRIOR): people search for activities first, then taxa."""
OTHER_PRIOR = 0.5


def fuse(lexical: np.ndarray, semantic: np.ndarray, mode: str, prior: np.ndarray) -> np.ndarray:
    """One score per document from the two rankings, weighted by the ``prior`` of its kind; 0 means not found."""
    fused = np.zeros(len(lexical), dtype=np.float64)
    if mode in ("hybrid", "lexical"):
        fused += _reciprocal_ranks(lexical, depth=int((lexical > 0).sum()))
        fused += (lexical >= 1_000) * 1.0  # a taxon found by the prefix of a name comes first
    if mode in ("hybrid", "semantic"):
        fused += (SEMANTIC_WEIGHT if mode == "hybrid" else 1.0) * _reciprocal_ranks(semantic, depth=SEMANTIC_DEPTH)
    return fused * prior


def _reciprocal_ranks(scores: np.ndarray, *, depth: int) -> np.ndarray:
    """1 / (k + rank) for the ``depth`` best documents (ties: the first document first), 0 for the others."""
    ranks = np.zeros(len(scores), dtype=np.float64)
    depth = min(depth, len(scores))
    if depth:
        best = np.argpartition(-scores, depth - 1)[:depth]
        order = best[np.lexsort((best, -scores[best]))]
        ranks[order] = 1.0 / (RRF_K + np.arange(1, depth + 1))
    return ranks


def snippet(document: Document, query: Query, lang: str, length: int = 220) -> tuple[str, str]:
    """The passage that matches the query best, HTML-escaped with the matching words in ``<mark>``, and the name
    of its field. Texts in ``lang`` are preferred; without a matching word, the document's body (or title)."""
    wanted = set(query_terms(query.text))
    best: tuple[float, str, str] | None = None
    for field in ("body", "title", "context"):
        for text in document.fields[field]:
            hits = sum(1 for t in terms(text.value, text.lang) if t in wanted)
            rank = hits + (0.5 if text.lang == lang else 0) - (0.1 if field == "context" else 0)
            if hits and (best is None or rank > best[0]):
                best = (rank, field, text.value)
    if best is None:
        fallback = _in_language(document.fields["body"], lang) or _in_language(document.fields["title"], lang) or ""
        return html.escape(_shorten(fallback, length)), "body" if document.fields["body"] else "title"
    return _highlight(_shorten(best[2], length, around=wanted), wanted), best[1]


def _in_language(texts: list, lang: str) -> str | None:
    chosen = next((t for t in texts if t.lang == lang), None) or next(iter(texts), None)
    return chosen.value if chosen else None


def _shorten(text: str, length: int, around: set[str] | None = None) -> str:
    if len(text) <= length:
        return text
    start = 0
    if around:
        for match in re.finditer(r"\w+", text):
            if _forms(match.group()) & around:
                start = max(0, match.start() - length // 3)
                break
    end = min(len(text), start + length)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _highlight(text: str, wanted: set[str]) -> str:
    parts = []
    for piece in re.split(r"(\w+)", text):
        forms = _forms(piece) if piece and piece[0].isalnum() else set()
        parts.append(f"<mark>{html.escape(piece)}</mark>" if forms & wanted else html.escape(piece))
    return "".join(parts)


def _forms(piece: str) -> set[str]:
    """Every form of the words of a piece of text, to compare with a query's."""
    return {form for word in words(piece) for form in word_forms(word)}
