"""The search index of a release: written by ``kg build`` beside the data it describes, loaded by the service."""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyoxigraph as ox

from ..errors import StoreCorrupt
from ..store import read_manifest, verify_files
from . import lexical, semantic
from .analysis import Query, fold, words
from .documents import FACETS, KINDS, Document, collect
from .ranking import KIND_PRIOR, MODES, OTHER_PRIOR, fuse, snippet

EXPANSION_WEIGHT = 0.5
"""How much the documents' phrases closest in meaning to a query count beside the query's own words..."""
KNOWN_WORDS_EXPANSION_SHARE = 0.25
"""... scaled down to this share of it when every word of the query is found as written (then the phrases only
add paraphrases; the words the documents do not have must be found through them)."""
ENCODER_CACHE = f"sentence-vectors-{semantic.ENCODER}.npz"
"""The vectors of texts already encoded (in Settings.cache_dir): a rebuild, or a build of another store, encodes
only texts it has not seen. Named after the encoder's version: another version's vectors are never mixed in."""
FACET_LIMIT = 100
"""Most values a facet lists (the most frequent; Solr's default ``facet.limit``)."""
DIRECTORY = "search"
"""The index's folder inside a release."""


def build(dataset: ox.Store, *, cache: Path | None = None) -> dict[str, bytes]:
    """The index files of ``dataset``, by path inside the release (``cache``: see semantic.encode_cached)."""
    documents = collect(dataset)
    vectors, owners = semantic.build(documents, cache)
    phrases = semantic.vocabulary(documents)
    files = {
        f"{DIRECTORY}/documents.json": json.dumps([d.to_json() for d in documents], ensure_ascii=False).encode(),
        f"{DIRECTORY}/vectors.npy": _npy(vectors),
        f"{DIRECTORY}/axes.npy": _npy(axes := semantic.projection(vectors)),
        f"{DIRECTORY}/reduced.npy": _npy(np.ascontiguousarray(vectors @ axes)),
        f"{DIRECTORY}/owners.npy": _npy(owners),
        f"{DIRECTORY}/vocabulary.json": json.dumps(phrases, ensure_ascii=False).encode(),
        f"{DIRECTORY}/vocabulary.npy": _npy(semantic.encode_cached(phrases, cache)),
    }
    with tempfile.TemporaryDirectory(prefix="kg-search-") as scratch:
        lexical.build(documents, Path(scratch))
        for path in sorted(Path(scratch).rglob("*")):
            if path.is_file():
                files[f"{DIRECTORY}/lexical/{path.relative_to(scratch)}"] = path.read_bytes()
    return files


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


@dataclass
class Hit:
    document: Document
    score: float
    snippet: str
    field: str


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]


