"""The /informea/ feed read by the public clients that harvest InforMEA today: each test replays, with this
project's HTTP client, the requests one public consumer makes (its $expand, $filter, $orderby, paging and
format) and parses the answers the way that consumer's code does, naming in a comment the repository and
file it mirrors. pyodata, the generic OData client, is in test_informea.py.

Independent public consumers mirrored here (read from their public source; see docs/informea.md, "Clients proven"):

- IUCN-ELC/ecolex, ecolex/management/commands/cop_decision.py (Python, ECOLEX's COP-decision importer);
- worldwidelaw/legal-sources, sources/INTL/InforMEA/bootstrap.py (Python, a legal-data scraper);
- lukedmcmillan/tideline-next, scripts/probe-informea.ts, scripts/dryrun-informea.ts and
  scripts/scraper-informea.ts (TypeScript, a decision library's probe and scraper);
- a JavaScript documents adapter, class UnepInformeaAdapter (key "unep-informea"), and a PHP (Laravel)
  ImportController::getTreaties that reads the Atom default: both found by their public code's text, their
  repositories not resolved by the code index.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from xml.dom import minidom

import pytest

from kg.api.main import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FEED = "/informea/"
RESOLUTION = "document/cms-resolution-11.24"


def get_json(client, url: str, **kwargs) -> dict:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.text[:300])
    return response.json()


def odata_ms(value: str) -> int:
    """The milliseconds of an OData v2 JSON date, ``/Date(1415491200000)/``, as every client here parses it."""
    match = re.search(r"/Date\((-?\d+)\)/", value)
    assert match, value
    return int(match.group(1))


def odata_day(value: str | None) -> str | None:
    """parseODataDate / parse_odata_date of the clients: null stays null, else the UTC day."""
    return dt.datetime.fromtimestamp(odata_ms(value) / 1000, dt.UTC).strftime("%Y-%m-%d") if value else None


def everything(client, entity_set: str) -> list[dict]:
    """Every entity of a set, following ``__next`` (the reference the replays are compared with)."""
    url, entities = f"{FEED}{entity_set}?$format=json", []
    while url:
        body = get_json(client, url)["d"]
        entities.extend(body["results"])
        url = body.get("__next")
    return entities


@pytest.fixture(scope="module")
def small_pages(served_settings):
    """The service with pages of 3 entities, so that harvests must follow ``__next`` on this small graph."""
    with TestClient(create_app(served_settings.model_copy(update={"informea_page_size": 3}))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def last_build(client) -> dt.datetime:
    """When the served release was built: the ``updated`` of what the graph does not date otherwise."""
    (decision,) = get_json(client, f"{FEED}Decisions?$top=1&$format=json")["d"]["results"]
    return dt.datetime.fromtimestamp(odata_ms(decision["updated"]) / 1000, dt.UTC).replace(tzinfo=None)


# --- IUCN-ELC/ecolex: ecolex/management/commands/cop_decision.py ----------------------------------------------

ECOLEX_BASE_FIELDS = [
    "id",
    "link",
    "type",
    "status",
    "number",
    "treaty",
    "published",
    "updated",
    "meetingId",
    "meetingTitle",
    "meetingUrl",
    "treatyUUID",
]
ECOLEX_MULTILINGUAL = ["title", "longTitle", "summary", "content"]
ECOLEX_LANGUAGES = ["en", "es", "fr", "ar", "ru", "zh"]


def ecolex_get_date(text: str) -> str:
    # ecolex/management/utils.py get_date: the seconds of /Date(ms)/
    seconds = re.findall(r"Date\((.*)\)", text)[0][:-3]
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ecolex_parse(decision: dict) -> dict:
    """CopDecisionImporter._parse, the fields it reads and how."""
    data = {field: decision.get(field) for field in ECOLEX_BASE_FIELDS}
    for field in ("published", "updated"):
        if data[field]:
            data[field] = ecolex_get_date(data[field])
    data["keywords"] = list(dict.fromkeys(r["term"] for r in decision["keywords"]["results"])) or None
    for multi_field in ECOLEX_MULTILINGUAL:
        info = decision[multi_field]
        for result in info.get("results", []):
            if result["language"] in ECOLEX_LANGUAGES and result.get("value"):
                data[f"{multi_field}_{result['language']}"] = re.sub(r"[\n\t\r]", "", result["value"]).strip()
    files = decision["files"]["results"]
    data["fileUrls"] = [f["url"] for f in files if f["url"] and f["filename"]]
    title = next(data[f"title_{lang}"] for lang in ("en", "es", "fr", "ru", "ar", "zh") if f"title_{lang}" in data)
    data["slug"] = title + " " + data["id"]  # every decision needs a title: the importer builds its slug from it
    return data


def test_ecolex_importer_harvests_the_decisions_of_the_last_30_days(client, last_build):
    # cop_decision.py builds '%s?%s&%s&%s&%s&%s' % (url, '$top=%d&$skip=%d', '$format=json',
    # '$expand=title,longTitle,keywords,content,files,summary', "$filter=updated gt datetime'%s'",
    # '$orderby=updated asc') with per_page 20 and days_ago 30, and pages with $skip until a page is empty.
    since = (last_build.date() - dt.timedelta(30)).strftime("%Y-%m-%dT00:00:00")
    raw, skip = [], 0
    while True:
        url = (
            f"{FEED}Decisions?$top=20&$skip={skip}&$format=json&$expand=title,longTitle,keywords,content,files,summary"
            f"&$filter=updated gt datetime'{since}'&$orderby=updated asc"
        )
        results = get_json(client, url)["d"]["results"]
        if not results:
            break
        raw.extend(results)
        skip += 20
    assert sorted(d["id"] for d in raw) == sorted(d["id"] for d in everything(client, "Decisions"))
    parsed = {d["id"]: ecolex_parse(d) for d in raw}
    resolution = parsed[RESOLUTION]
    assert resolution["title_en"] == "Central Asian Mammals Initiative"
    assert resolution["longTitle_fr"].startswith("Résolution 11.24")
    assert resolution["content_fr"].startswith("Adoptée par la Conférence des Parties lors de sa 11e réunion")
    assert "migratory species" in resolution["keywords"]
    assert (resolution["type"], resolution["status"], resolution["treaty"]) == ("resolution", "active", "cms")
    assert resolution["published"] == "2014-11-09T00:00:00Z"
    assert resolution["treatyUUID"] is None and resolution["fileUrls"] == []  # not in the graph: null, empty


# --- worldwidelaw/legal-sources: sources/INTL/InforMEA/bootstrap.py -------------------------------------------

LEGAL_PAGE_SIZE = 500


def legal_fetch_page(client, skip: int = 0, top: int = LEGAL_PAGE_SIZE, extra_filter: str | None = None) -> list:
    # InforMEAScraper._fetch_page: requests' params, Accept: application/json, raise_for_status, d.results
    params = {
        "$top": top,
        "$skip": skip,
        "$expand": "content,title,summary,keywords",
        "$format": "json",
        "$orderby": "updated desc",
    }
    if extra_filter:
        params["$filter"] = extra_filter
    return get_json(client, f"{FEED}Decisions", params=params, headers={"Accept": "application/json"})["d"]["results"]


def legal_text_value(nav_prop: dict | None, language: str = "en") -> str:
    # InforMEAScraper._get_text_value: English first, else the first record
    results = (nav_prop or {}).get("results", [])
    for item in results:
        if item.get("language", "").lower().startswith(language):
            return item.get("value", "")
    return results[0].get("value", "") if results else ""


def legal_to_raw(decision: dict) -> dict:
    # InforMEAScraper._decision_to_raw and normalize (parse_odata_date)
    content, summary = legal_text_value(decision.get("content")), legal_text_value(decision.get("summary"))
    return {
        "id": decision.get("id", ""),
        "number": decision.get("number", ""),
        "treaty": decision.get("treaty", ""),
        "status": decision.get("status", ""),
        "title": legal_text_value(decision.get("title")),
        "text": re.sub(r"<[^>]+>", "", content or summary).strip(),
        "keywords": [k.get("term", "") for k in decision.get("keywords", {}).get("results", []) if k.get("term")],
        "date": odata_day(decision.get("published")),
        "meeting_title": decision.get("meetingTitle", ""),
    }


def test_legal_sources_scraper_counts_pages_and_updates(client, last_build):
    # `bootstrap.py test`: GET Decisions/$count, then a page of 3
    total = int(client.get(f"{FEED}Decisions/$count").text.strip())
    assert total == len(everything(client, "Decisions")) and len(legal_fetch_page(client, top=3)) == min(3, total)
    # fetch_all: 500 at a time, `updated desc`, until a short page
    decisions, skip = [], 0
    while True:
        results = legal_fetch_page(client, skip=skip)
        decisions.extend(results)
        if len(results) < LEGAL_PAGE_SIZE:
            break
        skip += LEGAL_PAGE_SIZE
    assert len(decisions) == total
    with_text = {d["id"]: legal_to_raw(d) for d in decisions if legal_to_raw(d)["text"]}
    resolution = with_text[RESOLUTION]  # yielded: it has content
    assert (resolution["title"], resolution["number"], resolution["treaty"]) == (
        "Central Asian Mammals Initiative",
        "11.24",
        "cms",
    )
    assert "Central Asian Mammals Initiative" in resolution["text"] and resolution["date"] == "2014-11-09"
    assert "appendix" in resolution["keywords"] and resolution["meeting_title"].startswith("11th meeting")
    # fetch_updates(since): "updated gt datetime'%Y-%m-%dT%H:%M:%S'" — nothing changed since the last build
    assert legal_fetch_page(client, extra_filter=f"updated gt datetime'{last_build:%Y-%m-%dT%H:%M:%S}'") == []
    earlier = last_build - dt.timedelta(days=90)
    assert len(legal_fetch_page(client, extra_filter=f"updated gt datetime'{earlier:%Y-%m-%dT%H:%M:%S}'")) == total


# --- lukedmcmillan/tideline-next: scripts/probe-informea.ts, dryrun-informea.ts, scraper-informea.ts ---------

TIDELINE_PAGE_SIZE = 100
TIDELINE_EXCLUDED_STATUSES = {"draft", "recommended", "withdrawn", "deleted", ""}
TIDELINE_TREATIES = ["cbd", "cites", "cms", "ICRW", "ramsar", "ascobans", "acap", "unclos"]


def tideline_fetch(client, treaty: str, skip: int) -> list:
    # fetchDecisions: a URL built by hand, spaces and quotes as written; json?.d?.results || []
    url = (
        f"{FEED}Decisions?$filter=treaty eq '{treaty}'"
        f"&$expand=title,files&$top={TIDELINE_PAGE_SIZE}&$skip={skip}&$format=json"
    )
    return get_json(client, url).get("d", {}).get("results") or []


def test_tideline_probe_reads_one_cms_decision(client):
    # probe-informea.ts, request 1 (treaty 'cms' for 'cbd': this graph's treaties)
    d1 = get_json(client, f"{FEED}Decisions?$filter=treaty eq 'cms'&$top=1&$expand=title,files&$format=json")
    rec = d1["d"]["results"][0]
    assert odata_day(rec["updated"]) and rec["status"] in ("active", None)
    assert rec["published"] is None or odata_day(rec["published"])  # null where the graph has no date
    assert set(rec["title"]["results"][0]) >= {"language", "value"}
    # request 2: published gt datetime'…' with $top=5; request 3: treaty 'cites', $top=3
    since = "2014-01-01T00:00:00"
    url2 = (
        f"{FEED}Decisions?$filter=treaty eq 'cms' and published gt datetime'{since}'&$top=5&$expand=title&$format=json"
    )
    d2 = get_json(client, url2)["d"]["results"]
    assert [r["id"] for r in d2] == [RESOLUTION]
    en = next(t for t in d2[0]["title"]["results"] if t["language"] == "en")
    assert en["value"] == "Central Asian Mammals Initiative"
    d3 = get_json(client, f"{FEED}Decisions?$filter=treaty eq 'cites'&$top=3&$expand=title&$format=json")
    assert all(r["number"] for r in d3["d"]["results"])


def test_tideline_scraper_queues_in_force_decisions_with_a_file_or_their_link(client):
    # scraper-informea.ts scrapeTreaty: page by 100 per treaty until a short page; gate on status, English
    # title; an English PDF from files, else the decision's link (its HTML fallback)
    queued = {}
    for treaty in TIDELINE_TREATIES:
        skip = 0
        while True:
            decisions = tideline_fetch(client, treaty, skip)
            for dec in decisions:
                if (dec["status"] or "").lower() in TIDELINE_EXCLUDED_STATUSES:
                    continue
                en_title = next((t for t in dec["title"]["results"] if t["language"] == "en"), None)
                if not (en_title and en_title["value"]):
                    continue
                pdf = next(
                    (
                        f
                        for f in dec["files"]["results"]
                        if f["language"] == "en" and f["mimeType"] == "application/pdf" and f["url"]
                    ),
                    None,
                )
                queued[dec["id"]] = pdf["url"] if pdf else dec["link"]
            if len(decisions) < TIDELINE_PAGE_SIZE:
                break
            skip += TIDELINE_PAGE_SIZE
    assert queued[RESOLUTION] == "https://w3id.org/mea-kg/id/" + RESOLUTION  # no file in the graph: its link
    in_force = [d["id"] for d in everything(client, "Decisions") if d["status"] == "active"]
    assert sorted(queued) == sorted(in_force)


# --- the documents adapter: class UnepInformeaAdapter ("unep-informea") ---------------------------------------


def test_documents_adapter_pages_and_expands_one_document(client, small_pages):
    # defaultConfig: queryParams $format=json, $expand=title,files,types,treaties, $orderby=updated desc;
    # $skip/$top offset paging from 0; responseMapping items d.results, title "title", date "updated"
    limit, offset, items = 3, 0, []
    while True:
        params = {
            "$format": "json",
            "$expand": "title,files,types,treaties",
            "$orderby": "updated desc",
            "$skip": offset,
            "$top": limit,
        }
        page = get_json(small_pages, f"{FEED}Documents", params=params)["d"]["results"]
        items.extend(page)
        if len(page) < limit:
            break
        offset += limit
    assert sorted(i["id"] for i in items) == sorted(d["id"] for d in everything(client, "Documents"))
    for item in items:
        assert odata_ms(item["updated"]) and isinstance(item["title"]["results"], list)
        assert isinstance(item["files"]["results"], list) and isinstance(item["types"]["results"], list)
    # _odata.expandTemplate: Documents('{id}')?$expand=title,files,authors,types,treaties,keywords&$format=json
    jwp = get_json(
        client, f"{FEED}Documents('programme/jwp')?$expand=title,files,authors,types,treaties,keywords&$format=json"
    )["d"]
    assert sorted(t["value"] for t in jwp["treaties"]["results"]) == ["cites", "cms"]
    assert {a["name"] for a in jwp["authors"]["results"]} == {"CITES Secretariat", "CMS Secretariat"}
    assert jwp["files"]["results"] == []  # the graph has no public source URL for it
    # _odata.searchTemplate: Documents?$filter=substringof('{query}',title)&$format=json (any of its titles)
    found = get_json(client, f"{FEED}Documents?$filter=substringof('Central Asian Mammals',title)&$format=json")
    assert "programme/cami" in [d["id"] for d in found["d"]["results"]]


# --- the PHP treaties reader: ImportController::getTreaties (Laravel) -----------------------------------------


def test_php_treaties_reader_parses_the_atom_default(client):
    # simplexml_load_file("…/Treaties"); foreach ($xml->entry as $item)
    #     $item->content->children('m', true)->children('d', true)->titleEnglish
    # children($prefix, true) selects by the document's own prefixes: they must be m: and d:
    response = client.get(f"{FEED}Treaties")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = minidom.parseString(response.content).documentElement
    names = []
    for entry in feed.getElementsByTagName("entry"):
        (content,) = [n for n in entry.childNodes if n.nodeType == n.ELEMENT_NODE and n.tagName == "content"]
        (properties,) = [n for n in content.childNodes if n.nodeType == n.ELEMENT_NODE]
        assert properties.tagName == "m:properties"
        (title,) = [n for n in properties.childNodes if n.nodeType == n.ELEMENT_NODE and n.tagName == "d:titleEnglish"]
        names.append(title.firstChild.data)
    assert sorted(names) == [
        "Convention on International Trade in Endangered Species of Wild Fauna and Flora",
        "Convention on the Conservation of Migratory Species of Wild Animals",
    ]


# --- every harvester: incremental and full harvests, and bad options ------------------------------------------


@pytest.mark.parametrize("entity_set", ["Decisions", "Documents", "Meetings"])
def test_an_incremental_harvest_after_the_last_build_answers_nothing_new(client, last_build, entity_set):
    since = f"{last_build:%Y-%m-%dT%H:%M:%S}"
    body = get_json(client, f"{FEED}{entity_set}?$format=json&$filter=updated gt datetime'{since}'")
    assert body["d"]["results"] == []
    again = get_json(client, f"{FEED}{entity_set}?$format=json&$filter=updated ge datetime'{since}'")
    assert len(again["d"]["results"]) == len(everything(client, entity_set)) > 0


@pytest.mark.parametrize(
    ("entity_set", "expand"),
    [
        ("Decisions", "title,longTitle,keywords,content,files,summary"),
        ("Documents", "title,files,types,treaties"),
        ("Meetings", "title,description"),
        ("Treaties", "title,description"),
    ],
)
def test_a_full_harvest_follows_next_to_the_end(client, small_pages, entity_set, expand):
    order = "" if entity_set == "Treaties" else "&$orderby=updated asc"  # InforMEA's Treaty has no updated
    url, pages, ids = (
        f"{FEED}{entity_set}?$format=json&$expand={expand}{order}&$inlinecount=allpages",
        0,
        [],
    )
    while url:
        body = get_json(small_pages, url)["d"]
        ids.extend(e["id"] for e in body["results"])
        assert int(body["__count"]) == len(everything(client, entity_set))
        url, pages = body.get("__next"), pages + 1
    assert sorted(ids) == sorted(e["id"] for e in everything(client, entity_set)) and len(ids) == len(set(ids))
    assert pages == -(-len(ids) // 3)  # ceil: pages of 3


@pytest.mark.parametrize(
    "url",
    [
        "Decisions?$expand=titles&$format=json",  # the old plural names are gone
        "Decisions?$expand=title,longTitles&$format=json",
        "Documents?$expand=descriptions&$format=json",
        "Decisions?$filter=updated gt datetime'yesterday'&$format=json",
        "Decisions?$filter=updated gt '2014-01-01'&$format=json",
        "Decisions?$orderby=title&$format=json",
        "Decisions?$top=-20&$skip=0&$format=json",
        "Decisions?$skip=x&$format=json",
        "Decisions?$inlinecount=yes&$format=json",
        "Decisions/$count?$top=many",
        "Decisions?$format=csv",
        "Decisions('no-such-decision')?$format=json",
        "DecisionTitles?$format=json",
        "Decisions('document/cms-resolution-11.24')/titles?$format=json",
    ],
)
def test_bad_requests_get_odata_errors_never_a_5xx(client, url):
    response = client.get(FEED + url)
    assert response.status_code in (400, 404), (url, response.status_code)
    error = response.json()["error"] if "json" in response.headers["content-type"] else None
    if error is not None:
        assert error["code"] in ("BadRequest", "NotFound") and error["message"]["value"]
    else:
        assert minidom.parseString(response.content).documentElement.tagName == "m:error"
