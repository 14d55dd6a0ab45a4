"""/queries: the catalogue over HTTP, with parameters bound as terms and clear 400s."""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import bindings


def test_catalogue_lists_every_query_with_parameters_and_links(client):
    listing = client.get("/queries").json()
    names = {q["name"] for q in listing}
    assert {"activities-by-listing", "activities-cms-i-taxa-listed-by-cites", "unconfirmed-responsibilities"} <= names
    design = next(q for q in listing if q["name"] == "activities-by-listing")
    assert {p["name"] for p in design["parameters"]} == {"convention", "appendix", "narrower", "as-of"}
    assert design["url"].endswith("/queries/activities-by-listing")
    assert client.get(design["sparql"]).text.startswith("#+ summary:")


def test_run_with_defaults_as_json(client):
    response = client.get("/queries/activities-by-listing")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    codes = {row["code"] for row in bindings(response)}
    assert {"B5", "B16", "2.3.1"} <= codes and "B14" not in codes


def test_parameters_and_negotiation(client):
    response = client.get(
        "/queries/activities-by-actor",
        params={"actor": "https://w3id.org/mea-kg/id/actor/giz"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["code"] for r in rows} == {"4.1.4", "4.1.5", "4.1.6", "4.1.7"}
    assert client.get("/queries/unconfirmed-responsibilities", params={"format": "tsv"}).text.startswith("?programme")


def test_activities_by_country_marks_the_countries_inherited_from_a_heading(client):
    iran = "https://w3id.org/mea-kg/id/country/IR"
    rows = bindings(client.get("/queries/activities-by-country", params={"country": iran}))
    basis = {r["code"]: r["basis"] for r in rows if r["programme"] == "cami"}
    assert basis["2.3.1"] == basis["2.3.5"] == "named" and basis["2.3.3"] == basis["2.3.4"] == "inherited"
    afghanistan = "https://w3id.org/mea-kg/id/country/AF"
    rows = bindings(client.get("/queries/activities-by-country", params={"country": afghanistan}))
    assert {r["code"]: r["basis"] for r in rows}["2.3.1"] == "inherited"
    named = bindings(
        client.get("/queries/activities-by-country", params={"country": afghanistan, "inherited": "false"})
    )
    assert {"2.3.3", "2.1.1"} <= {r["code"] for r in named} and "2.3.1" not in {r["code"] for r in named}
    assert {r["basis"] for r in named} == {"named"}


def test_bad_parameters_are_400(client):
    for params in (
        {"appendix": "IV"},
        {"as-of": "yesterday"},
        {"convention": "cites"},
        {"unknown": "1"},
        [("appendix", "I"), ("appendix", "II")],
    ):
        response = client.get("/queries/activities-by-listing", params=params)
        assert response.status_code == 400, params
        assert response.json()["type"].endswith("#bad-request")


def test_unknown_query_is_404(client):
    response = client.get("/queries/no-such-query")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def _csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def _order_keys(name: str, rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """The ORDER BY values of each row (a total order of the rows): the order a page must keep."""
    keys = {
        "activities-by-taxon": ("programme", "code", "scientificName", "taxon", "via"),
        "activities-by-listing": ("programme", "code", "listedName", "touchedVia", "listedTaxon"),
        "activities-by-priority": ("activity", "level", "text"),
        "listings-as-of": ("name", "conventionName", "appendix"),
    }
    return [tuple(row[k] for k in keys[name]) for row in rows]


def test_pages_split_every_answer_in_order_with_links(client):
    for query in client.get("/queries").json():
        name = query["name"]
        whole = _csv_rows(client.get(f"/queries/{name}", params={"format": "csv"}))
        pages, number = [], 1
        while True:
            response = client.get(f"/queries/{name}", params={"format": "csv", "page": str(number)})
            rows = _csv_rows(response)
            links = response.headers["link"]
            assert 'rel="first"' in links and ('rel="prev"' in links) == (number > 1), (name, links)
            pages.append(rows)
            if 'rel="next"' not in links:
                break
            assert len(rows) == 100, (name, number)
            number += 1
        assert len(pages) == max(1, -(-len(whole) // 100)), name
        assert _as_set([r for p in pages for r in p]) == _as_set(whole), name
        if name in ("activities-by-taxon", "activities-by-listing", "activities-by-priority", "listings-as-of"):
            assert [k for p in pages for k in _order_keys(name, p)] == _order_keys(name, whole), name


def _as_set(rows: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    return sorted(sorted(row.items()) for row in rows)


def test_a_driven_page_keeps_its_parameters(client):
    """activities-by-taxon pages through its driver (its first activities, then their rows): a name still selects."""
    params = {"name": "Equus hemionus", "format": "csv"}
    whole = _csv_rows(client.get("/queries/activities-by-taxon", params=params))
    page = client.get("/queries/activities-by-taxon", params={**params, "page": "1"})
    assert 0 < len(whole) < 100 and _as_set(_csv_rows(page)) == _as_set(whole)
    assert 'rel="next"' not in page.headers["link"]
    assert _csv_rows(client.get("/queries/activities-by-taxon", params={**params, "page": "9"})) == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"narrower": "false"},
        {"as-of": "2012-01-01"},
        {"convention": "https://w3id.org/mea-kg/id/convention/cms", "appendix": "II"},
    ],
    ids=["defaults", "not-narrower", "as-of", "cms-ii"],
)
def test_the_design_cards_driven_first_page_is_its_answer_with_every_parameter(client, params):
    """activities-by-listing pages through its driver (activities touching the appendix's taxa), its rows
    evaluated for those activities with the parameters joined in: the real graph's answer fits one page."""
    whole = _csv_rows(client.get("/queries/activities-by-listing", params={**params, "format": "csv"}))
    page = _csv_rows(client.get("/queries/activities-by-listing", params={**params, "format": "csv", "page": "1"}))
    assert 0 < len(whole) < 100 and _as_set(page) == _as_set(whole)
    assert _order_keys("activities-by-listing", page) == _order_keys("activities-by-listing", whole)
