"""The W3C SPARQL 1.1 Protocol test suite (../shared/w3c/sparql11-protocol), all 34 tests, run against the app.

Each test is a sequence of HTTP requests from the manifest; request paths ``/sparql/…`` map to ``/sparql``.
Graphs the manifest loads (ut:graphData) are put in place through the Graph Store Protocol first.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from kg.config import PROJECT_DIR
from tests.helpers import ask

from ..conftest import auth

SUITE = PROJECT_DIR.parent / "shared" / "w3c" / "sparql11-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"


def _manifest() -> rdflib.Graph | None:
    path = SUITE / "manifest.ttl"
    return (
        rdflib.Graph().parse(
            path, publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest.ttl"
        )
        if path.exists()
        else None
    )


MANIFEST = _manifest()


def _tests() -> list[rdflib.URIRef]:
    if MANIFEST is None:
        return []
    entries = next(MANIFEST.objects(None, MF.entries))
    return list(Collection(MANIFEST, entries))


TESTS = _tests()


def test_the_suite_has_34_tests():
    if MANIFEST is None:
        pytest.skip(f"W3C suite not found at {SUITE}")
    assert len(TESTS) == 34


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.split("#")[-1])
def test_w3c_protocol(writable_client, test):
    for data in MANIFEST.objects(test, UT.graphData):
        graph = str(MANIFEST.value(data, RDFS.label))
        path = SUITE / str(MANIFEST.value(data, UT.graph)).rsplit("/", 1)[-1]
        response = writable_client.put(
            "/store",
            params={"graph": graph},
            content=path.read_bytes(),
            headers={"Content-Type": "application/n-triples", **auth()},
        )
        assert response.status_code in (201, 204), response.text
    action = MANIFEST.value(test, MF.action)
    for request in Collection(MANIFEST, MANIFEST.value(action, HT.requests)):
        response = _send(writable_client, request)
        _check(response, MANIFEST.value(request, HT.resp))


def _send(client, request):
    method = str(MANIFEST.value(request, HT.methodName))
    path = str(MANIFEST.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = dict(auth())
    header_list = MANIFEST.value(request, HT.headers)
    for header in Collection(MANIFEST, header_list) if header_list else []:
        headers[str(MANIFEST.value(header, HT.fieldName))] = str(MANIFEST.value(header, HT.fieldValue))
    body = MANIFEST.value(request, HT.body)
    content = None
    if body is not None:
        encoding = str(MANIFEST.value(body, CNT.characterEncoding) or "UTF-8")
        content = str(MANIFEST.value(body, CNT.chars)).encode(encoding.lower().replace("utf-16", "utf-16"))
    return client.request(method, path, content=content, headers=headers)


def _check(response, expected) -> None:
    classes = {str(s).removeprefix(HTS) for s in MANIFEST.objects(expected, MF.expectedStatus)}
    assert f"{response.status_code // 100}xx" in classes, (response.status_code, response.text)
    fmt = MANIFEST.value(expected, MF.expectedFormat)
    media_type = response.headers.get("content-type", "").split(";")[0]
    if fmt is not None and str(fmt) == "boolean":
        value, wanted = _boolean(response.content, media_type), MANIFEST.value(expected, MF.expectedBoolean)
        assert isinstance(value, bool) and (wanted is None or value == wanted.toPython())
    elif fmt is not None and str(fmt) == "tabular":
        assert (
            "head" in json.loads(response.content) if media_type.endswith("json") else ET.fromstring(response.content)
        )
    elif fmt is not None and str(fmt) == "RDF":
        rdflib.Graph().parse(
            data=response.content, format=rdflib.util.guess_format("x.ttl") if "turtle" in media_type else media_type
        )


def _boolean(body: bytes, media_type: str) -> bool:
    if media_type.endswith("json"):
        return ask(body)
    element = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    return element.text.strip() == "true"
