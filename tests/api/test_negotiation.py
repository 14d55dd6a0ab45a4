"""Accept and Accept-Language through the service: one parser (kg.accept) on every route; a malformed header
gets the default answer, never an error."""

from __future__ import annotations

import pytest
import rdflib

from tests.api.routes.test_resources import B5, linked_label_languages

ASK = "/sparql?query=ASK%7B%7D"
RESOURCE = "/id/activity/cami/2.3.8"
MALFORMED = ["text/turtle;q=high", "turtle", "*/turtle", 'text/turtle;profile="open', "text/turtle;q=1.5"]


@pytest.mark.parametrize("accept", MALFORMED)
def test_a_malformed_accept_gets_each_routes_default(client, accept):
    defaults = {
        ASK: "application/sparql-results+json",
        RESOURCE: "text/turtle",
        "/.well-known/void": "text/turtle",
        "/informea/": "application/atomsvc+xml",
    }
    for url, media_type in defaults.items():
        response = client.get(url, headers={"Accept": accept})
        assert response.status_code == 200, (url, response.text)
        assert response.headers["content-type"].split(";")[0] == media_type, url


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/atom+xml;q=0.5, application/json", "application/json"),
        ("application/json;q=0.1, application/atom+xml", "application/atomsvc+xml"),  # not by substring
        ("*/*", "application/atomsvc+xml"),
        ("text/csv", "application/atomsvc+xml"),  # nothing acceptable: the feed still answers, in Atom
    ],
)
def test_the_odata_feed_weighs_accept(client, accept, media_type):
    response = client.get("/informea/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_an_excluded_type_is_not_answered(client):
    graph = client.get(RESOURCE, headers={"Accept": "text/*;q=0.5, text/turtle;q=0"})
    assert graph.headers["content-type"].split(";")[0] == "application/n-triples"  # the other text/* format
    assert client.get(RESOURCE, headers={"Accept": "text/turtle;q=0"}).status_code == 406


@pytest.mark.parametrize(
    ("accept_language", "languages"),
    [
        ("fr-CH, en;q=0.5", {"fr"}),
        ("fr;q=0, en", {"en"}),
        ("en;q=0.4, fr;q=0.6", {"fr"}),
        ("*", {"en", "fr"}),
        ("fr;q=x", {"en", "fr"}),  # malformed: as if absent
    ],
)
def test_accept_language_picks_the_linked_labels(client, accept_language, languages):
    response = client.get(B5, headers={"Accept": "text/turtle", "Accept-Language": accept_language})
    assert response.status_code == 200
    assert linked_label_languages(rdflib.Graph().parse(data=response.content, format="turtle")) == languages
