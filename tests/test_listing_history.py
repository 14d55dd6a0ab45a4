"""The listing history as the conventions record it (issue 27, item 2): `listings-as-of` on days from 1990 to
2014, run as a user runs it (`kg query --canned`), against sets written from the conventions' records; a start
only bounded (mea:effectiveNoLaterThan) counts from the bound on; the discrepancy query; the timeline.

Sources of the expected sets (as cited in data/turtle/listings-*.ttl):
  S+   Species+ legacy CITES listing history, GitHub unepwcmc/SAPI commit f0eb2c7 (27 September 2013),
       lib/files/animals/animalia_legislation_utf8.csv (effective dates of each entry).
  S+M  The same for CMS, lib/files/animals/CMS_legislation_utf8.csv; CMS amendments enter into force 90 days after
       the COP (Article XI(5), CMS Notification 2014/034).
  API  Species+ Checklist API listing history of Loxodonta africana (ropensci/rcites fixture, 6 November 2022).
  COP  the CMS listings of COP7-COP10 already cited in listings-cms.ttl (proposals, Wikipedia on the MOUs).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from kg import pictures
from kg.cli import app

CITES_1975 = {  # S+: in Appendix I or II since 1 July 1975, the day CITES entered into force, and still in 2014
    ("Acinonyx jubatus", "CITES", "I"),
    ("Bos grunniens", "CITES", "I"),  # listed as Bos mutus
    ("Equus caballus przewalskii", "CITES", "I"),  # listed as Equus przewalskii
    ("Equus hemionus", "CITES", "II"),
    ("Equus hemionus hemionus", "CITES", "I"),
    ("Equus hemionus khur", "CITES", "I"),
    ("Equus kiang", "CITES", "II"),
    ("Falco cherrug", "CITES", "II"),  # Falconidae spp. 1975, FALCONIFORMES spp. from 1979-06-28
    ("Gorilla beringei", "CITES", "I"),
    ("Gorilla gorilla", "CITES", "I"),
    ("Ovis ammon hodgsonii", "CITES", "I"),
    ("Ovis vignei vignei", "CITES", "I"),
    ("Pongo abelii", "CITES", "I"),
    ("Pongo pygmaeus", "CITES", "I"),
    ("Uncia uncia", "CITES", "I"),
}
CITES_1977_1981 = {  # S+: CoP1 and CoP2 transfers (1977-02-04, 1979-06-28) and Cheloniidae (1981-06-06)
    ("Pan", "CITES", "I"),  # 1977-02-04
    ("Dermochelys coriacea", "CITES", "I"),  # 1977-02-04 (Appendix II 1975-1977)
    ("Pantholops hodgsonii", "CITES", "I"),  # 1979-06-28 (Appendix II 1975-1979)
    ("Cheloniidae", "CITES", "I"),  # 1981-06-06 (Appendix II 1977-1981)
}
CMS_1983_1986 = {  # S+M: marine turtles with the Convention's entry into force (1983-11-01); COP1 listings (1986-01-24)
    ("Cheloniidae", "CMS", "II"),
    ("Dermochelyidae", "CMS", "II"),
    ("Dermochelys coriacea", "CMS", "I"),
    ("Bos grunniens", "CMS", "I"),
    ("Uncia uncia", "CMS", "I"),
}
EXPECTED = {
    "1990-01-01": CITES_1975
    | CITES_1977_1981
    | CMS_1983_1986
    | {
        ("Ovis ammon", "CITES", "II"),  # S+: 1975-07-01 to 1997-09-18, "Except subspecies O. a. hodgsonii"
        ("Loxodonta africana", "CITES", "II"),  # S+: 1977-02-04; Appendix I only from 1990-01-18
    },
    "2000-01-01": CITES_1975
    | CITES_1977_1981
    | CMS_1983_1986
    | {
        ("Ovis ammon", "CITES", "II"),  # S+: the 1997-09-18 entry, except hodgsonii and nigrimontana
        ("Ovis ammon nigrimontana", "CITES", "I"),  # S+: 1997-09-18
        ("Loxodonta africana", "CITES", "I"),  # S+: 1997-09-18, all populations but Botswana, Namibia, Zimbabwe
        ("Loxodonta africana", "CITES", "II"),  # S+: 1997-09-18, the populations of Botswana, Namibia, Zimbabwe
        ("Saiga tatarica", "CITES", "II"),  # S+: 1995-02-16
        ("Saiga borealis mongolica", "CITES", "II"),  # S+: 1995-02-16 (Saiga borealis)
    },
}
LATER_CITES = {
    ("Ovis ammon", "CITES", "II"),
    ("Ovis ammon nigrimontana", "CITES", "I"),
    ("Ovis vignei", "CITES", "II"),  # S+: 2000-07-19
    ("Loxodonta africana", "CITES", "I"),  # S+/API: 2007-09-13 entry (South Africa in Appendix II since 2000-07-19)
    ("Loxodonta africana", "CITES", "II"),
    ("Saiga tatarica", "CITES", "II"),
    ("Saiga borealis mongolica", "CITES", "II"),
    ("Pristidae", "CITES", "I"),  # S+: 2007-09-13 (Pristis microdon in Appendix II until 2013-06-12)
}
CMS_2000_2009 = {
    ("Rhincodon typus", "CMS", "II"),  # S+M: 2000-02-14
    ("Camelus bactrianus", "CMS", "I"),  # COP7: 2002-12-23
    ("Carcharodon carcharias", "CMS", "I"),  # COP7
    ("Carcharodon carcharias", "CMS", "II"),  # COP7
    ("Equus hemionus", "CMS", "II"),  # COP7
    ("Equus kiang", "CMS", "II"),  # S+M: 2002-12-23
    ("Gazella subgutturosa", "CMS", "II"),  # S+M: 2002-12-23
    ("Procapra gutturosa", "CMS", "II"),  # S+M: 2002-12-23
    ("Saiga tatarica", "CMS", "II"),  # COP7
    ("Saiga borealis mongolica", "CMS", "II"),  # S+M: 2002-12-23, formerly included in Saiga tatarica
    ("Gorilla gorilla", "CMS", "I"),  # COP8: 2006-02-23
    ("Acinonyx jubatus", "CMS", "I"),  # COP9: 2009-03-05
}
EXPECTED["2010-01-01"] = CITES_1975 | CITES_1977_1981 | CMS_1983_1986 | LATER_CITES | CMS_2000_2009
EXPECTED["2014-01-01"] = EXPECTED["2010-01-01"] | {  # COP10 listings in force 2012-02-23
    ("Falco cherrug", "CMS", "I"),
    ("Manta birostris", "CMS", "I"),
    ("Manta birostris", "CMS", "II"),
    ("Ovis ammon", "CMS", "II"),
}


def _as_of(runner, settings, day: str) -> list[dict[str, str]]:
    result = runner.invoke(
        app,
        [
            "query",
            "--canned",
            "listings-as-of",
            "--param",
            f"as-of={day}",
            "--format",
            "csv",
            "--store",
            str(settings.store_dir),
        ],
    )
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_listings_as_of_follows_the_conventions_records(runner, settings, built, day):
    rows = _as_of(runner, settings, day)
    assert {(r["name"], r["conventionName"], r["appendix"]) for r in rows} == EXPECTED[day]
    assert all(r["citation"] and (r["from"] or r["atLeastFrom"]) for r in rows)


def test_the_issue_s_gaps_are_closed(runner, settings, built):
    def start(day: str, name: str, convention: str, appendix: str) -> str:
        (row,) = [
            r
            for r in _as_of(runner, settings, day)
            if (r["name"], r["conventionName"], r["appendix"]) == (name, convention, appendix)
        ]
        return row["from"]

    assert start("1980-01-01", "Uncia uncia", "CITES", "I") == "1975-07-01"
    assert start("1990-01-01", "Uncia uncia", "CMS", "I") == "1986-01-24"
    assert start("1996-01-01", "Saiga tatarica", "CITES", "II") == "1995-02-16"
    assert start("1990-06-01", "Loxodonta africana", "CITES", "I") == "1990-01-18"
    assert start("1998-01-01", "Loxodonta africana", "CITES", "II") == "1997-09-18"
    assert start("2001-01-01", "Loxodonta africana", "CITES", "II") == "2000-07-19"
    assert start("2008-01-01", "Pristidae", "CITES", "I") == "2007-09-13"
    assert start("2014-07-01", "Pseudois nayaur", "CITES", "III") == "2014-06-24"


def test_a_start_only_bounded_counts_from_the_bound_on(runner, settings, built):
    """Gazella bennettii is in CITES Appendix III "at least from 2014-12-01" (a regulation of that day reports it):
    in force on and after the bound, unknown (so not counted) before."""
    key = ("Gazella bennettii", "CITES", "III")

    def listed(day: str) -> list[dict[str, str]]:
        return [r for r in _as_of(runner, settings, day) if (r["name"], r["conventionName"], r["appendix"]) == key]

    assert listed("2014-11-30") == []
    (row,) = listed("2014-12-01")
    assert row["from"] == "" and row["atLeastFrom"] == "2014-12-01"


def test_no_placeholder_start_and_no_start_given_twice(graph):
    mea = "https://w3id.org/mea-kg/ontology#"
    both = f"SELECT ?l WHERE {{ ?l <{mea}effectiveFrom> ?a ; <{mea}effectiveNoLaterThan> ?b }}"
    assert list(graph.query(both, use_default_graph_as_union=True)) == []
    placeholders = f"""SELECT ?l WHERE {{ ?l a <{mea}Listing> ; <{mea}effectiveFrom> ?d
        FILTER(?d IN ("2012-09-25"^^<http://www.w3.org/2001/XMLSchema#date>,
                      "2015-02-08"^^<http://www.w3.org/2001/XMLSchema#date>)) }}"""
    found = {str(r["l"].value) for r in graph.query(placeholders, use_default_graph_as_union=True)}
    # 2015-02-08 is a real start only for listings adopted at COP11 (CMS Notification 2014/034)
    assert all("/cms/" in iri and "/2015-02-08" in iri for iri in found), found
    assert not any("uncia" in iri or "cervus" in iri or "gutturosa" in iri for iri in found)


def test_listing_discrepancies_puts_the_document_and_the_record_side_by_side(runner, settings, built):
    result = runner.invoke(
        app, ["query", "--canned", "listing-discrepancies", "--format", "csv", "--store", str(settings.store_dir)]
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    (deer,) = [r for r in rows if r["name"] == "Cervus elaphus yarkandensis"]
    assert (deer["conventionName"], deer["stated"], deer["dated"]) == ("CMS", "I II", "II")
    assert "section/cms-resolution-11.24/footnote-1" in deer["statedIn"]
    assert "listing/cms/cervus-elaphus-yarkandensis/II/" in deer["datedListings"] and deer["citations"]


def test_timeline_draws_a_bounded_start_open():
    today = dt.date(2026, 12, 7)
    bars = [
        {"lane": "CITES I — Uncia uncia", "convention": "CITES", "start": dt.date(1975, 7, 1), "end": None},
        {
            "lane": "CMS II — Cervus elaphus yarkandensis",
            "convention": "CMS",
            "start": dt.date(2015, 2, 8),
            "open_start": True,
            "end": None,
        },
    ]
    drawn = pictures.timeline(bars, today=today)
    assert drawn is not None
    svg = drawn.svg
    assert svg.count('class="open-start"') == 1 and "at least from 2015-02-08" in svg
    french = pictures.timeline(bars, today=today, lang="fr")
    assert french is not None and "au moins depuis le 2015-02-08" in french.svg
    hard = pictures.timeline([{**bars[1], "open_start": False}], today=today)
    assert hard is not None and "open-start" not in hard.svg and "at least from" not in hard.svg
