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
        {"id": literal("document/r"), "title_language": literal("fr"), "title_value": literal("Titre")},
        {"id": literal("document/r"), "title_language": literal("en"), "title_value": literal("Title")},
        {
            "id": literal("document/r"),
            "title_language": literal("en"),
            "title_value": literal("Title"),
        },  # repeated row
        {
            "id": literal("document/r"),
            "content_language": literal("en"),
            "content_value": literal("second"),
            "content_order": literal("201"),
        },
        {
            "id": literal("document/r"),
            "content_language": literal("en"),
            "content_value": literal("first"),
            "content_order": literal("100"),
        },
        {"id": literal("document/r"), "keywords_namespace": literal("n"), "keywords_term": literal("b")},
        {"id": literal("document/r"), "keywords_namespace": literal("n"), "keywords_term": literal("a")},
        {"id": literal("document/r"), "documents_id": literal("programme/p")},
        {
            "id": literal("document/r"),
            "files_url": literal("https://example.org/r.pdf"),
            "files_filename": literal("r.pdf"),
        },
        {"number": literal("orphan")},  # no id: not an entity
    ]
    (decision,) = assemble(MODEL, MODEL.type("Decision"), rows, updated=dt.datetime(2026, 1, 1))
    assert decision["id"] == "document/r" and decision["number"] == "1"  # of several values, the least
    assert decision["published"] == dt.datetime(2014, 11, 9) and decision["updated"] == dt.datetime(2026, 1, 1)
    assert decision["title"] == [
        {"language": "en", "value": "Title", "id": "document/r-en"},
        {"language": "fr", "value": "Titre", "id": "document/r-fr"},
    ]
    assert decision["content"] == [{"language": "en", "value": "first\n\nsecond", "id": "document/r-en"}]
    assert [(k["id"], k["term"]) for k in decision["keywords"]] == [("document/r-1", "a"), ("document/r-2", "b")]
    assert decision["documents"] == ["programme/p"] and decision["displayOrder"] is None
    # a file has the fields the graph gives (url, filename); the others are absent, so null in the feed
    assert decision["files"] == [{"url": "https://example.org/r.pdf", "filename": "r.pdf", "id": "document/r-1"}]
    assert decision["treatyUUID"] is None and decision["summary"] == [] and decision["longTitle"] == []


def test_meeting_doubles_and_booleans_are_typed():
    rows = [
        {"id": literal("meeting/m"), "latitude": literal("-0.22"), "virtual": literal("false")},
        {"id": literal("meeting/n"), "latitude": literal("north"), "virtual": literal("maybe")},
    ]
    m, n = assemble(MODEL, MODEL.type("Meeting"), rows)
    assert (m["latitude"], m["virtual"], m["longitude"]) == (-0.22, False, None)
    assert (n["latitude"], n["virtual"]) == (None, None)  # literals that do not fit the type are left out


def test_release_time_comes_from_the_release_id():
    assert release_time("20261122T050000.123456Z.0") == dt.datetime(2026, 11, 22, 5, 0, 0)
    assert release_time("remote") is None
