"""/id/…: every resource IRI dereferences, in every RDF format, agreeing with the store."""

from __future__ import annotations

import html
import re

import pytest
import rdflib
from rdflib.compare import isomorphic

B5 = "/id/activity/jwp/B5"
B5_IRI = rdflib.URIRef("https://w3id.org/mea-kg/id/activity/jwp/B5")
FORMATS = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
]


@pytest.mark.parametrize(("accept", "rdflib_format"), FORMATS)
def test_formats_agree(client, accept, rdflib_format):
    response = client.get(B5, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    reference = rdflib.Graph().parse(
        data=client.get(B5, headers={"Accept": "application/n-triples"}).content, format="nt"
    )
    assert isomorphic(graph, reference)
    assert (B5_IRI, rdflib.URIRef("https://w3id.org/mea-kg/ontology#code"), rdflib.Literal("B5")) in graph


def test_description_matches_the_store(client, graph):
    served = rdflib.Graph().parse(data=client.get(B5, headers={"Accept": "application/n-triples"}).content, format="nt")
    stored = {
        (row["p"].value, row["o"].value)
        for row in graph.query(f"SELECT DISTINCT ?p ?o WHERE {{ <{B5_IRI}> ?p ?o }}", use_default_graph_as_union=True)
    }
    assert {(str(p), str(o)) for p, o in served.predicate_objects(B5_IRI)} == stored


RESPONSIBILITY = rdflib.URIRef("https://w3id.org/mea-kg/ontology#responsibility")


def linked_label_languages(graph: rdflib.Graph) -> set[str]:
    return {
        label.language
        for node in graph.objects(B5_IRI, RESPONSIBILITY)
        for label in graph.objects(node, rdflib.RDFS.label)
    }


def test_accept_language_picks_linked_labels(client):
    french = client.get(B5, headers={"Accept": "text/turtle", "Accept-Language": "fr-CH, en;q=0.5"})
    assert "Accept-Language" in french.headers["vary"]
    assert linked_label_languages(rdflib.Graph().parse(data=french.content, format="turtle")) == {"fr"}
    english = client.get(B5, headers={"Accept": "text/turtle", "Accept-Language": "en-GB"})
    assert linked_label_languages(rdflib.Graph().parse(data=english.content, format="turtle")) == {"en"}
    both = client.get(B5, headers={"Accept": "text/turtle"})
    assert linked_label_languages(rdflib.Graph().parse(data=both.content, format="turtle")) == {"fr", "en"}


def test_unknown_resource_is_404_and_bad_accept_406(client):
    assert client.get("/id/activity/jwp/Z99").status_code == 404
    assert client.get(B5, headers={"Accept": "image/png"}).status_code == 406


def test_every_activity_dereferences(client, select):
    activities = [r["a"] for r in select("SELECT ?a WHERE { ?a a mea:Activity }")]
    assert len(activities) == 154
    for iri in activities[::10]:
        assert (
            client.get(iri.replace("https://w3id.org/mea-kg", ""), headers={"Accept": "text/turtle"}).status_code == 200
        )


def test_browsers_get_an_html_page(client):
    page = client.get("/id/activity/cami/1.1.6", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Promouvoir l’échange d’informations" in page.text and "Promote the exchange of information" in page.text
    assert 'href="/id/actor/traffic"' in page.text and "Activity with an unconfirmed actor" in page.text
    assert re.search(r"1\.1\.6: TRAFFIC</a> <span class=\"unconfirmed\">\(to be confirmed\)", page.text)
    assert (
        page.text.count("(to be confirmed)") == 4
    )  # TRAFFIC and the CITES Secretariat, in the actors section and the statements
    assert "?format=turtle" in page.text and "/sparql?query=" in page.text


def test_page_links_resolve(client):
    import re

    page = client.get("/id/taxon/uncia-uncia", headers={"Accept": "text/html"})
    assert "/id/activity/jwp/B5" in page.text  # incoming: the activities that target it
    links = set(re.findall(r'href="(/[^"?#]*)', page.text))
    assert len(links) > 10
    for link in links:
        assert client.get(link).status_code == 200, link


def test_language_and_format_overrides(client):
    french = client.get("/id/activity/cami/1.1.6", params={"lang": "fr"}, headers={"Accept": "text/html"})
    assert french.headers["content-language"] == "fr" and "Activité CAMI 1.1.6</h1>" in french.text
    turtle = client.get("/id/activity/cami/1.1.6", params={"format": "turtle"}, headers={"Accept": "text/html"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert client.get("/id/activity/cami/1.1.6", params={"lang": "de"}).status_code == 400
    assert client.get("/id/activity/cami/1.1.6", params={"format": "csv"}).status_code == 400


def _section(page: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert match, f"no section {name}"
    return match.group(1)


def test_activity_page_sections(client):
    page = client.get("/id/activity/cami/2.3.8", headers={"Accept": "text/html"}).text
    facts = _section(page, "activity-facts")
    assert "Increase transboundary cooperation across the Ustyurt." in facts and "Accroître la coopération" in facts
    assert 'href="/id/priority/high-medium"' in facts
    places = _place_rows(_section(page, "activity-places"))
    assert places["/id/landscape/ustyurt"] == ["Ustyurt landscape", "Landscape", "named in the activity", ""]
    actors = _section(page, "activity-actors")
    assert 'href="/id/actor/saiga-mou"' in actors and 'href="/id/actor/cms-secretariat"' in actors
    taxa = _section(page, "activity-taxa")
    assert re.search(r'href="/id/taxon/equus-hemionus">[^<]*</a></td>\s*<td>II</td>\s*<td>II</td>', taxa), (
        "CITES II and CMS II"
    )
    assert re.search(r'href="/id/taxon/saiga">[^<]*</a></td>\s*<td></td>\s*<td>II</td>', taxa), (
        "the genus: CITES lists its species"
    )
    assert page.count('role="group" class="picture"') == 1 and 'href="/id/taxon/saiga"><title>' in page  # and a map
    sub_items = _section(
        client.get("/id/activity/cami/1.3.1?lang=fr", headers={"Accept": "text/html"}).text, "activity-sub-items"
    )
    assert sub_items.count("<tr>") == 1 + 6 and "élaborer des normes communes pour les cartes" in sub_items


def test_taxon_page_shows_listings_over_time_and_activities(client, backend):
    page = client.get("/id/taxon/uncia-uncia", headers={"Accept": "text/html"}).text
    listings = _section(page, "taxon-listings")
    assert "1975-07-01" in listings and "1986-01-24" in listings and "<details>" in listings  # long citations folded
    assert 'aria-labelledby="taxon-listings-timeline"' in page and "CITES I — Uncia uncia" in page
    assert '<figcaption id="taxon-listings-timeline">Listings over time: ' in page
    assert 'class="open-start"' not in page  # every start of the snow leopard's listings is known
    if backend != "virtuoso":  # Virtuoso 7.2 sometimes joins the section's grouped OPTIONAL sub-select wrongly
        assert "None." in _section(page, "taxon-listing-discrepancies")  # and shows a note: a known issue
    activities = _section(page, "taxon-activities")
    assert {"/id/activity/cami/2.1.1", "/id/activity/jwp/B5", "/id/activity/jwp/B6"} == set(
        re.findall(r'href="(/id/activity/[^"]+)"', activities)
    )


def test_taxon_page_notes_where_the_documents_and_the_dated_record_disagree(client):
    page = client.get("/id/taxon/cervus-elaphus-yarkandensis", headers={"Accept": "text/html"}).text
    note = _section(page, "taxon-listing-discrepancies")
    assert note.count("<tr>") == 1 + 2  # footnote 1 of Resolution 11.24 and section II of the programme
    assert "<td>I II</td>" in note and "<td>II</td>" in note and "/id/section/cms-resolution-11.24/footnote-1" in note
    assert "at least from 2015-02-08" in page and 'class="open-start"' in page  # drawn as an open start
    french = client.get("/id/taxon/cervus-elaphus-yarkandensis?lang=fr", headers={"Accept": "text/html"}).text
    assert "au moins depuis le 2015-02-08" in french


def _place_rows(section: str) -> dict[str, list[str]]:
    """Place (or activity) link → the texts of the other cells of its row."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        link = re.search(r'href="(/id/[^"]+)"', row)
        if link:
            rows[link.group(1)] = [
                re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
            ]
    return rows


def test_activity_page_says_which_places_the_activity_names_and_which_come_from_its_heading(client):
    places = _place_rows(
        _section(client.get("/id/activity/cami/2.3.1", headers={"Accept": "text/html"}).text, "activity-places")
    )
    assert set(places) == {"/id/country/IR", "/id/country/AF", "/id/country/PK", "/id/country/TM"}
    assert places["/id/country/IR"][2] == "named in the activity"
    cheetah = ["from its heading", "Cheetah (Afghanistan, Iran (Islamic Republic of), Pakistan, Turkmenistan)"]
    assert places["/id/country/AF"][2:] == places["/id/country/PK"][2:] == places["/id/country/TM"][2:] == cheetah
    page = client.get("/id/activity/cami/2.3.11?lang=fr", headers={"Accept": "text/html"}).text
    places = _place_rows(_section(page, "activity-places"))
    assert places["/id/country/KG"][2] == places["/id/site/alai-valley"][2] == "nommé dans l’activité"
    assert places["/id/country/KZ"][2] == "tiré de son intitulé" and places["/id/country/KZ"][3].startswith("Hémione/")
    assert "/id/landscape/ustyurt" not in places
    places = _place_rows(
        _section(client.get("/id/activity/cami/4.1.1", headers={"Accept": "text/html"}).text, "activity-places")
    )
    assert places == {"/id/site/central-asia": ["Central Asia", "Site", "named in the activity", ""]}


def test_country_page_says_whether_the_activity_or_its_heading_names_the_country(client):
    rows = _place_rows(_section(client.get("/id/country/AF", headers={"Accept": "text/html"}).text, "place-activities"))
    assert rows["/id/activity/cami/2.3.3"][-1] == "named in the activity"
    assert rows["/id/activity/cami/2.3.1"][-1] == "from its heading"
    assert rows["/id/activity/cami/2.3.1"][-2].startswith("Cheetah (Afghanistan")


def test_place_and_actor_pages(client):
    country = _section(client.get("/id/country/KZ", headers={"Accept": "text/html"}).text, "place-activities")
    assert 'href="/id/activity/cami/2.3.8"' in country
    landscape = _section(client.get("/id/landscape/ustyurt", headers={"Accept": "text/html"}).text, "place-activities")
    assert 'href="/id/activity/cami/2.3.8"' in landscape
    actor = _section(
        client.get("/id/actor/traffic?lang=fr", headers={"Accept": "text/html"}).text, "actor-responsibilities"
    )
    assert 'href="/id/activity/cami/1.1.6"' in actor and "(à confirmer)" in actor


def test_each_section_links_a_query_that_reproduces_it(client):
    page = client.get("/id/actor/traffic", headers={"Accept": "text/html"}).text
    link = re.search(r'<section id="actor-responsibilities">\s*<h2>[^<]*<a class="query" href="([^"]+)"', page).group(1)
    answer = client.get(html.unescape(link))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = answer.text.strip().splitlines()[1:]
    assert len(rows) == _section(page, "actor-responsibilities").count("<tr>") - 1 and any(
        "1.1.6" in row for row in rows
    )


def test_head_answers_like_get_without_a_body(client):
    for path, accept in (
        ("/id/taxon/saiga", "text/turtle"),
        ("/id/taxon/saiga", "text/html"),
        ("/ontology", "text/html"),
        ("/sitemap.xml", "*/*"),
    ):
        head, get = client.head(path, headers={"Accept": accept}), client.get(path, headers={"Accept": accept})
        assert head.status_code == get.status_code == 200 and head.content == b"", path
        assert (
            head.headers.get("etag") == get.headers.get("etag")
            and head.headers["content-type"] == get.headers["content-type"]
        )
    assert client.head("/id/taxon/no-such-taxon").status_code == 404


def test_programme_page_lists_its_activities_in_source_order(client):
    for path, count, first, last in (
        ("/id/programme/cami", 121, "1.1.1", "4.3."),
        ("/id/programme/jwp", 33, "A1", "D5"),
    ):
        section = _section(client.get(path, headers={"Accept": "text/html"}).text, "programme-activities")
        activities = re.findall(r'href="/id/activity/[a-z]+/([^"]+)"', section)
        assert len(activities) == count and activities[0] == first and activities[-1].startswith(last), path
