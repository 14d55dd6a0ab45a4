"""Assembling mapped SPARQL rows into feed entities: merging, typing, records and their ids."""

from __future__ import annotations

import datetime as dt

from kg.informea.feed import assemble, release_time
from kg.informea.model import MODEL


def literal(value: str) -> dict:
    return {"type": "literal", "value": value}


def test_rows_of_one_id_merge_into_one_entity_with_typed_values_and_records():
    rows = [
        {"id": literal("document/r"), "number": literal("2"), "published": literal("2014-11-09")},
        {
            "id": literal("document/r"),
            "number": literal("1"),
            "published": literal("2013-10"),
        },  # a gYearMonth: not a date
        {"id": literal("document/r"), "titles_language": literal("fr"), "titles_value": literal("Titre")},
        {"id": literal("document/r"), "titles_language": literal("en"), "titles_value": literal("Title")},
        {
            "id": literal("document/r"),
            "titles_language": literal("en"),
            "titles_value": literal("Title"),
        },  # repeated row
        {
            "id": literal("document/r"),
            "contents_language": literal("en"),
            "contents_value": literal("second"),
            "contents_order": literal("201"),
        },
        {
            "id": literal("document/r"),
            "contents_language": literal("en"),
            "contents_value": literal("first"),
            "contents_order": literal("100"),
        },
        {"id": literal("document/r"), "keywords_namespace": literal("n"), "keywords_term": literal("b")},
        {"id": literal("document/r"), "keywords_namespace": literal("n"), "keywords_term": literal("a")},
        {"id": literal("document/r"), "documents_id": literal("programme/p")},
        {"number": literal("orphan")},  # no id: not an entity
    ]
    (decision,) = assemble(MODEL, MODEL.type("Decision"), rows, updated=dt.datetime(2026, 1, 1))
    assert decision["id"] == "document/r" and decision["number"] == "1"  # of several values, the least
    assert decision["published"] == dt.datetime(2014, 11, 9) and decision["updated"] == dt.datetime(2026, 1, 1)
    assert decision["titles"] == [
        {"language": "en", "value": "Title", "id": "document/r-en"},
        {"language": "fr", "value": "Titre", "id": "document/r-fr"},
    ]
    assert decision["contents"] == [{"language": "en", "value": "first\n\nsecond", "id": "document/r-en"}]
    assert [(k["id"], k["term"]) for k in decision["keywords"]] == [("document/r-1", "a"), ("document/r-2", "b")]
    assert decision["documents"] == ["programme/p"] and decision["files"] == [] and decision["displayOrder"] is None


def test_release_time_comes_from_the_release_id():
    assert release_time("20261122T050000.123456Z.0") == dt.datetime(2026, 11, 22, 5, 0, 0)
    assert release_time("remote") is None
