"""The InforMEA-style OData v2 feed, harvested by a real OData client (pyodata) from `kg serve` in a subprocess,
and checked against the graph."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pyodata
import pytest
import requests
from pyodata.v2.service import HttpError

from support.live import remote_options

ID = "https://w3id.org/mea-kg/id/"
PAGE_SIZE = 4
ATOM, M, D = (
    "{http://www.w3.org/2005/Atom}",
    "{http://schemas.microsoft.com/ado/2007/08/dataservices/metadata}",
    "{http://schemas.microsoft.com/ado/2007/08/dataservices}",
)
RESOLUTION = "document/cms-resolution-11.24"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base(served_settings) -> str:
    """The feed's root URL on `kg serve` (a small page size, so that paging shows on this small graph)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/informea/"
    env = {**os.environ, "KG_INFORMEA_PAGE_SIZE": str(PAGE_SIZE)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--port",
            str(port),
            "--store",
            str(served_settings.store_dir),
            *remote_options(served_settings),
            "--workers",
            "2",
            "--query-timeout",
            "10",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{url} did not come up")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def odata(base) -> pyodata.Client:
    return pyodata.Client(base, requests.Session())


def harvest(request) -> list:
    """Every entity of a pyodata request, following the server's __next links."""
    page = request.execute()
    entities = list(page)
    while page.next_url:
        page = request.next_url(page.next_url).execute()
        entities.extend(page)
    return entities


def day(value: dt.datetime) -> str:
    return value.date().isoformat()


# --- metadata and every entity set ------------------------------------------------------------------------


def test_metadata_has_informeas_entity_types_and_names(odata):
    assert odata.schema.namespaces == ["informea"]
    decision = odata.schema.entity_type("Decision")
    assert [p.name for p in decision.proprties()] == [
        "id",
        "link",
        "number",
        "status",
        "type",
        "treaty",
        "treatyUUID",
        "published",
        "updated",
        "meetingId",
        "meetingTitle",
        "meetingUrl",
        "displayOrder",
    ]
    assert (
        decision.proprty("published").typ.name == "Edm.DateTime"
        and decision.proprty("displayOrder").typ.name == "Edm.Int32"
    )
    assert [n.name for n in decision.nav_proprties] == [
        "title",
        "longTitle",
        "summary",
        "content",
        "keywords",
        "files",
        "documents",  # ours: the documents adopted with the decision
    ]
    meeting = odata.schema.entity_type("Meeting")
    assert {
        "id",
        "treaty",
        "url",
        "start",
        "end",
        "kind",
        "type",
        "access",
        "status",
        "location",
        "city",
        "country",
    } <= {p.name for p in meeting.proprties()}
    assert [n.name for n in meeting.nav_proprties] == ["title", "description"]
    document = odata.schema.entity_type("Document")
    assert [n.name for n in document.nav_proprties] == [
        "treaties",
        "authors",
        "description",
        "files",
        "identifiers",
        "keywords",
        "referenceToEntities",
        "tags",
        "title",
        "types",
    ]
    treaty = odata.schema.entity_type("Treaty")
    assert [p.name for p in treaty.proprties()] == [
        "id",
        "UUID",
        "url",
        "titleEnglish",
        "officialNameEnglish",
        "treatyWebsiteURL",
    ]
    assert [n.name for n in treaty.nav_proprties] == ["title", "description"]
    assert {p.name for p in odata.schema.entity_type("DecisionTitle").proprties()} == {"id", "language", "value"}
    assert {p.name for p in odata.schema.entity_type("DecisionKeyword").proprties()} == {"id", "namespace", "term"}
    sets = {s.name: s.entity_type.name for s in odata.schema.entity_sets}
    assert {  # the record sets as InforMEA's mapping names them
        "Treaties": "Treaty",
        "Decisions": "Decision",
        "DecisionTitle": "DecisionTitle",
        "longTitle": "DecisionLongTitle",
        "summary": "DecisionSummary",
        "content": "DecisionContent",
        "keywords": "DecisionKeyword",
        "DecisionFile": "DecisionFile",
        "DocumentTitles": "DocumentTitle",
        "treaty": "DocumentTreaty",
        "title": "TreatyTitle",
        "description": "TreatyDescription",
    }.items() <= sets.items()


def test_every_entity_set_is_harvested_page_by_page(odata):
    for entity_set in odata.schema.entity_sets:
        proxy = getattr(odata.entity_sets, entity_set.name)
        entities = harvest(proxy.get_entities())
        key = entity_set.entity_type.key_proprties[0].name
        ids = [getattr(e, key) for e in entities]
        assert len(ids) == len(set(ids)) == proxy.get_entities().count().execute(), entity_set.name
        assert ids == sorted(ids), entity_set.name  # the default order is by id: stable across harvests


def test_sets_hold_what_the_graph_holds(odata, select):
    def ids(query):
        return sorted(r["s"].removeprefix(ID) for r in select(query))

    decisions = harvest(odata.entity_sets.Decisions.get_entities())
    assert [d.id for d in decisions] == ids("SELECT ?s WHERE { ?s a mea:Decision }")
    documents = harvest(odata.entity_sets.Documents.get_entities())
    assert [d.id for d in documents] == ids(
        "SELECT ?s WHERE { ?s a mea:Document FILTER NOT EXISTS { ?s a mea:Decision } }"
    )
    meetings = harvest(odata.entity_sets.Meetings.get_entities())
    assert [m.id for m in meetings] == ids("SELECT ?s WHERE { ?s a mea:Meeting }")
    treaties = harvest(odata.entity_sets.Treaties.get_entities())
    assert sorted(t.id for t in treaties) == sorted(
        r["a"].lower() for r in select("SELECT ?a WHERE { ?c a mea:Convention ; mea:acronym ?a }")
    )


def test_one_property_of_one_entity(base):
    """``url`` is also pyodata's name for an entity's address (and its get_proprty drops the key), so read it raw."""
    for treaty in ("cms", "cites"):
        response = requests.get(f"{base}Treaties('{treaty}')/url", headers={"Accept": "application/json"}, timeout=10)
        assert response.json() == {"d": {"url": f"{ID}convention/{treaty}"}}
    xml = ET.fromstring(requests.get(f"{base}Meetings('meeting/cms-cop11')/start", timeout=10).content)
    assert (xml.tag, xml.text, xml.get(M + "type")) == (D + "start", "2014-11-04T00:00:00", "Edm.DateTime")


def test_ids_are_the_paths_of_the_graphs_iris(odata, select):
    """Ids come from the resources' IRIs (not from build order), so they never change between builds."""
    for name in ("Decisions", "Documents", "Meetings"):
        for entity in harvest(getattr(odata.entity_sets, name).get_entities()):
            assert select(f"SELECT ?p WHERE {{ <{ID}{entity.id}> ?p ?o }} LIMIT 1"), entity.id


# --- content checked against the graph --------------------------------------------------------------------


def test_resolution_11_24_is_a_cms_decision_of_cop11(odata, select):
    decision = (
        odata.entity_sets.Decisions.get_entity(RESOLUTION)
        .expand("title,longTitle,content,keywords,documents")
        .execute()
    )
    assert (decision.number, decision.type, decision.treaty, decision.status) == (
        "11.24",
        "resolution",
        "cms",
        "active",  # InforMEA's status of a decision in force
    )
    assert (decision.meetingId, decision.meetingUrl) == ("meeting/cms-cop11", ID + "meeting/cms-cop11")
    assert decision.link == ID + RESOLUTION
    assert (
        decision.meetingTitle
        == select("SELECT ?l WHERE { id:meeting\\/cms-cop11 rdfs:label ?l FILTER(LANG(?l) = 'en') }")[0]["l"]
    )
    assert day(decision.published) == "2014-11-09"  # the last day of COP11, the meeting that adopted it
    titles = {t.language: t.value for t in decision.title}
    graph_titles = {
        r["l"]: r["t"]
        for r in select("SELECT ?t (LANG(?t) AS ?l) WHERE { id:document\\/cms-resolution-11.24 mea:title ?t }")
    }
    assert (
        titles
        == graph_titles
        == {"fr": "L’Initiative pour les mammifères d’Asie centrale", "en": "Central Asian Mammals Initiative"}
    )
    assert {t.language for t in decision.longTitle} == {"fr", "en"}
    contents = {c.language: c.value for c in decision.content}
    assert contents["fr"].startswith("Adoptée par la Conférence des Parties lors de sa 11e réunion")
    assert "Adopte le Programme de travail pour l’Initiative pour les mammifères d’Asie centrale" in contents["fr"]
    assert contents["fr"].index("Profondément préoccupée") < contents["fr"].index(
        "Adopte le Programme"
    )  # document order
    keywords = {(k.namespace, k.term) for k in decision.keywords}
    assert {
        ("http://www.informea.org/terms/", "migratory species"),
        ("http://www.informea.org/terms/", "appendix"),
    } <= keywords
    assert [d.id for d in decision.documents] == ["programme/cami"]  # the CAMI programme of work, its annex


def test_cami_programme_is_reachable_from_its_resolution(odata):
    documents = odata.entity_sets.Decisions.get_entity(RESOLUTION).nav("documents").get_entities().execute()
    (cami,) = documents
    programme = (
        odata.entity_sets.Documents.get_entity(cami.id).expand("title,referenceToEntities,treaties,types").execute()
    )
    assert {t.language: t.value for t in programme.title}[
        "en"
    ] == "Programme of Work for the Central Asian Mammals Initiative (2014–2020)"
    assert ("annexOf", RESOLUTION) in {(r.type, r.refId) for r in programme.referenceToEntities}
    assert [t.value for t in programme.treaties] == ["cms"] and programme.treaty == "cms"
    assert [t.value for t in programme.types] == ["Work programme"]


def test_cop11_is_a_meeting_in_quito(odata, base):
    meeting = odata.entity_sets.Meetings.get_entity("meeting/cms-cop11").expand("title").execute()
    assert (day(meeting.start), day(meeting.end)) == ("2014-11-04", "2014-11-09")
    assert (meeting.city, meeting.country, meeting.treaty, meeting.location) == ("Quito", "EC", "cms", "Quito, Ecuador")
    assert {t.language for t in meeting.title} == {"fr", "en"}
    raw = requests.get(base + "Meetings('meeting/cms-cop11')", params={"$format": "json"}, timeout=10).json()["d"]
    assert (raw["treatyUUID"], raw["latitude"], raw["virtual"]) == (None, None, None)  # not in the graph: null


def test_joint_work_programme_is_a_document_of_both_treaties(odata):
    jwp = (
        odata.entity_sets.Documents.get_entity("programme/jwp")
        .expand("treaties,title,authors,keywords,identifiers")
        .execute()
    )
    assert sorted(t.value for t in jwp.treaties) == ["cites", "cms"]
    assert {t.language: t.value for t in jwp.title}["fr"] == "Programme de travail conjoint CMS-CITES 2015-2020"
    assert sorted(a.name for a in jwp.authors) == ["CITES Secretariat", "CMS Secretariat"]
    assert "http://www.informea.org/terms/appendix" in {k.termURI for k in jwp.keywords}
    assert ("uri", ID + "programme/jwp") in {(i.name, i.value) for i in jwp.identifiers}


def test_keywords_are_in_the_graph_as_skos_exact_matches(select):
    rows = select("""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?term WHERE { id:document\\/cms-resolution-11.24 dcterms:subject/skos:exactMatch ?term }""")
    assert {r["term"] for r in rows} == {
        "http://www.informea.org/terms/migratory-species",
        "http://www.informea.org/terms/appendix",
    }
    sources = select("""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?k WHERE { ?k a skos:Concept ; skos:exactMatch ?m
                          FILTER NOT EXISTS { ?k dcterms:source ?s ; mea:citation ?c } }""")
    assert sources == []  # every mapping cites where the term is documented


# --- query options ----------------------------------------------------------------------------------------


def ids_of(request) -> list[str]:
    return [e.id for e in harvest(request)]


def test_filter_eq_ne_and_or_substringof(odata):
    decisions = odata.entity_sets.Decisions
    everything = ids_of(decisions.get_entities())
    assert ids_of(decisions.get_entities().filter("number eq '11.24'")) == [RESOLUTION]
    assert ids_of(decisions.get_entities().filter("number ne '11.24'")) == [i for i in everything if i != RESOLUTION]
    assert ids_of(decisions.get_entities().filter("substringof('recommendation', id)")) == [
        "document/cms-recommendation-8.23",
        "document/cms-recommendation-9.1",
    ]
    assert ids_of(
        decisions.get_entities().filter("type eq 'resolution' and treaty eq 'cms' and substringof('11', number)")
    ) == [RESOLUTION]
    assert ids_of(decisions.get_entities().filter("number eq '11.24' or number eq '9.1'")) == [
        "document/cms-recommendation-9.1",
        RESOLUTION,
    ]
    assert ids_of(decisions.get_entities().filter("not (type eq 'resolution')")) == [
        "document/cms-recommendation-8.23",
        "document/cms-recommendation-9.1",
    ]
    meetings = odata.entity_sets.Meetings
    assert ids_of(meetings.get_entities().filter("country eq 'EC' and startswith(tolower(city), 'qui')")) == [
        "meeting/cms-cop11"
    ]


def test_filter_gt_lt_on_published_and_updated(odata, select):
    decisions = odata.entity_sets.Decisions
    assert ids_of(decisions.get_entities().filter("published gt datetime'2014-11-08T00:00:00'")) == [RESOLUTION]
    assert ids_of(decisions.get_entities().filter("published lt datetime'2014-11-08T00:00:00'")) == []
    assert ids_of(
        decisions.get_entities().filter(
            "published ge datetime'2014-11-09T00:00:00' and published le datetime'2014-11-09T00:00:00'"
        )
    ) == [RESOLUTION]
    everything = ids_of(decisions.get_entities())
    assert (
        ids_of(decisions.get_entities().filter("updated gt datetime'2000-01-01T00:00:00'")) == everything
    )  # when the release was built
    assert ids_of(decisions.get_entities().filter("updated lt datetime'2000-01-01T00:00:00'")) == []
    documents = odata.entity_sets.Documents
    adopted_at_cop11 = sorted(
        r["d"].removeprefix(ID)
        for r in select(
            "SELECT ?d WHERE { ?d a mea:Document ; mea:adoptedAt id:meeting\\/cms-cop11 "
            "FILTER NOT EXISTS { ?d a mea:Decision } }"
        )
    )
    assert "programme/cami" in adopted_at_cop11
    assert ids_of(documents.get_entities().filter("published gt datetime'2014-01-01T00:00:00'")) == adopted_at_cop11


def test_top_skip_and_next_links(odata):
    documents = odata.entity_sets.Documents
    everything = ids_of(documents.get_entities())
    assert len(everything) > PAGE_SIZE
    first = documents.get_entities().top(PAGE_SIZE + 2).execute()
    assert [d.id for d in first] == everything[
        :PAGE_SIZE
    ] and first.next_url is not None  # the server's page is smaller
    rest = documents.get_entities().next_url(first.next_url).execute()
    assert [d.id for d in rest] == everything[PAGE_SIZE : PAGE_SIZE + 2] and rest.next_url is None
    assert ids_of(documents.get_entities().skip(3).top(2)) == everything[3:5]
    assert ids_of(documents.get_entities().skip(len(everything))) == []
    assert documents.get_entities().skip(3).top(2).count().execute() == 2


def test_inlinecount_counts_every_match_not_the_page(odata):
    page = odata.entity_sets.Documents.get_entities().top(2).count(inline=True).execute()
    assert len(page) == 2 and page.total_count == odata.entity_sets.Documents.get_entities().count().execute() > 2
    filtered = odata.entity_sets.Decisions.get_entities().filter("treaty eq 'cms'").count(inline=True).execute()
    assert (
        filtered.total_count == len(harvest(odata.entity_sets.Decisions.get_entities().filter("treaty eq 'cms'"))) == 5
    )


def test_orderby(odata):
    by_number = odata.entity_sets.Decisions.get_entities().filter("treaty eq 'cms'").order_by("number desc").execute()
    assert [d.number for d in by_number] == [
        "9.1",
        "8.23",
        "11.24",
        "10.9",
    ]  # as strings, the type InforMEA gives numbers
    meetings = harvest(odata.entity_sets.Meetings.get_entities().order_by("start asc"))
    assert meetings[-1].id == "meeting/cms-cop11"  # meetings without a start date sort first (null is lowest)


def test_expand_every_navigation_of_decisions(odata):
    decisions = odata.entity_sets.Decisions.get_entities().expand(
        "title,longTitle,summary,content,keywords,files,documents"
    )
    for decision in harvest(decisions):
        assert {t.language for t in decision.longTitle} == {"fr", "en"}
        assert decision.files == []  # the graph has no file (public source URL) for any decision
        assert all(k.namespace and k.term for k in decision.keywords)


# --- both formats, raw ------------------------------------------------------------------------------------


def test_json_verbose_shape(base):
    body = requests.get(base + "Documents", params={"$format": "json", "$inlinecount": "allpages"}, timeout=10).json()[
        "d"
    ]
    assert len(body["results"]) == PAGE_SIZE and int(body["__count"]) > PAGE_SIZE
    assert body["__next"].startswith(base + "Documents?")
    first = body["results"][0]
    assert first["__metadata"]["type"] == "informea.Document"
    assert first["title"] == {"__deferred": {"uri": first["__metadata"]["uri"] + "/title"}}
    decision = requests.get(base + f"Decisions('{RESOLUTION}')", params={"$format": "json"}, timeout=10).json()["d"]
    assert decision["published"] == "/Date(1415491200000)/"  # 2014-11-09, OData v2 JSON dates
    service = requests.get(base, headers={"Accept": "application/json"}, timeout=10).json()
    assert {"Treaties", "Meetings", "Decisions", "Documents"} <= set(service["d"]["EntitySets"])


def test_atom_is_the_default_format(base):
    response = requests.get(
        base + "Decisions",
        params={"$filter": "number eq '11.24'", "$expand": "title", "$inlinecount": "allpages"},
        timeout=10,
    )
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == ATOM + "feed" and feed.find(M + "count").text == "1"
    (entry,) = feed.findall(ATOM + "entry")
    assert entry.find(ATOM + "category").get("term") == "informea.Decision"
    properties = entry.find(f"{ATOM}content/{M}properties")
    assert properties.find(D + "number").text == "11.24" and properties.find(D + "treaty").text == "cms"
    assert properties.find(D + "published").get(M + "type") == "Edm.DateTime"
    assert properties.find(D + "published").text == "2014-11-09T00:00:00"
    assert properties.find(D + "displayOrder").get(M + "null") == "true"
    titles = next(link for link in entry.findall(ATOM + "link") if link.get("title") == "title")
    inline = titles.find(f"{M}inline/{ATOM}feed")
    values = {
        e.find(f"{ATOM}content/{M}properties/{D}language").text: e.find(f"{ATOM}content/{M}properties/{D}value").text
        for e in inline.findall(ATOM + "entry")
    }
    assert values["en"] == "Central Asian Mammals Initiative"


def test_atom_paging_and_service_document(base):
    feed = ET.fromstring(requests.get(base + "Documents", params={"$format": "atom"}, timeout=10).content)
    assert len(feed.findall(ATOM + "entry")) == PAGE_SIZE
    (next_link,) = [link for link in feed.findall(ATOM + "link") if link.get("rel") == "next"]
    following = ET.fromstring(requests.get(next_link.get("href"), timeout=10).content)
    assert following.find(ATOM + "entry/" + ATOM + "id").text != feed.find(ATOM + "entry/" + ATOM + "id").text
    service = ET.fromstring(requests.get(base, timeout=10).content)
    hrefs = {c.get("href") for c in service.iter("{http://www.w3.org/2007/app}collection")}
    assert {"Treaties", "Meetings", "Decisions", "Documents"} <= hrefs


def test_metadata_document_is_edmx(base):
    response = requests.get(base + "$metadata", timeout=10)
    assert response.headers["content-type"].startswith("application/xml")
    schema = ET.fromstring(response.content).find("{*}DataServices/{*}Schema")
    assert schema.get("Namespace") == "informea"


# --- errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"$filter": "published gt '2014-01-01'"},
        {"$filter": "nosuch eq 1"},
        {"$filter": "number eq"},
        {"$filter": "number eq '11.24"},
        {"$filter": "substringof(number)"},
        {"$filter": "number"},
        {"$filter": "published gt datetime'yesterday'"},
        {"$top": "-1"},
        {"$top": "many"},
        {"$skip": "1.5"},
        {"$orderby": "number sideways"},
        {"$orderby": "nosuch"},
        {"$expand": "nosuch"},
        {"$expand": "title/x"},
        {"$inlinecount": "some"},
        {"$format": "csv"},
        {"$select": "nosuch"},
        {"$search": "cms"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
def test_bad_options_are_400_with_an_odata_error(base, params):
    response = requests.get(base + "Decisions", params={**params}, headers={"Accept": "application/json"}, timeout=10)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BadRequest" and error["message"]["lang"] == "en" and error["message"]["value"]


def test_errors_in_atom_and_unknown_resources(base, odata):
    response = requests.get(base + "Decisions", params={"$top": "x"}, timeout=10)
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/xml")
    assert "$top" in ET.fromstring(response.content).find(M + "message").text
    for path in ("Nothing", "Decisions('no-such-decision')", f"Decisions('{RESOLUTION}')/nosuch", "Decisions(x"):
        response = requests.get(base + path, params={"$format": "json"}, timeout=10)
        assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound", path
    with pytest.raises(HttpError):
        odata.entity_sets.Decisions.get_entity("no-such-decision").execute()


def test_etags_answer_304(base):
    for url in (base, base + "$metadata", base + "Decisions?$format=json"):
        first = requests.get(url, timeout=10)
        again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
        assert first.status_code == 200 and again.status_code == 304, url
