"""GET /search, /search/suggest and the search inside SPARQL, through the HTTP API (on each back-end)."""

from __future__ import annotations

import pytest

from tests.helpers import bindings

ID = "https://w3id.org/mea-kg/id/"
SEARCH_BLOCK = """SELECT ?activity ?code ?score WHERE {
  SERVICE <https://w3id.org/mea-kg/search> {
    ?activity mea:query "border fences" ; mea:type "activity" ; mea:limit 5 ; mea:score ?score .
  }
  ?activity mea:code ?code .
} ORDER BY DESC(?score)"""


def test_search_answers_hits_with_labels_snippets_and_facets(client):
    answer = client.get("/search", params={"q": "clôtures frontalières", "limit": 5})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["query"] == "clôtures frontalières" and body["total"] >= len(body["hits"]) > 0
    iris = [hit["iri"] for hit in body["hits"]]
    assert ID + "activity/cami/2.2.1" in iris or ID + "activity/cami/1.3.4" in iris, iris
    first = body["hits"][0]
    assert set(first) == {"iri", "type", "code", "label", "score", "snippet", "field"}
    assert any("<mark>" in hit["snippet"] for hit in body["hits"])  # the matching words, highlighted
    assert {"type", "programme", "taxon", "country"} <= set(body["facets"])
    assert sum(f["count"] for f in body["facets"]["type"]) == body["total"]


def test_accents_need_not_be_typed_and_quoted_phrases_must_occur(client):
    plain = client.get("/search", params={"q": "cloture frontaliere"}).json()
    assert ID + "activity/cami/2.2.1" in [hit["iri"] for hit in plain["hits"]]
    phrase = client.get("/search", params={"q": '"commerce illégal"', "limit": 100}).json()
    assert phrase["total"] > 0
    assert all("commerce illégal" in hit["snippet"].replace("<mark>", "").replace("</mark>", "") or
               hit["field"] != "body" for hit in phrase["hits"])  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Panthera unc", "taxon/uncia-uncia"),  # a prefix of a synonym, as CITES Species+ finds taxa
        ("snow leo", "taxon/uncia-uncia"),  # of a vernacular name
        ("снежный барс", "taxon/uncia-uncia"),  # Russian
        ("雪豹", "taxon/uncia-uncia"),  # Chinese
        ("телеметрия", "activity/cami/2.3.6"),  # the documents say "telemetry"
    ],
)
def test_names_and_other_languages_find_what_they_mean(client, query, expected):
    hits = client.get("/search", params={"q": query, "limit": 5}).json()["hits"]
    assert ID + expected in [hit["iri"] for hit in hits], (query, hits)


def test_filters_keep_what_they_name(client):
    kept = client.get("/search", params={"q": "elephants", "type": "activity", "programme": "programme/jwp"}).json()
    assert kept["hits"] and all(hit["type"] == "activity" and "/activity/jwp/" in hit["iri"] for hit in kept["hits"])
    by_country = client.get("/search", params={"q": "protected areas", "country": "country/IR"}).json()
    assert by_country["hits"] and all(ID + "country/IR" in [f["value"] for f in by_country["facets"]["country"]]
                                      for _ in by_country["hits"])  # fmt: skip
    french = client.get("/search", params={"q": "telemetry", "lang": "fr", "type": "activity"}).json()
    assert french["hits"][0]["label"].startswith("Activité")


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "a", "type": "galaxy"}, "type"),
        ({"q": "a", "lang": "de"}, "lang"),
        ({"q": "a", "limit": "-1"}, "limit"),
        ({"q": "a", "limit": "100000"}, "limit"),
        ({"q": "a", "page": "0"}, "page"),
        ({"q": "a", "mode": "magic"}, "mode"),
        ({}, "q"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client, params, named):
    answer = client.get("/search", params=params)
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"].startswith(f"parameter {named}"), answer.json()


@pytest.mark.parametrize(
    "text", ['"', "a:b", "(( ]]", "title:fence AND body:*", "SELECT * { ?s ?p ?o }", "\x00\x1f", "ü" * 500]
)
def test_operators_and_control_characters_are_just_text(client, text):
    assert client.get("/search", params={"q": text}).status_code in (200, 400)
    assert client.get("/search/suggest", params={"q": text}).status_code in (200, 400)


def test_browsers_get_a_results_page_with_facets_as_links(client):
    page = client.get("/search", params={"q": "trophy hunting"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="/id/activity/cami/1.1.7"' in page.text and "<mark>" in page.text
    assert "format=html&amp;programme=" in page.text  # facets narrow the search
    home = client.get("/", headers={"Accept": "text/html"})
    assert 'action="/search"' in home.text  # a search box on the entry page


def test_suggestions_complete_names(client):
    found = client.get("/search/suggest", params={"q": "snow leo"}).json()
    assert found[0]["iri"] == ID + "taxon/uncia-uncia" and found[0]["label"].startswith("snow leopard")


def test_search_inside_sparql_composes_with_other_patterns(client):
    answer = client.get(
        "/sparql", params={"query": SEARCH_BLOCK}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    rows = bindings(answer)
    assert 0 < len(rows) <= 5 and {row["code"] for row in rows} & {"2.2.1", "1.3.4"}
    assert [float(r["score"]) for r in rows] == sorted((float(r["score"]) for r in rows), reverse=True)


def test_the_canned_search_query_binds_its_parameter(client):
    answer = client.get("/queries/activities-matching", params={"q": "trophy hunting", "format": "json"})
    assert answer.status_code == 200, answer.text
    assert {"1.1.7", "4.2.2"} <= {row["code"] for row in bindings(answer)}


def test_a_bad_search_block_is_a_400_and_an_update_cannot_search(client):
    bad = client.get(
        "/sparql", params={"query": "SELECT * { SERVICE <https://w3id.org/mea-kg/search> { ?x mea:score ?s } }"}
    )
    assert bad.status_code == 400 and "mea:query" in bad.json()["detail"]


def test_a_search_matching_nothing_answers_no_hits_and_empty_facets(client):
    body = client.get("/search", params={"q": '"zzqxv wwkq"'}).json()
    assert body["total"] == 0 and body["hits"] == [] and all(not values for values in body["facets"].values())
