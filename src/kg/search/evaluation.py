"""Relevance of the search against a judged query set, measured with ranx (a dev dependency)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..namespaces import ID
from .index import SearchIndex

METRICS = ("hit_rate@5", "recall@10", "ndcg@10", "mrr")
DEPTH = 20


def judged(path: Path) -> dict[str, list[dict]]:
    """The judged queries by language: ``{lang: [{"q": text, "relevant": [IRI, …]}]}`` (IRIs made absolute)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        lang: [{"q": e["q"], "relevant": [ID + r for r in e["relevant"]]} for e in entries]
        for lang, entries in data.items()
    }


def evaluate(index: SearchIndex, queries: dict[str, list[dict]], mode: str) -> dict[str, dict[str, float]]:
    """Each metric per language and ``"all"``, for ranking ``mode`` (hybrid, lexical or semantic)."""
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    figures: dict[str, dict[str, float]] = {}
    every_qrels: dict[str, dict[str, int]] = {}
    every_run: dict[str, dict[str, float]] = {}
    for lang, entries in queries.items():
        qrels = {f"{lang}-{n}": {iri: 1 for iri in e["relevant"]} for n, e in enumerate(entries)}
        run = {f"{lang}-{n}": _ranking(index, e["q"], mode) for n, e in enumerate(entries)}
        figures[lang] = _scores(ranx_evaluate(Qrels(qrels), Run(run), list(METRICS)))
        every_qrels |= qrels
        every_run |= run
    figures["all"] = _scores(ranx_evaluate(Qrels(every_qrels), Run(every_run), list(METRICS)))
    return figures


def _ranking(index: SearchIndex, text: str, mode: str) -> dict[str, float]:
    hits = index.search(text, limit=DEPTH, mode=mode).hits
    ranking = {hit.document.iri: float(DEPTH - rank) for rank, hit in enumerate(hits)}
    return ranking or {"urn:nothing": 0.0}  # ranx needs a ranking per query, even an empty one


def _scores(result: dict | float) -> dict[str, float]:
    assert isinstance(result, dict)
    return {metric: round(float(result[metric]), 3) for metric in METRICS}
