"""The canned-query catalogue: headers, parameter binding, and every query's answer pinned on the real data."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
import pytest

from kg import catalogue, engine, paging, sparqltext
from kg.cli import app
from kg.config import PROJECT_DIR
from kg.search.index import SearchIndex
from kg.search.sparql import rewrite, uses_search
from tests.helpers import bindings

CATALOGUE = catalogue.load(PROJECT_DIR / "queries")
CITES = "https://w3id.org/mea-kg/id/convention/cites"
CMS = "https://w3id.org/mea-kg/id/convention/cms"


@pytest.fixture(scope="module")
def answer(graph):
    def run(query_name: str, /, **params: str) -> list[dict[str, str]]:
        query = CATALOGUE[query_name]
        request = engine.request_for(query.text, bindings=query.bindings(params))
        return bindings(engine.evaluate(graph, request).body)

    return run


def codes(rows) -> set[str]:
    return {f"{r['programme']}:{r['code']}" for r in rows}


def test_every_query_has_a_summary_and_documented_parameters():
    assert len(CATALOGUE) >= 11
    for query in CATALOGUE.values():
        assert query.summary, query.name
        assert all(p.description and p.type in catalogue.TYPES for p in query.params), query.name


def test_every_query_runs_as_plain_sparql(graph, built):
    index = SearchIndex.of_release(built.release)
    for query in CATALOGUE.values():  # no parameter bound: every one matches anything
        # a search block is answered before the store sees the query (with its parameters' defaults here)
        text = rewrite(query.text, query.bindings({}), lambda: index) if uses_search(query.text) else query.text
        assert list(graph.query(text, use_default_graph_as_union=True)), query.name


def test_parameters_are_bound_as_terms_and_validated():
    query = CATALOGUE["activities-by-listing"]
    bound = query.bindings({"appendix": "II", "as-of": "2015-06-01"})
    assert bound["appendix"].value == "II" and bound["asOf"].datatype.value.endswith("#date")
    assert bound["convention"].value == CITES  # the default
    for bad, message in (
        ({"appendix": "IV"}, "one of"),
        ({"as-of": "June 2015"}, "a date"),
        ({"nope": "x"}, "unknown parameter"),
        ({"convention": "not an iri"}, "one of"),
    ):
        with pytest.raises(ValueError, match=message):
            query.bindings(bad)


def test_a_value_cannot_change_the_query_text():
    query = CATALOGUE["activities-by-taxon"]
    bound = query.bindings({"name": 'x" } } DELETE WHERE { ?s ?p ?o } #'})
    assert bound["name"].value.startswith('x" } }')  # a literal, whatever it contains


JWP_CITES_I = {
    "jwp:B1",
    "jwp:B5",
    "jwp:B6",
    "jwp:B7",
    "jwp:B8",
    "jwp:B9",
    "jwp:B10",
    "jwp:B11",
    "jwp:B12",
    "jwp:B13",
    "jwp:B16",
    "jwp:B17",
    "jwp:B18",
}


def test_design_card_cites_appendix_i(answer):
    rows = answer("activities-by-listing")
    found = codes(rows)
    assert {c for c in found if c.startswith("jwp:")} == JWP_CITES_I
    assert {"cami:2.1.1", "cami:2.2.7", "cami:2.3.1", "cami:2.3.5", "cami:2.4.1"} <= found
    assert not found & {"jwp:A1", "jwp:B2", "jwp:B14", "jwp:B15", "jwp:B19", "cami:1.1.1", "cami:2.5.1", "cami:2.3.13"}
    assert len(found) == 34
    cheetah = next(r for r in rows if r["code"] == "2.3.1")
    assert cheetah["listedName"] == "Acinonyx jubatus" and "Iranian Cheetah Society" in cheetah["responsible"]
    unconfirmed = answer("activities-by-listing", convention=CMS, appendix="I")
    assert unconfirmed


def test_design_card_strict_reading_keeps_only_listings_covering_the_target(answer):
    found = codes(answer("activities-by-listing", narrower="false"))
    assert {c for c in found if c.startswith("jwp:")} == {"jwp:B5", "jwp:B6", "jwp:B16"}
    assert "jwp:B1" not in found and "cami:2.3.6" not in found


def test_design_card_as_of_2015(answer):
    assert codes(answer("activities-by-listing", **{"as-of": "2015-06-01"})) >= {"jwp:B5", "jwp:B16", "cami:2.3.1"}


def test_design_card_second_reading_cms_i_listed_by_cites(answer):
    rows = answer("activities-cms-i-taxa-listed-by-cites")
    assert {r["name"] for r in rows} == {
        "Acinonyx jubatus",
        "Dermochelys coriacea",  # CMS Appendix I since 1983-11-01 (Species+ CMS listing history)
        "Equus caballus przewalskii",
        "Falco cherrug",
        "Gorilla gorilla",
        "Uncia uncia",
    }
    assert {"jwp:B5", "jwp:B14", "jwp:B16", "cami:2.2.7", "cami:2.3.1"} <= codes(rows)
    assert "jwp:B1" not in codes(rows)


def test_activities_by_actor(answer):
    rows = answer("activities-by-actor", actor="https://w3id.org/mea-kg/id/actor/giz")
    assert {r["code"]: r["confirmed"] for r in rows} == {
        "4.1.4": "false",
        "4.1.5": "false",
        "4.1.6": "false",
        "4.1.7": "false",
    }
    ics = answer("activities-by-actor", actor="https://w3id.org/mea-kg/id/actor/iranian-cheetah-society")
    assert {r["code"] for r in ics} == {"2.3.1", "2.3.2", "2.3.4", "2.3.5"}
    assert (
        len(
            answer("activities-by-actor", actor="https://w3id.org/mea-kg/id/actor/cites-secretariat", confirmed="false")
        )
        == 1
    )


def test_activities_by_taxon_finds_synonyms(answer):
    by_iri = codes(answer("activities-by-taxon", taxon="https://w3id.org/mea-kg/id/taxon/uncia-uncia"))
    by_synonym = codes(answer("activities-by-taxon", name="Panthera uncia"))
    assert by_iri == by_synonym and {"jwp:B5", "jwp:B6", "cami:2.1.1"} <= by_iri
    assert codes(answer("activities-by-taxon", name="Bos mutus")) == codes(
        answer("activities-by-taxon", name="Bos grunniens")
    )


def test_activities_by_country(answer):
    rows = answer("activities-by-country", country="https://w3id.org/mea-kg/id/country/IR")
    assert {"cami:2.3.1", "cami:2.3.2", "cami:2.3.9", "cami:2.3.17"} <= codes(rows)
    assert "cami:1.1.1" not in codes(rows)
    assert {r["basis"] for r in rows} == {"named", "inherited"}


def _countries(answer, code: str, **params: str) -> dict[str, str]:
    """ISO code → basis of the countries activities-by-country gives CAMI activity ``code``."""
    found = {}
    for iso in ("AF", "BT", "CN", "IN", "IR", "KG", "KZ", "MN", "NP", "PK", "RU", "TJ", "TM", "UZ"):
        rows = answer("activities-by-country", country=f"https://w3id.org/mea-kg/id/country/{iso}", **params)
        found.update((iso, r["basis"]) for r in rows if r["programme"] == "cami" and r["code"] == code)
    return found


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2.3.1", {"IR": "named", "AF": "inherited", "PK": "inherited", "TM": "inherited"}),  # "… en Iran."
        ("2.3.5", {"IR": "named", "AF": "inherited", "PK": "inherited", "TM": "inherited"}),  # "… atelier … en Iran"
        (
            "2.3.3",
            {"AF": "named", "PK": "named", "IR": "inherited", "TM": "inherited"},
        ),  # "… de l’Afghanistan et du Pakistan voisines de l’Iran"
        (
            "2.3.11",
            {
                "KG": "named",
                "AF": "inherited",
                "IR": "inherited",
                "KZ": "inherited",
                "TM": "inherited",
                "UZ": "inherited",
            },
        ),
        ("2.3.4", {"AF": "inherited", "IR": "inherited", "PK": "inherited", "TM": "inherited"}),  # names no place
        (
            "2.3.8",
            {"KZ": "named", "TM": "named", "UZ": "named"},
        ),  # "… à travers l’Oust-Ourt": the landscape's countries
    ],
)
def test_activities_by_country_says_whether_the_activity_or_its_heading_names_the_country(answer, code, expected):
    assert _countries(answer, code) == expected
    assert _countries(answer, code, inherited="false") == {k: v for k, v in expected.items() if v == "named"}


def test_activities_by_country_says_through_which_heading(answer):
    rows = answer("activities-by-country", country="https://w3id.org/mea-kg/id/country/AF")
    row = next(r for r in rows if r["code"] == "2.3.1")
    assert row["basis"] == "inherited" and row["through"] == "heading group/cami/2.3/1"
    own = answer("activities-by-country", country="https://w3id.org/mea-kg/id/country/IR")
    assert next(r for r in own if r["code"] == "2.3.1")["through"] == "named by the activity"


def test_activities_by_landscape(answer):
    rows = answer("activities-by-landscape")
    assert {r["code"] for r in rows} >= {"2.3.6", "2.3.7", "2.3.8"}
    assert all(
        sorted(r["countries"].split(", ")) == ["KZ", "TM", "UZ"] for r in rows
    )  # GROUP_CONCAT's order is the engine's
    basis = {r["code"]: r["basis"] for r in rows}
    assert basis["2.3.8"] == "named" and basis["2.3.6"] == basis["2.3.7"] == "inherited"
    assert {r["code"] for r in answer("activities-by-landscape", inherited="false")} == {"2.3.8"}
    assert {
        r["code"] for r in answer("activities-by-landscape", landscape="https://w3id.org/mea-kg/id/landscape/pamir")
    } == {"2.1.1"}


def test_activities_by_priority(answer):
    low = answer("activities-by-priority", priority="https://w3id.org/mea-kg/id/priority/low")
    assert {r["code"] for r in low} == {"3.1.2", "3.1.4", "4.2.11", "4.2.12", "2.4.10"}
    assert {r["level"] for r in low} == {"Low", "Medium / Low"}
    pending = answer("activities-by-priority", priority="https://w3id.org/mea-kg/id/priority/pending-gap-analysis")
    assert [r["code"] for r in pending] == ["1.6.3"]


def test_taxa_listed_by_both_and_where_they_differ(answer):
    rows = {r["name"]: (r["cms"], r["cites"], r["differ"]) for r in answer("taxa-listed-by-both")}
    assert rows["Uncia uncia"] == ("I", "I", "false")
    assert rows["Falco cherrug"] == ("I", "II", "true")
    assert rows["Gazella bennettii"] == ("II", "III", "true")
    assert "Procapra gutturosa" not in rows


def test_programme_synergies(answer):
    rows = answer("programme-synergies")
    taxa = {(r["jwpCode"], r["camiCode"]) for r in rows if r["kind"] == "taxon"}
    assert {("B1", "2.1.1"), ("B5", "2.3.1")} <= taxa
    assert {r["label"] for r in rows if r["kind"] == "instrument"} >= {"Central Asian Mammals Initiative (CAMI)"}
    assert {r["camiCode"] for r in rows if r["kind"] == "actor"} == {"1.1.6", "4.2.2"}
    assert all(r["kind"] == "place" for r in answer("programme-synergies", kind="place"))


def test_unconfirmed_responsibilities(answer):
    rows = answer("unconfirmed-responsibilities")
    assert {(r["code"], r["actorName"]) for r in rows} == {
        ("1.1.6", "TRAFFIC"),
        ("1.1.6", "CITES Secretariat"),
        ("1.3.1", "UNEP-WCMC"),
        ("4.1.4", "Deutsche Gesellschaft für Internationale Zusammenarbeit GmbH (GIZ)"),
        ("4.1.5", "Deutsche Gesellschaft für Internationale Zusammenarbeit GmbH (GIZ)"),
        ("4.1.6", "Deutsche Gesellschaft für Internationale Zusammenarbeit GmbH (GIZ)"),
        ("4.1.7", "Deutsche Gesellschaft für Internationale Zusammenarbeit GmbH (GIZ)"),
    }


def test_listings_as_of(answer):
    before = {
        (r["name"], r["conventionName"], r["appendix"]) for r in answer("listings-as-of", **{"as-of": "2015-06-01"})
    }
    after = {
        (r["name"], r["conventionName"], r["appendix"]) for r in answer("listings-as-of", **{"as-of": "2025-01-01"})
    }
    assert ("Uncia uncia", "CITES", "I") in before and ("Uncia uncia", "CITES", "I") in after
    assert ("Equus caballus przewalskii", "CMS", "I") in after and (
        "Equus caballus przewalskii",
        "CMS",
        "I",
    ) not in before
    assert ("Ovis vignei", "CMS", "II") in after and ("Ovis vignei", "CMS", "II") not in before
    assert all(r["citation"] for r in answer("listings-as-of", **{"as-of": "2025-01-01"}))


def test_cli_lists_and_runs_canned_queries(runner, settings, built):
    listing = runner.invoke(app, ["queries"])
    assert listing.exit_code == 0 and "activities-by-listing" in listing.stdout
    result = runner.invoke(
        app,
        [
            "query",
            "--canned",
            "activities-by-listing",
            "--param",
            "narrower=false",
            "--format",
            "csv",
            "--store",
            str(settings.store_dir),
        ],
    )
    assert result.exit_code == 0 and "2.3.1" in result.stdout
    bad = runner.invoke(
        app,
        ["query", "--canned", "activities-by-listing", "--param", "appendix=IV", "--store", str(settings.store_dir)],
    )
    assert bad.exit_code == 2 and "one of" in bad.stderr
    unknown = runner.invoke(app, ["query", "--canned", "no-such-query", "--store", str(settings.store_dir)])
    assert unknown.exit_code == 2 and "kg queries" in unknown.stderr


def test_catalogue_does_not_load_subfolders():
    """``queries/qc/`` and ``queries/informea/`` (the OData feed's mappings) are not canned queries."""
    names = set(catalogue.load(PROJECT_DIR / "queries"))
    assert (PROJECT_DIR / "queries" / "informea" / "decisions.rq").exists()
    assert not names & {"decisions", "documents", "meetings", "treaties"}
    assert not any(name.endswith("-violation") for name in names)


def _query_file(tmp_path, driver: str) -> catalogue.CannedQuery:
    path = tmp_path / "activities-with-codes.rq"
    path.write_text(
        "#+ summary: Activities and their codes\n#+ page-driver: |\n"
        + "".join(f"#+   {line}\n" for line in driver.splitlines())
        + "PREFIX mea: <https://w3id.org/mea-kg/ontology#>\n"
        "SELECT ?activity ?code WHERE { ?activity a mea:Activity ; mea:code ?code } ORDER BY STR(?activity)\n",
        encoding="utf-8",
    )
    return catalogue.read(path)


def test_a_page_driver_must_be_a_select_of_one_variable_in_string_order(tmp_path):
    with pytest.raises(ValueError, match="page-driver is not SPARQL"):
        _query_file(tmp_path, "SELECT ?a WHERE {")
    with pytest.raises(ValueError, match="one variable"):
        _query_file(tmp_path, "SELECT ?a ?b WHERE { ?a ?p ?b }")
    for unordered in (
        "SELECT ?a WHERE { ?a a mea:Activity }",
        "SELECT ?a WHERE { ?a a mea:Activity } ORDER BY ?a",
        "SELECT ?a WHERE { ?a a mea:Activity } ORDER BY STR(?a) LIMIT 5",
    ):
        with pytest.raises(ValueError, match=r"must end with ORDER BY STR\(\?a\)"):
            _query_file(tmp_path, unordered)
    driven = _query_file(
        tmp_path, "SELECT ?activity WHERE { ?activity a mea:Activity }\n# in IRI order\nORDER BY STR( ?activity )"
    )
    assert driven.driver_variable == "activity"
    assert "ORDER" not in driven.driver_keys.split("SELECT")[-1]  # paging sorts the values itself


def test_driven_pages_equal_plain_pages_even_when_driver_values_have_no_rows(tmp_path, graph):
    """A driver listing more than the answer has (here: every resource with a type, activities among them) gives
    short pages through the driver, and one giving blank nodes cannot be written back: either way the page falls
    back to the whole evaluation and is still right."""
    broad = _query_file(
        tmp_path,
        "SELECT DISTINCT ?activity WHERE { ?activity a ?type FILTER(isIRI(?activity)) } ORDER BY STR(?activity)",
    )
    blank = _query_file(tmp_path, "SELECT DISTINCT ?activity WHERE { ?activity a ?type } ORDER BY STR(?activity)")
    exact = _query_file(tmp_path, "SELECT ?activity WHERE { ?activity a mea:Activity } ORDER BY STR(?activity)")

    async def here(request):
        return engine.evaluate(graph, request)

    def rows(query, number):
        request = engine.Request(query.page(number), max_rows=query.page_size)
        answer = asyncio.run(paging.page(query, number, request, here))
        return [
            tuple(s) for s in ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
        ], answer.truncated

    for number in (1, 2, 3):
        plain = engine.evaluate(graph, engine.Request(exact.page(number), max_rows=exact.page_size))
        expected = [tuple(s) for s in ox.parse_query_results(plain.body, format=ox.QueryResultsFormat.JSON)]
        assert rows(exact, number) == rows(broad, number) == rows(blank, number) == (expected, plain.truncated)
    assert rows(exact, 1)[1] and not rows(exact, 3)[1]  # 2 full pages and a short last one (A1–D5 and 121 activities)


def test_driver_values_are_joined_with_the_parameters_in_one_block():
    """The driver's values and the parameters bound where the WHERE group opens share one VALUES block; a
    parameter the group assigns itself (BIND … AS) stays out of it, as with_values keeps it out of its own."""
    text = "SELECT ?a WHERE { ?a <p> ?b . FILTER(?b = ?c) BIND(1 AS ?d) }"
    values = [ox.NamedNode("http://x/1"), ox.NamedNode("http://x/2")]
    bindings = {"c": ox.Literal("v"), "d": ox.Literal("1")}
    rows = sparqltext.with_rows(text, "a", values, bindings)
    assert 'VALUES (?a ?c) { (<http://x/1> "v") (<http://x/2> "v") }' in rows
    assert "VALUES (?a) { (<http://x/1>) (<http://x/2>) }" in sparqltext.with_rows(text, "a", values)
    store = ox.Store()
    store.add(ox.Quad(values[0], ox.NamedNode("http://x/p"), ox.Literal("v")))
    store.add(ox.Quad(values[1], ox.NamedNode("http://x/p"), ox.Literal("w")))
    answer = engine.evaluate(
        store, engine.Request(rows.replace("<p>", "<http://x/p>"), bindings={"c": ox.Literal("v")})
    )
    assert [s["a"] for s in ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)] == [values[0]]
