"""The Joint Work Programme 2015–2020, pinned to its seed (000_4569078506374d09.txt)."""

from __future__ import annotations

import pytest

from .conftest import JWP_SEED, folded, seed_text, seed_words, verbatim

ACTIVITIES_PER_THEME = {"A": 2, "B": 21, "C": 5, "D": 5}


def test_programme_metadata(select):
    [row] = (
        select("""SELECT ?fr ?en ?start ?end WHERE { <https://w3id.org/mea-kg/id/programme/jwp> mea:title ?fr , ?en ;
        mea:startYear ?start ; mea:endYear ?end . FILTER(LANG(?fr)="fr" && LANG(?en)="en") }""")
    )
    assert row == {
        "fr": "Programme de travail conjoint CMS-CITES 2015-2020",
        "en": row["en"],
        "start": "2015",
        "end": "2020",
    }
    assert "Joint Work Programme" in row["en"]
    organisers = {
        r["o"] for r in select("SELECT ?o WHERE { <https://w3id.org/mea-kg/id/programme/jwp> mea:organiser ?o }")
    }
    assert organisers == {
        "https://w3id.org/mea-kg/id/actor/cms-secretariat",
        "https://w3id.org/mea-kg/id/actor/cites-secretariat",
    }


def test_activity_count_per_theme(select):
    rows = select("""SELECT ?code (COUNT(?a) AS ?n) WHERE { ?a a mea:Activity ; mea:theme ?t . ?t mea:code ?code }
        GROUP BY ?code""")
    assert {r["code"]: int(r["n"]) for r in rows} == ACTIVITIES_PER_THEME


def test_codes_are_exactly_the_sources(select):
    codes = {
        r["c"]
        for r in select(
            "SELECT ?c WHERE { ?a mea:programme <https://w3id.org/mea-kg/id/programme/jwp> ; a mea:Activity ;"
            " mea:code ?c }"
        )
    }
    expected = (
        {"A1", "A2"} | {f"B{i}" for i in range(1, 22)} | {f"C{i}" for i in range(1, 6)} | {f"D{i}" for i in range(1, 6)}
    )
    assert codes == expected


@pytest.mark.parametrize(
    ("code", "start"),
    [
        ("A2", "Poursuivre les efforts d’harmonisation de la nomenclature dans les annexes des deux Conventions"),
        ("B5", "Veiller à la collaboration en matière de conservation et de gestion des grands félins"),
        ("B14", "Collaborer étroitement à l’application du Plan d’action mondial pour le faucon sacre (SakerGAP)"),
        ("D4", "Promouvoir la diffusion et l’utilisation d’informations pertinentes"),
    ],
)
def test_verbatim_french_spot_checks(select, code, start):
    [row] = select(
        f'SELECT ?t WHERE {{ ?a mea:programme <https://w3id.org/mea-kg/id/programme/jwp> ; mea:code "{code}" ;'
        f' mea:text ?t FILTER(LANG(?t)="fr") }}'
    )
    assert row["t"].startswith(start)


def test_every_french_text_occurs_in_the_seed(select):
    seed = seed_words(JWP_SEED)
    rows = select("""SELECT ?r ?t WHERE { ?r mea:text|mea:title|mea:introduction ?t ;
        (mea:programme|mea:subItemOf/mea:programme|mea:partOf*) <https://w3id.org/mea-kg/id/programme/jwp>
        FILTER(LANG(?t)="fr") }""")
    assert len(rows) > 50
    missing = [r["r"] for r in rows if not verbatim(r["t"], seed)]
    assert missing == []


# Texts that cannot be one run of the seed, and why: the title is printed in capitals; theme B's
# introduction is two paragraphs around the species list; that list's bullets are dropped.
NOT_CONTIGUOUS = {"programme/jwp", "theme/jwp/B", "section/jwp/B-shared-species"}


def test_french_texts_are_exact_runs_of_the_seed(select):
    seed = seed_text(JWP_SEED)
    rows = select("""SELECT ?r ?t WHERE { GRAPH <https://w3id.org/mea-kg/graph/jwp> { ?r
        mea:text|mea:title|mea:introduction ?t }
        FILTER(LANG(?t)="fr") }""")
    broken = {r["r"].removeprefix("https://w3id.org/mea-kg/id/") for r in rows if folded(r["t"]) not in seed}
    assert broken == NOT_CONTIGUOUS


