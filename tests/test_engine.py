"""kg.engine: the row cap on answers, through engine.evaluate (what `kg query` runs) and engine.answer (the path
every back-end takes)."""

import csv
import io

import pyoxigraph as ox
import pytest

from kg import engine
from kg.formats import Format

RESULT_FORMATS = [Format.JSON, Format.XML, Format.CSV, Format.TSV]
SELECT = "SELECT ?s ?text WHERE { ?s <http://example.org/text> ?text } ORDER BY ?s"


def store_of(texts: list[str]) -> ox.Store:
    store = ox.Store()
    store.extend(
        ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/text"), ox.Literal(text))
        for i, text in enumerate(texts)
    )
    return store


def rows(answer: engine.Answer) -> list[tuple[str, str]]:
    if answer.format is Format.CSV:  # lossy: pyoxigraph does not parse it
        return [tuple(row) for row in csv.reader(io.StringIO(answer.body.decode(), newline=""))][1:]
    parsed = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.from_media_type(answer.media_type))
    return [(solution["s"].value, solution["text"].value) for solution in parsed]


def never_again():
    pytest.fail("the answer was evaluated a second time")


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.value)
def test_long_rows_under_the_cap_are_serialised_once(fmt):
    """Rows far longer than the fewest bytes a row takes: the answer is within the cap, so the fast path serves it."""
    store = store_of(["x" * 5000] * 1500)
    request = engine.request_for(SELECT, format=fmt, max_rows=1500)
    answer = engine.answer(store.query(SELECT), request, again=never_again)
    assert not answer.truncated
    assert len(rows(answer)) == 1500


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.value)
def test_literals_holding_row_marks_are_still_capped_exactly(fmt):
    texts = ['},{"a":' * 300, "<result>" * 300, "line\n" * 300, " padded\r\n" * 300, "plain" * 300] * 300
    store = store_of(texts)
    whole = engine.evaluate(store, engine.request_for(SELECT, format=fmt, max_rows=len(texts)))
    assert not whole.truncated
    assert sorted(text for _, text in rows(whole)) == sorted(texts)
    capped = engine.evaluate(store, engine.request_for(SELECT, format=fmt, max_rows=len(texts) - 1))
    assert capped.truncated
    assert rows(capped) == rows(whole)[:-1]
