"""Hypothesis-generated SPARQL, valid and broken, sent to `/sparql` over HTTP and to `kg query`.

Every answer is a result, or a 4xx/503 with a message (a CLI exit code with a line on stderr); the service
keeps answering afterwards. The grammar below makes queries of the graph's own shape (its prefixes and
properties), with deep nesting, huge and odd-Unicode literals, property paths and regexes, and breaks some.
"""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given
from hypothesis import settings as budget
from hypothesis import strategies as st

from kg import limits
from kg.cli import app
from kg.config import Settings
from tests.helpers import ask

PROLOGUE = (
    "PREFIX mea: <https://w3id.org/mea-kg/ontology#>\nPREFIX dwc: <http://rs.tdwg.org/dwc/terms/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
PROPERTIES = [
    "mea:targetsTaxon",
    "mea:broaderTaxon",
    "mea:responsible",
    "mea:code",
    "rdfs:label",
    "dwc:scientificName",
    "a",
    "mea:programme",
    "mea:listedTaxon",
    "<urn:x:unknown>",
]
ODD = st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=40
)  # any Unicode scalar value, combining marks, RTL …
VARIABLES = st.sampled_from(["?s", "?o", "?x", "?y", "?é", "?名前"])


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


literal = st.one_of(
    ODD.map(lambda t: f'"{_escaped(t)}"'),
    st.integers(min_value=1_000, max_value=300_000).map(
        lambda n: '"' + "ÿ€𝄞x" * (n // 4) + '"'
    ),  # up to ~1 MB of UTF-8
    st.sampled_from(
        [
            '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
            '"x"@fr',
            '"2015-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
        ]
    ),
)
path = st.recursive(
    st.sampled_from(PROPERTIES[:-1]),
    lambda inner: st.one_of(
        inner.map(lambda p: f"({p})*"),
        inner.map(lambda p: f"^({p})"),
        st.tuples(inner, inner).map(lambda pq: f"({pq[0]}|{pq[1]})"),
        st.tuples(inner, inner).map(lambda pq: f"{pq[0]}/{pq[1]}"),
        inner.map(lambda p: f"({p})+"),
    ),
    max_leaves=6,
)
regex = st.one_of(
    st.sampled_from(["(a+)+$", "^(.*)*x", "([A-Za-z]+ ?)+!", "(.*a){20}", "[", "\\", "(?i)panthera", ""]), ODD
)
triple = st.tuples(VARIABLES, st.one_of(path, st.sampled_from(PROPERTIES)), st.one_of(VARIABLES, literal)).map(" ".join)
filters = st.one_of(
    st.tuples(VARIABLES, regex).map(lambda vr: f'FILTER(REGEX(STR({vr[0]}), "{_escaped(vr[1])}"))'),
    st.tuples(VARIABLES, literal).map(lambda vl: f"FILTER({vl[0]} = {vl[1]})"),
    st.just('FILTER(STRLEN(REPEAT("x", 100000000)) > 0)'),  # not SPARQL 1.1: an unknown function
)
group = st.recursive(
    st.lists(st.one_of(triple, filters), min_size=1, max_size=4).map(" . ".join),
    lambda inner: st.one_of(
        inner.map(lambda g: "{ " + g + " }"),
        st.tuples(inner, inner).map(lambda ab: "{ " + ab[0] + " } UNION { " + ab[1] + " }"),
        st.tuples(inner, inner).map(lambda ab: ab[0] + " OPTIONAL { " + ab[1] + " }"),
        inner.map(lambda g: "MINUS { " + g + " }"),
    ),
    max_leaves=8,
)
deep = st.integers(min_value=50, max_value=3_000).map(lambda n: "SELECT * WHERE " + "{ " * n + "?s ?p ?o" + " }" * n)
valid = st.one_of(
    group.map(lambda g: f"{PROLOGUE}SELECT * WHERE {{ {g} }} LIMIT 50"),
    group.map(lambda g: f"{PROLOGUE}ASK {{ {g} }}"),
    group.map(lambda g: f"{PROLOGUE}CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {g} . ?s ?p ?o }} LIMIT 50"),
    deep,
)


@st.composite
def broken(draw) -> str:
    """A valid query cut, spliced with junk, or with a brace dropped: most of these are syntax errors."""
    text = draw(valid)
    cut = draw(st.integers(min_value=0, max_value=len(text)))
    junk = draw(st.one_of(ODD, st.sampled_from(["}", "{", "\x00", "SERVICE", "\\u0000", '"', "<", "#", "PREFIX : <"])))
    return draw(st.sampled_from([text[:cut], text[:cut] + junk + text[cut:], text.replace("}", "", 1), junk]))


queries = st.one_of(valid, broken())
HTTP_BUDGET = budget(
    max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
CLI_BUDGET = budget(
    max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def _check_http(response: httpx.Response) -> None:
    assert response.status_code in (200, 400, 406, 413, 503), (response.status_code, response.text[:300])
    if response.status_code != 200:
        detail = response.json()["detail"]
        assert isinstance(detail, str) and detail.strip(), response.text[:300]


def test_fuzzed_queries_over_http_get_a_result_or_a_clear_error(service):
    seen = {"answers": 0, "errors": 0}
    with httpx.Client(base_url=service, timeout=30) as http:

        @HTTP_BUDGET
        @given(query=queries, method=st.sampled_from(["form", "direct", "get"]))
        def fuzz(query, method):
            if method == "form":
                response = http.post("/sparql", data={"query": query})
            elif method == "direct":
                response = http.post(
                    "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
                )
            else:
                response = http.get(
                    "/sparql", params={"query": query[:6000]}
                )  # a URL has its limits; POST has the rest
            _check_http(response)
            seen["answers" if response.status_code == 200 else "errors"] += 1

        fuzz()
        assert ask(http.get("/sparql", params={"query": "ASK {}"})) is True  # still serving
    assert seen["answers"] > 20 and seen["errors"] > 20, seen  # both kinds were really tried


def test_fuzzed_queries_through_kg_query_exit_cleanly(runner, settings, built):
    store = ["--store", str(settings.store_dir)]

    @CLI_BUDGET
    @given(query=queries)
    def fuzz(query):
        result = runner.invoke(app, ["query", *store, "--timeout", "2", query[:20_000]])
        assert result.exit_code in (0, 2, 4), (result.exit_code, result.output[-300:])
        if result.exit_code:
            assert result.stderr.strip() and "Traceback" not in result.stderr, result.stderr[-300:]

    fuzz()


# --- hostile shapes: deep nesting and huge groups, refused before any parser sees them ------------------------

MAX_DEPTH = Settings.model_fields["query_max_depth"].default
MAX_PATTERNS = Settings.model_fields["query_max_patterns"].default
nesting = st.integers(min_value=1, max_value=20_000)
nested = st.one_of(
    nesting.map(lambda n: "SELECT * WHERE " + "{ " * n + "?s ?p ?o" + " }" * n + " LIMIT 1"),
    nesting.map(lambda n: "SELECT * WHERE { BIND(" + "(" * n + "1" + ")" * n + " AS ?x) }"),
    nesting.map(lambda n: "ASK { ?s <urn:p> " + "[ <urn:p> " * n + "1" + " ]" * n + " }"),
    nesting.map(lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "!(" * n + "?o = 1" + ")" * n + ") } LIMIT 1"),
)
huge_groups = st.integers(min_value=MAX_PATTERNS + 1, max_value=25_000).flatmap(
    lambda n: st.sampled_from(
        [
            "SELECT * WHERE { " + " ".join(f"?s{i} <urn:p> ?o{i} ." for i in range(n)) + " }",
            "SELECT * WHERE { ?s <urn:p> " + ", ".join(f"?o{i}" for i in range(n)) + " }",
            "SELECT * WHERE { " + " UNION ".join("{ ?s <urn:p> ?o }" for _ in range(n)) + " }",
        ]
    )
)
HOSTILE_BUDGET = budget(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def test_deep_nesting_and_huge_groups_get_a_result_or_a_400_never_a_5xx(service):
    """Over the limits a 400 naming the limit; within them an answer: never a worker killed by its stack."""
    with httpx.Client(base_url=service, timeout=60) as http:

        @HOSTILE_BUDGET
        @given(query=st.one_of(nested, huge_groups))
        def fuzz(query):
            response = http.post(
                "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
            )
            depth, patterns = limits.measure(query)
            if depth > MAX_DEPTH or patterns > MAX_PATTERNS:
                assert response.status_code == 400, (response.status_code, response.text[:300])
                assert response.json()["type"].endswith("#query-too-complex")
            else:
                assert response.status_code == 200, (response.status_code, response.text[:300])

        fuzz()
        assert http.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True  # still serving


# --- the search, by URL and inside SPARQL: any text is just words ---------------------------------------------

search_words = st.one_of(
    ODD,
    st.text(max_size=600),
    st.sampled_from(['"', '"border', "a:b", "title:fence AND *", ") } SELECT", "\\", "'''", "\x00", "снежный барс"]),
)
search_blocks = st.tuples(
    search_words, st.sampled_from(["", ' ; mea:type "activity"', " ; mea:limit 3", " ; mea:x 1"])
).map(
    lambda wo: (
        "SELECT ?hit ?score WHERE { SERVICE <https://w3id.org/mea-kg/search> { ?hit mea:query "
        f'"{_escaped(wo[0])}" ; mea:score ?score{wo[1]} }} }}'
    )
)


def test_search_words_and_search_blocks_answer_or_refuse_never_a_5xx(service):
    with httpx.Client(base_url=service, timeout=60) as http:

        @HOSTILE_BUDGET
        @given(words=search_words, block=search_blocks)
        def fuzz(words, block):
            by_url = http.get("/search", params={"q": words})
            assert by_url.status_code in (200, 400), (by_url.status_code, by_url.text[:300])
            if by_url.status_code == 400:
                assert by_url.json()["detail"].startswith("parameter q"), by_url.text[:300]
            _check_http(http.post("/sparql", data={"query": block}))

        fuzz()
