"""/: the entry page, with a working SPARQL form, the canned queries and an index whose links resolve."""

from __future__ import annotations

import re

from tests.helpers import bindings


def test_entry_page(client):
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Programme of Work for the Central Asian Mammals Initiative" in page.text
    assert 'href="/queries/activities-by-listing?format=csv"' in page.text
    assert 'href="/id/taxon/uncia-uncia"' in page.text and 'href="/id/country/KZ"' in page.text
    example = re.search(r"<textarea name=\"query\"[^>]*>(.*?)</textarea>", page.text, re.S).group(1)
    answer = client.get(
        "/sparql",
        params={
            "query": example.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&quot;", '"'),
            "format": "json",
        },
    )
    rows = bindings(answer)
    assert answer.status_code == 200 and len(rows) == 34
    activities = [row["activity"] for row in rows]
    assert all(iri.startswith("https://w3id.org/mea-kg/id/activity/") for iri in activities), activities
    for iri in activities[::11]:  # the results link to the activities' own pages
        local = iri.replace("https://w3id.org/mea-kg/id/", "/id/", 1)
        assert client.get(local, headers={"Accept": "text/html"}).status_code == 200, local


def test_index_links_resolve(client):
    page = client.get("/")
    links = sorted(set(re.findall(r'href="(/id/[^"]+)"', page.text)))
    assert len(links) > 150
    for link in links[::7]:
        assert client.get(link, headers={"Accept": "text/html"}).status_code == 200, link
