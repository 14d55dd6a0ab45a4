"""/catalog conforms to DCAT-AP 2.1.1 (its SHACL shapes, read with pyshacl), states what the data says, and the
schema.org Dataset embedded in the HTML of / and /dumps says the same."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

import pyshacl
import pytest
import rdflib

from kg import store
from kg.config import PROJECT_DIR

SHAPES_DIR = PROJECT_DIR.parent / "shared" / "dcat-ap"
SHAPE_FILES = (
    "dcat-ap_2.1.1_shacl_shapes.ttl",
    "dcat-ap_2.1.1_shacl_shapes_recommended.ttl",
    "dcat-ap_2.1.1_shacl_range.ttl",
    "dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl",
)
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.DCTERMS
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SCHEMA = rdflib.Namespace("http://schema.org/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
DATASET = rdflib.URIRef("http://testserver/.well-known/void#dataset")
CATALOGUE = rdflib.URIRef("http://testserver/catalog#catalogue")

# What DCAT-AP recommends but the catalogue cannot state truthfully, so the shapes still warn about it:
# dcat:bbox and dcat:centroid of each country (the graph has no geometry for countries), the publisher's
# dct:type (nothing says which ADMS publisher type "mea-kg developers" is) and, in the vocabularies file,
# the publisher not being an EU corporate body (it is not one).
ACCEPTED_WARNINGS = {
    "dcat-ap_2.1.1_shacl_shapes_recommended.ttl": {str(DCAT.bbox), str(DCAT.centroid), str(DCT.type)},
    "dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl": {str(DCT.publisher)},
}
# Google Dataset Search's required and recommended properties (developers.google.com/search/docs/appearance/
# structured-data/dataset) that the description gives; "distribution" (none in front of a remote store) is checked
# below.
GOOGLE_DATASET_FIELDS = (
    "name", "description", "url", "identifier", "license", "creator", "temporalCoverage",
    "spatialCoverage", "keywords", "isAccessibleForFree", "inLanguage", "version", "dateModified",
    "includedInDataCatalog",
)  # fmt: skip


@pytest.fixture(scope="module")
def catalogue(client) -> rdflib.Graph:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format="turtle")


@pytest.mark.parametrize("shapes_file", SHAPE_FILES)
def test_the_catalogue_conforms_to_dcat_ap(catalogue, shapes_file):
    path = SHAPES_DIR / shapes_file
    if not path.exists():
        pytest.skip(f"{path} not found: the test expects ../shared/dcat-ap beside the checkout")
    _, report, _ = pyshacl.validate(catalogue, shacl_graph=rdflib.Graph().parse(path, format="turtle"))
    results = [
        (report.value(r, SH.resultSeverity), report.value(r, SH.resultPath)) for r in report.objects(None, SH.result)
    ]
    assert [r for r in results if r[0] == SH.Violation] == []
    warned = {str(path) for severity, path in results if severity == SH.Warning}
    assert warned <= ACCEPTED_WARNINGS.get(shapes_file, set())


def test_the_catalogue_states_what_the_data_says(catalogue, select, settings, backend):
    range_states = select("SELECT DISTINCT ?code WHERE { ?programme mea:rangeState ?c . ?c mea:isoCode ?code }")
    assert len(range_states) == 14
    places = {str(p) for p in catalogue.objects(DATASET, DCT.spatial)}
    assert len(places) == 14 and f"{COUNTRY}KAZ" in places and f"{COUNTRY}ECU" not in places  # Quito is no range state
    assert set(catalogue.objects(CATALOGUE, DCT.spatial)) == set(catalogue.objects(DATASET, DCT.spatial))
    period = catalogue.value(DATASET, DCT.temporal)
    assert (str(catalogue.value(period, DCAT.startDate)), str(catalogue.value(period, DCAT.endDate))) == (
        "2014",
        "2020",
    )
    assert catalogue.value(CATALOGUE, DCT.description) and catalogue.value(
        catalogue.value(CATALOGUE, DCT.publisher), rdflib.FOAF.name
    )
    assert str(catalogue.value(DATASET, rdflib.OWL.versionInfo)) == str(catalogue.value(DATASET, DCAT.version))
    endpoint = {d for d in catalogue.objects(DATASET, DCAT.distribution) if (d, DCAT.accessService, None) in catalogue}
    assert {catalogue.value(d, DCAT.accessURL) for d in endpoint} == {rdflib.URIRef("http://testserver/sparql")}
    themes = set(catalogue.objects(DATASET, DCAT.theme))
    assert rdflib.URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI") in themes
    if backend != "embedded":
        return
    release = store.current_release(settings.store_dir)
    built = datetime.strptime(store.read_manifest(release)["id"], "%Y%m%dT%H%M%S.%fZ")
    assert catalogue.value(DATASET, DCT.modified).toPython().replace(tzinfo=None) == built.replace(microsecond=0)
    assert catalogue.value(DATASET, DCT.issued) == catalogue.value(CATALOGUE, DCT.modified)
    downloads = [d for d in catalogue.objects(DATASET, DCAT.distribution) if (d, DCAT.downloadURL, None) in catalogue]
    assert len(downloads) == 4
    for distribution in downloads:
        url = catalogue.value(distribution, DCAT.downloadURL)
        assert catalogue.value(distribution, DCAT.accessURL) == url
        file = release / str(url).rsplit("/", 1)[1]
        assert int(catalogue.value(distribution, DCAT.byteSize)) == file.stat().st_size
        checksum = catalogue.value(distribution, SPDX.checksum)
        assert str(catalogue.value(checksum, SPDX.checksumValue)) == hashlib.sha1(file.read_bytes()).hexdigest()
        assert catalogue.value(distribution, DCT.format) is not None and catalogue.value(distribution, DCT.license)


def _schema_dataset(client, path: str) -> tuple[rdflib.Graph, rdflib.term.Node]:
    """The schema.org Dataset embedded in the HTML a browser gets at ``path``, read as JSON-LD."""
    page = client.get(path, headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    assert len(scripts) == 1
    graph = rdflib.Graph().parse(data=scripts[0], format="json-ld")
    (dataset,) = graph.subjects(rdflib.RDF.type, SCHEMA.Dataset)
    return graph, dataset


@pytest.mark.parametrize("path", ["/", "/dumps"])
def test_the_pages_embed_a_schema_org_dataset_consistent_with_the_catalogue(client, catalogue, backend, path):
    graph, dataset = _schema_dataset(client, path)
    value = lambda p: graph.value(dataset, SCHEMA[p])  # noqa: E731
    for field in GOOGLE_DATASET_FIELDS:
        assert value(field) is not None, field
    assert value("license") == catalogue.value(DATASET, DCT.license)
    assert str(value("version")) == str(catalogue.value(DATASET, rdflib.OWL.versionInfo))
    for schema_date, dcat_date in (("dateModified", DCT.modified), ("datePublished", DCT.issued)):
        assert datetime.fromisoformat(str(value(schema_date))) == catalogue.value(DATASET, dcat_date).toPython()
    assert str(value("temporalCoverage")) == "2014/2020"
    places = {graph.value(p, SCHEMA.sameAs) for p in graph.objects(dataset, SCHEMA.spatialCoverage)}
    assert places == set(catalogue.objects(DATASET, DCT.spatial))
    downloads = {
        (str(graph.value(d, SCHEMA.contentUrl)), str(graph.value(d, SCHEMA.encodingFormat)))
        for d in graph.objects(dataset, SCHEMA.distribution)
    }
    assert {u for u, _ in downloads} == {str(u) for u in catalogue.objects(None, DCAT.downloadURL)}
    assert len(downloads) == (4 if backend == "embedded" else 0)
    assert ("http://testserver/dumps/mea-kg.ttl", "text/turtle") in downloads or backend != "embedded"


def test_dumps_answer_json_to_machines_and_a_landing_page_to_browsers(client, backend):
    listing = client.get("/dumps", headers={"Accept": "application/json"})
    assert listing.headers["content-type"] == "application/json" and "Accept" in listing.headers["vary"]
    page = client.get("/dumps", headers={"Accept": "text/html"})
    links = set(re.findall(r'<a href="(http://testserver/dumps/[^"]+)">', page.text))
    assert links == {d["url"] for d in listing.json()}
    assert (
        json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S).group(1))["@type"]
        == "Dataset"
    )
