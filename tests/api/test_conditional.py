"""Conditional requests on every route that sends an ETag (kg.api.answers.not_modified, RFC 9110 §13.1.2):
a matching If-None-Match — the tag, its weak form, a list holding it, ``*`` — answers 304 with the headers of
the 200; anything else, malformed included, answers 200; a POST it matches answers 412."""

from __future__ import annotations

import pytest

ACTIVITY = "SELECT ?a WHERE { ?a a <https://w3id.org/mea-kg/ontology#Activity> } ORDER BY ?a LIMIT 3"
ONTOLOGY_GRAPH = "https://w3id.org/mea-kg/graph/ontology"
ROUTES = [
    ("/sparql", "/sparql?query=" + ACTIVITY.replace(" ", "%20").replace("#", "%23")),
    ("/sparql", "/sparql"),  # the Service Description
    ("/store", f"/store?graph={ONTOLOGY_GRAPH}"),
    ("/queries/{name}", "/queries/unconfirmed-responsibilities"),
    ("/queries/{name}", "/queries/unconfirmed-responsibilities?page=1"),
    ("/id/{path}", "/id/activity/cami/2.3.8"),
    ("/id/{path}", "/id/activity/cami/2.3.8?format=html"),
    ("/ontology", "/ontology"),
    ("/context.jsonld", "/context.jsonld"),
    ("/.well-known/void", "/.well-known/void"),
    ("/catalog", "/catalog"),
    ("/sitemap.xml", "/sitemap.xml"),
    ("/dumps/{name}", "/dumps/mea-kg.ttl"),
    ("/informea/", "/informea/"),
    ("/informea/$metadata", "/informea/$metadata"),
    ("/informea/{path}", "/informea/Decisions?$format=json&$top=2"),
    ("/informea/{path}", "/informea/Decisions/$count"),
]
REPEATED = ("etag", "cache-control", "vary", "content-location", "expires")
"""What a 304 repeats of its 200 (RFC 9110 §15.4.5; ``Date`` is the server's, added by uvicorn to both)."""


def test_every_route_documenting_a_304_is_checked_here(client):
    documented = {
        path for path, item in client.app.openapi()["paths"].items() if "304" in item.get("get", {})["responses"]
    }
    assert documented == {template for template, _ in ROUTES}


@pytest.mark.parametrize(("template", "url"), ROUTES, ids=[url for _, url in ROUTES])
def test_a_matching_if_none_match_answers_304_with_the_headers_of_the_200(client, backend, template, url):
    if template == "/dumps/{name}" and backend != "embedded":
        pytest.skip("dumps are files of an embedded build")
    first = client.get(url)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('"') and "cache-control" in first.headers
    for if_none_match in (etag, f"W/{etag}", f'"elsewhere", {etag}', f'W/"a,b" ,, {etag} ', "*"):
        for method in ("GET", "HEAD"):
            again = client.request(method, url, headers={"If-None-Match": if_none_match})
            assert again.status_code == 304, (method, if_none_match)
            assert again.content == b""
            assert {h: again.headers.get(h) for h in REPEATED} == {h: first.headers.get(h) for h in REPEATED}
    for if_none_match in ('"elsewhere"', 'W/"elsewhere", "other"', etag.strip('"'), f"{etag} junk", f"{etag[:-1]}"):
        again = client.get(url, headers={"If-None-Match": if_none_match})
        assert again.status_code == 200, if_none_match
        assert again.headers["etag"] == etag


def test_what_each_kind_of_answer_varies_by(client):
    """The negotiated answers vary by Accept, the resource pages also by Accept-Language (and name their URL);
    the fixed documents (sitemap, context) not by Accept; every answer with an ETag by Accept-Encoding (gzip)."""
    resource = client.get("/id/activity/cami/2.3.8")
    assert {"accept", "accept-language", "accept-encoding"} <= _varies(resource)
    assert resource.headers["content-location"].endswith("/id/activity/cami/2.3.8")
    for url in ("/sparql", "/informea/", "/ontology", "/.well-known/void"):
        assert {"accept", "accept-encoding"} <= _varies(client.get(url)), url
    for url in ("/sitemap.xml", "/context.jsonld"):
        assert "accept" not in _varies(client.get(url)), url
        assert "accept-encoding" in _varies(client.get(url, headers={"Accept-Encoding": "identity"})), url


def _varies(response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("vary", "").split(",") if name.strip()}


def test_a_post_the_tag_matches_is_refused_with_412(client):
    etag = client.get("/sparql", params={"query": ACTIVITY}).headers["etag"]
    form = {"Content-Type": "application/x-www-form-urlencoded", "If-None-Match": etag}
    refused = client.post("/sparql", data={"query": ACTIVITY}, headers=form)
    assert refused.status_code == 412
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("#precondition-failed")
    answered = client.post("/sparql", data={"query": ACTIVITY}, headers={**form, "If-None-Match": '"elsewhere"'})
    assert answered.status_code == 200 and answered.headers["etag"] == etag


def test_another_representation_has_another_tag(client):
    turtle = client.get("/id/activity/cami/2.3.8", headers={"Accept": "text/turtle"})
    jsonld = client.get(
        "/id/activity/cami/2.3.8", headers={"Accept": "application/ld+json", "If-None-Match": turtle.headers["etag"]}
    )
    assert jsonld.status_code == 200 and jsonld.headers["etag"] != turtle.headers["etag"]