def test_every_activity_has_english_text_and_two_secretariats(select):
    rows = select("""SELECT ?a (COUNT(DISTINCT ?en) AS ?n) (COUNT(DISTINCT ?actor) AS ?actors) WHERE {
        ?a a mea:Activity ; mea:programme <https://w3id.org/mea-kg/id/programme/jwp> ; mea:text ?en ;
        mea:responsible ?actor FILTER(LANG(?en)="en") } GROUP BY ?a""")
    assert len(rows) == 33
    assert all(r["n"] == "1" and r["actors"] == "2" for r in rows)


@pytest.mark.parametrize(
    ("code", "taxa"),
    [
        ("B1", {"ovis-ammon"}),
        ("B2", {"saiga"}),
        ("B5", {"uncia-uncia", "acinonyx-jubatus"}),
        ("B8", {"hominidae"}),
        ("B11", {"loxodonta"}),
        ("B14", {"falco-cherrug"}),
        ("B16", {"cheloniidae", "dermochelyidae"}),
        ("B18", {"elasmobranchii"}),
        ("A1", set()),
    ],
)
def test_targeted_taxa_at_the_level_the_text_names(select, code, taxa):
    rows = select(
        f'SELECT ?t WHERE {{ ?a mea:programme <https://w3id.org/mea-kg/id/programme/jwp> ; mea:code "{code}" .'
        f" OPTIONAL {{ ?a mea:targetsTaxon ?t }} }}"
    )
    assert {r["t"].rsplit("/", 1)[-1] for r in rows if "t" in r} == taxa


@pytest.mark.parametrize(
    ("code", "instrument"),
    [
        ("B6", "mike"),
        ("B8", "grasp"),
        ("B9", "iccwc"),
        ("B14", "sakergap"),
        ("B19", "cami"),
        ("B2", "saiga-mou"),
        ("D4", "informea"),
    ],
)
def test_instruments_are_linked(select, code, instrument):
    rows = select(
        f'SELECT ?m WHERE {{ ?a mea:programme <https://w3id.org/mea-kg/id/programme/jwp> ; mea:code "{code}" ;'
        f" mea:mentions ?m }}"
    )
    assert f"https://w3id.org/mea-kg/id/instrument/{instrument}" in {r["m"] for r in rows}


def test_sub_items_of_c2_and_d2(select):
    rows = select("""SELECT ?code (COUNT(?s) AS ?n) WHERE { ?s a mea:SubItem ; mea:subItemOf ?a . ?a mea:code ?code ;
        mea:programme <https://w3id.org/mea-kg/id/programme/jwp> } GROUP BY ?code""")
    assert {r["code"]: int(r["n"]) for r in rows} == {"C2": 6, "D2": 5}
    [ipbes] = select(
        "SELECT ?s WHERE { ?s mea:subItemOf <https://w3id.org/mea-kg/id/activity/jwp/D2> ; mea:mentions"
        " <https://w3id.org/mea-kg/id/instrument/ipbes> }"
    )
    assert ipbes["s"].endswith("/D2/2")


def test_every_resource_points_back_to_its_source(select):
    rows = select("""SELECT ?a ?doc WHERE { ?a a mea:Activity ; mea:programme
        <https://w3id.org/mea-kg/id/programme/jwp> ; mea:sourceSection/mea:partOf* ?doc .
        ?doc a mea:WorkProgramme }""")
    assert {r["doc"] for r in rows} == {"https://w3id.org/mea-kg/id/programme/jwp"}
    assert len({r["a"] for r in rows}) == 33


def test_the_places_activities_name(select):
    """B6, B7 and B12 say "en Afrique", B11 "en Afrique de l’Ouest"; no other activity names a place."""
    rows = select("""SELECT ?code ?place WHERE { ?a mea:programme <https://w3id.org/mea-kg/id/programme/jwp> ;
        mea:code ?code ; mea:concernsCountry|mea:inLandscape|mea:concernsPlace|mea:headingCountry|mea:headingLandscape
        |mea:headingPlace ?place }""")
    assert {(r["code"], r["place"].rsplit("/", 1)[1]) for r in rows} == {
        ("B6", "africa"),
        ("B7", "africa"),
        ("B11", "west-africa"),
        ("B12", "africa"),
    }
