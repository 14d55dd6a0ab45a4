"""Relevance of the search on the judged query set (tests/search/judged.yaml), measured with ranx: the hybrid
ranking must hold the figures recorded by `python bench/search.py --record` (tests/search/recorded.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.search.evaluation import METRICS, evaluate, judged
from kg.search.index import SearchIndex

HERE = Path(__file__).parent
LANGUAGES = {"ar", "en", "es", "fr", "ru", "zh"}


@pytest.fixture(scope="module")
def index(built) -> SearchIndex:
    return SearchIndex.of_release(built.release)


@pytest.fixture(scope="module")
def queries() -> dict[str, list[dict]]:
    return judged(HERE / "judged.yaml")


def test_the_judged_set_has_sixty_queries_or_more_in_the_six_un_languages(queries, index):
    assert set(queries) == LANGUAGES
    assert sum(len(entries) for entries in queries.values()) >= 60
    known = set(index.by_iri)
    for entries in queries.values():
        for entry in entries:
            assert entry["relevant"] and set(entry["relevant"]) <= known, entry  # judged from the data itself


def test_the_hybrid_ranking_holds_its_recorded_figures(queries, index):
    recorded = json.loads((HERE / "recorded.json").read_text(encoding="utf-8"))["hybrid"]
    figures = evaluate(index, queries, "hybrid")
    below = [
        f"{lang} {metric}: {figures[lang][metric]} < {value}"
        for lang, metrics in recorded.items()
        for metric, value in metrics.items()
        if figures[lang][metric] < value - 1e-9
    ]
    assert not below, below
    assert set(recorded) == LANGUAGES | {"all"} and all(set(m) == set(METRICS) for m in recorded.values())


def test_the_hybrid_ranking_is_no_worse_than_either_alone_overall(queries, index):
    hybrid, lexical, semantic = (evaluate(index, queries, mode)["all"] for mode in ("hybrid", "lexical", "semantic"))
    assert hybrid["hit_rate@5"] >= max(lexical["hit_rate@5"], semantic["hit_rate@5"])
    assert hybrid["recall@10"] >= max(lexical["recall@10"], semantic["recall@10"])