class SearchIndex:
    """A release's search index, read-only: the vectors and the BM25 arrays are memory-mapped."""

    def __init__(self, directory: Path):
        self.directory = directory
        try:
            data = json.loads((directory / "documents.json").read_text(encoding="utf-8"))
            self.documents = [Document.from_json(d) for d in data]
            self.vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
            self.axes = np.load(directory / "axes.npy", allow_pickle=False)
            self.reduced = np.load(directory / "reduced.npy", mmap_mode="r", allow_pickle=False)
            self.owners = np.load(directory / "owners.npy", mmap_mode="r", allow_pickle=False)
            self.lexical = lexical.LexicalIndex(directory / "lexical", self.documents)
            self.phrases = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
            self.phrase_vectors = np.load(directory / "vocabulary.npy", mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError, KeyError) as err:
            raise StoreCorrupt(f"{directory}: the search index cannot be read ({err}); run `kg build`") from None
        if (
            not self.vectors.shape[0] == self.reduced.shape[0] == len(self.owners)
            or self.reduced.shape[1:] != self.axes.shape[1:]
            or self.phrase_vectors.shape[0] != len(self.phrases)
        ):
            raise StoreCorrupt(f"{directory}: the search index's vectors and documents disagree; run `kg build`")
        self.by_iri = {d.iri: i for i, d in enumerate(self.documents)}
        self.labels = {d.iri: d.labels for d in self.documents}
        self.prior = np.array([KIND_PRIOR.get(d.kind, OTHER_PRIOR) for d in self.documents])
        self.facet_values, self.incidence = _incidence(self.documents)

    @classmethod
    def of_release(cls, release: Path) -> SearchIndex:
        """The index of a built release, checked against the digests of its manifest. Raises StoreCorrupt when
        it is missing or damaged."""
        manifest = read_manifest(release)
        if not any(name.startswith(DIRECTORY + "/") for name in manifest.get("files", {})):
            raise StoreCorrupt(f"{release}: the release has no search index (built by an older kg?); run `kg build`")
        verify_files(release, manifest, under=DIRECTORY + "/")
        return cls(release / DIRECTORY)

    def search(
        self,
        text: str,
        *,
        kinds: tuple[str, ...] = (),
        filters: dict[str, str] | None = None,
        limit: int = 10,
        page: int = 1,
        lang: str = "en",
        mode: str = "hybrid",
    ) -> Results:
        """The documents matching ``text``, best first: page ``page`` of ``limit`` hits, with facet counts over
        every match. ``kinds`` keeps those kinds only; ``filters`` maps a facet to the IRI a hit must have."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        query = Query.parse(text)
        lexical_scores = self.lexical.scores(query)
        vector = semantic.query_vector(query.text) if not query.phrases else None
        semantic_scores = np.zeros(len(self.documents), dtype=np.float32)
        if vector is not None and mode != "semantic":  # the documents' own words for what the query means
            known_share = KNOWN_WORDS_EXPANSION_SHARE
            weight = EXPANSION_WEIGHT * (known_share + (1 - known_share) * self.lexical.unknown_share(text))
            for phrase, similarity in semantic.expansions(self.phrase_vectors, self.phrases, vector):
                lexical_scores = lexical_scores + weight * similarity * self.lexical.scores(Query(phrase, ()))
        if vector is not None and mode != "lexical":
            semantic_scores = semantic.scores(
                self.vectors, self.reduced, self.axes, self.owners, len(self.documents), vector
            )
        fused = fuse(lexical_scores, semantic_scores, mode if not query.phrases else "lexical", self.prior)
        found = np.flatnonzero(fused > 0)
        matches = found[np.argsort(-fused[found], kind="stable")]
        if kinds or filters:
            matches = np.array([i for i in matches if self._keeps(self.documents[i], kinds, filters or {})], dtype=int)
        facets = self._facets(matches)
        start = (page - 1) * limit
        hits = []
        for i in matches[start : start + limit]:
            document = self.documents[i]
            shown, field = snippet(document, query, lang)
            hits.append(Hit(document, round(float(fused[i]), 6), shown, field))
        return Results(len(matches), hits, facets)

    def answer(self, text: str, *, limit: int = 10, page: int = 1, lang: str = "en", **options: Any) -> dict:
        """``search`` and ``as_json`` in one call: what ``/search`` answers."""
        results = self.search(text, limit=limit, page=page, lang=lang, **options)
        return self.as_json(results, query=text, page=page, limit=limit, lang=lang)

    def suggest(self, text: str, *, limit: int = 8, lang: str = "en") -> list[Document]:
        """Type-ahead: resources one of whose names or labels starts with what was typed, taxa and codes first."""
        typed = " ".join(words(text))
        if not typed:
            return []
        found = []
        for document in self.documents:
            names = [*document.names, *document.labels.values(), document.code or ""]
            if any(" ".join(words(n)).startswith(typed) or fold(n) == fold(text) for n in names if n):
                found.append(document)
        found.sort(key=lambda d: (KINDS.index(d.kind) if d.kind != "taxon" else -1, d.label(lang)))
        return found[:limit]

    def as_json(self, results: Results, *, query: str, page: int, limit: int, lang: str) -> dict:
        """The answer of ``/search`` and ``kg search --format json``: hits with their labels in ``lang`` (French
        or English; other languages get English), snippets and scores, and facet counts with their labels."""
        shown = lang if lang in ("fr", "en") else "en"
        hits = [
            {"iri": hit.document.iri, "type": hit.document.kind, "code": hit.document.code,
             "label": hit.document.label(shown), "score": hit.score, "snippet": hit.snippet, "field": hit.field}
            for hit in results.hits
        ]  # fmt: skip
        facets = {
            facet: [{"value": value, "label": self._label(facet, value, shown), "count": count}
                    for value, count in counts.items()]
            for facet, counts in results.facets.items()
        }  # fmt: skip
        return {"query": query, "total": results.total, "page": page, "limit": limit, "hits": hits, "facets": facets}

    def _label(self, facet: str, value: str, lang: str) -> str:
        if facet == "type":
            return value
        labels = self.labels.get(value, {})
        return labels.get(lang) or labels.get("en") or value

    @staticmethod
    def _keeps(document: Document, kinds: tuple[str, ...], filters: dict[str, str]) -> bool:
        if kinds and document.kind not in kinds:
            return False
        return all(value in document.facets.get(facet, ()) for facet, value in filters.items())

    def _facets(self, matches: np.ndarray) -> dict[str, dict[str, int]]:
        """How many matches have each facet value, most first (at most FACET_LIMIT values per facet)."""
        matched = np.zeros(len(self.documents), dtype=bool)
        matched[matches] = True
        owners, columns = self.incidence
        counts = np.bincount(columns[matched[owners]], minlength=len(self.facet_values))
        facets: dict[str, dict[str, int]] = {facet: {} for facet in ("type", *FACETS)}
        for column in np.argsort(-counts, kind="stable"):
            if not counts[column]:
                break
            facet, value = self.facet_values[column]
            if len(facets[facet]) < FACET_LIMIT:
                facets[facet][value] = int(counts[column])
        return facets


def _incidence(documents: list[Document]) -> tuple[list[tuple[str, str]], tuple[np.ndarray, np.ndarray]]:
    """Every (facet, value) pair of the documents, and which documents have which: two arrays, the document and
    the pair of each (document, pair) link. The facet counts of a search count the links of its matches."""
    pairs = [[("type", d.kind), *((f, v) for f in FACETS for v in d.facets[f])] for d in documents]
    columns = list(dict.fromkeys(pair for row in pairs for pair in row))
    position = {pair: i for i, pair in enumerate(columns)}
    owners = np.fromiter((i for i, row in enumerate(pairs) for _ in row), dtype=np.int64)
    links = np.fromiter((position[pair] for row in pairs for pair in row), dtype=np.int64)
    return columns, (owners, links)
