"""/queries: the catalogue over HTTP, with parameters bound as terms and clear 400s."""

from __future__ import annotations

import csv
import io


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
    codes = {b["code"]["value"] for b in response.json()["results"]["bindings"]}
    assert {"B5", "B16", "2.3.1"} <= codes and "B14" not in codes


def test_parameters_and_negotiation(client):
    response = client.get("/queries/activities-by-actor", params={"actor": "https://w3id.org/mea-kg/id/actor/giz"},
                          headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["code"] for r in rows} == {"4.1.4", "4.1.5", "4.1.6", "4.1.7"}
    assert client.get("/queries/unconfirmed-responsibilities", params={"format": "tsv"}).text.startswith("?programme")


def test_bad_parameters_are_400(client):
    for params in ({"appendix": "IV"}, {"as-of": "yesterday"}, {"convention": "cites"}, {"unknown": "1"},
                   [("appendix", "I"), ("appendix", "II")]):
        response = client.get("/queries/activities-by-listing", params=params)
        assert response.status_code == 400, params
        assert response.json()["type"].endswith("#bad-request")


def test_unknown_query_is_404(client):
    response = client.get("/queries/no-such-query")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
