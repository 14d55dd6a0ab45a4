"""What the dataset is, stated once (:class:`Facts`) and written two ways: DCAT-AP 2.1.1 triples for
``/catalog`` and a schema.org ``Dataset`` for the JSON-LD embedded in the HTML pages.

The vocabulary IRIs are those of the EU Publications Office's authority tables (file types, languages,
countries, data themes, access rights, frequencies, planned availability), the ADMS licence types, IANA
media types and SPDX checksums, as DCAT-AP 2.1.1 (SEMICeu/DCAT-AP, releases/2.1.1: the SHACL shapes in
``../shared/dcat-ap`` and the specification's usage notes) asks for them. Where a shape expects a class on
such an IRI, the class (and the ``skos:inScheme`` the controlled-vocabulary shapes check) is stated here,
as the DCAT-AP examples do. The codes used (file types RDF_TURTLE, RDF_N_TRIPLES, RDF_N_QUADS, JSON_LD, SPARQLQ;
planned availability AVAILABLE; ADMS licence type Attribution; access right PUBLIC; frequency IRREG; data themes
ENVI and INTR) are those of the authority tables at publications.europa.eu/resource/authority/… and
purl.org/adms/licencetype/, as public DCAT-AP tooling (CKAN's DCAT-AP extensions, the EU Open Data Portal's
sources) uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from .informea.feed import release_time
from .namespaces import DCAT, DCATAP, DCTERMS, FOAF, ID, OWL, PROV, RDF, RDFS, SKOS, SPDX, VCARD, XSD

SCHEMA = "http://schema.org/"
AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
LICENCE_TYPE = "http://purl.org/adms/licencetype/"

TITLE = {
    "en": "MEA knowledge graph: CMS–CITES cooperation",
    "fr": "Graphe de connaissances des AEM : coopération CMS-CITES",
}
DESCRIPTION = (
    "The CMS–CITES Joint Work Programme 2015–2020 and CMS Resolution 11.24 with the CAMI programme of work, "
    "transcribed from the French originals with English translations, with CITES and CMS listings of their taxa."
)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_EU = AUTHORITY + "licence/CC_BY_4_0"
KEYWORDS = ("migratory species", "wildlife trade", "CITES", "CMS", "Central Asian Mammals Initiative")
PUBLISHER = "mea-kg developers"
LANGUAGES = (("fr", "FRA"), ("en", "ENG"))  # BCP 47 tag, EU language authority code
THEMES = (("ENVI", "Environment"), ("INTR", "International issues"))
SOURCES = (ID + "programme/jwp", ID + "document/cms-resolution-11.24", ID + "programme/cami")
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"


@dataclass(frozen=True)
class DumpFormat:
    media_type: str
    file_type: str  # the EU file-type authority code
    title: str


DUMPS = {
    "mea-kg.ttl": DumpFormat("text/turtle", "RDF_TURTLE", "The merged graph as Turtle"),
    "mea-kg.nt.gz": DumpFormat("application/n-triples", "RDF_N_TRIPLES", "The merged graph as gzipped N-Triples"),
    "mea-kg.jsonld": DumpFormat("application/ld+json", "JSON_LD", "The merged graph as JSON-LD"),
    "mea-kg.nq.gz": DumpFormat(
        "application/n-quads", "RDF_N_QUADS", "The dataset with its named graphs as gzipped N-Quads"
    ),
}
"""The dumps `kg build` writes (kg.store.DUMPS), as they are described."""

# ISO 3166-1 alpha-2 (the data's mea:isoCode) → the EU country authority's code (ISO 3166-1 alpha-3), for the
# countries the data names as range states; a country missing here is left out of the spatial coverage.
EU_COUNTRY = {
    "AF": "AFG", "BT": "BTN", "CN": "CHN", "IN": "IND", "IR": "IRN", "KG": "KGZ", "KZ": "KAZ",
    "MN": "MNG", "NP": "NPL", "PK": "PAK", "RU": "RUS", "TJ": "TJK", "TM": "TKM", "UZ": "UZB",
}  # fmt: skip

COUNTRIES_QUERY = """SELECT DISTINCT ?code ?label WHERE {
  ?programme mea:rangeState ?country . ?country mea:isoCode ?code ; rdfs:label ?label FILTER(LANG(?label) = "en")
} ORDER BY ?code"""
YEARS_QUERY = """SELECT (MIN(?start) AS ?start) (MAX(?end) AS ?end) WHERE {
  ?programme mea:startYear ?start ; mea:endYear ?end
}"""


@dataclass(frozen=True)
class Dump:
    name: str
    url: str
    size: int
    sha1: str

    @property
    def format(self) -> DumpFormat:
        return DUMPS[self.name]


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    label: str

    @property
    def iri(self) -> str:
        return f"{AUTHORITY}country/{EU_COUNTRY[self.code]}"


@dataclass(frozen=True)
class Facts:
    """Everything both descriptions say, gathered from the service (its URL, release, data and dumps)."""

    base: str
    version: str
    countries: tuple[Country, ...]
    years: tuple[int, int] | None
    dumps: tuple[Dump, ...]

    @property
    def dataset(self) -> str:
        return f"{self.base}/.well-known/void#dataset"

    @property
    def released(self) -> str | None:
        """When the release was built (its id, UTC) as xsd:dateTime text; None when the version names no release."""
        built = release_time(self.version)
        return f"{built.isoformat(timespec='seconds')}Z" if built else None


def facts(
    base: str, version: str, countries: list[dict[str, str]], years: list[dict[str, str]], dumps: tuple[Dump, ...]
) -> Facts:
    """The facts, from the rows of COUNTRIES_QUERY and YEARS_QUERY."""
    span = years[0] if years else {}
    return Facts(
        base=base,
        version=version,
        countries=tuple(Country(r["code"], r["label"]) for r in countries if r["code"] in EU_COUNTRY),
        years=(int(span["start"]), int(span["end"])) if "start" in span and "end" in span else None,
        dumps=dumps,
    )


class _Triples(list[ox.Triple]):
    """A list of triples with a short way to add them."""

    def add(
        self, subject: ox.NamedNode | ox.BlankNode, predicate: str, *objects: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        self.extend(ox.Triple(subject, ox.NamedNode(predicate), o) for o in objects)

    def concept(self, iri: str, classes: tuple[str, ...], scheme: str, label: str | None = None) -> ox.NamedNode:
        """A controlled-vocabulary value: its classes, its scheme and (for a skos:Concept) its label."""
        node = ox.NamedNode(iri)
        self.add(node, RDF + "type", *(ox.NamedNode(c) for c in classes))
        self.add(node, SKOS + "inScheme", ox.NamedNode(scheme))
        if label is not None:
            self.add(node, SKOS + "prefLabel", ox.Literal(label, language="en"))
        return node


def _date_time(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "dateTime"))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def dcat(f: Facts) -> list[ox.Triple]:
    """The DCAT-AP description: the catalogue, the dataset, one distribution per dump, the SPARQL service."""
    t = _Triples()
    a = RDF + "type"
    catalogue, dataset = ox.NamedNode(f"{f.base}/catalog#catalogue"), ox.NamedNode(f.dataset)
    service, home = ox.NamedNode(f"{f.base}/sparql#service"), ox.NamedNode(f"{f.base}/")
    publisher, contact = ox.NamedNode(f"{f.base}/catalog#publisher"), ox.NamedNode(f"{f.base}/catalog#contact")
    licence, public = _licence(t), _public(t)
    languages = [
        t.concept(f"{AUTHORITY}language/{code}", (DCTERMS + "LinguisticSystem",), AUTHORITY + "language")
        for _, code in LANGUAGES
    ]
    places = [t.concept(c.iri, (DCTERMS + "Location",), AUTHORITY + "country") for c in f.countries]
    themes = [
        t.concept(f"{AUTHORITY}data-theme/{code}", (SKOS + "Concept",), AUTHORITY + "data-theme", label)
        for code, label in THEMES
    ]
    taxonomy = ox.NamedNode(AUTHORITY + "data-theme")
    t.add(taxonomy, a, ox.NamedNode(SKOS + "ConceptScheme"))
    t.add(taxonomy, DCTERMS + "title", _en("Data theme"))
    t.add(home, a, ox.NamedNode(FOAF + "Document"))
    t.add(publisher, a, ox.NamedNode(FOAF + "Agent"))
    t.add(publisher, FOAF + "name", ox.Literal(PUBLISHER))
    t.add(contact, a, ox.NamedNode(VCARD + "Kind"))
    t.add(contact, VCARD + "fn", ox.Literal(PUBLISHER))
    t.add(contact, VCARD + "hasURL", home)
    released = [_date_time(f.released)] if f.released else []

    t.add(catalogue, a, ox.NamedNode(DCAT + "Catalog"))
    t.add(catalogue, DCTERMS + "title", _en("mea-kg catalogue"))
    t.add(catalogue, DCTERMS + "description", _en("The mea-kg dataset, its dumps and its SPARQL endpoint."))
    t.add(catalogue, DCTERMS + "publisher", publisher)
    t.add(catalogue, DCTERMS + "license", licence)
    t.add(catalogue, DCTERMS + "language", *languages)
    t.add(catalogue, DCTERMS + "spatial", *places)
    t.add(catalogue, DCAT + "themeTaxonomy", taxonomy)
    t.add(catalogue, FOAF + "homepage", home)
    t.add(catalogue, DCTERMS + "issued", *released)
    t.add(catalogue, DCTERMS + "modified", *released)
    t.add(catalogue, DCAT + "dataset", dataset)
    t.add(catalogue, DCAT + "service", service)

    t.add(dataset, a, ox.NamedNode(DCAT + "Dataset"))
    t.add(dataset, DCTERMS + "title", *(ox.Literal(text, language=lang) for lang, text in TITLE.items()))
    t.add(dataset, DCTERMS + "description", _en(DESCRIPTION))
    t.add(dataset, DCTERMS + "identifier", ox.Literal(f.dataset))
    t.add(dataset, OWL + "versionInfo", ox.Literal(f.version))
    t.add(dataset, DCAT + "version", ox.Literal(f.version))
    t.add(dataset, DCTERMS + "issued", *released)
    t.add(dataset, DCTERMS + "modified", *released)
    t.add(dataset, DCTERMS + "license", licence)
    t.add(dataset, DCTERMS + "accessRights", public)
    t.add(dataset, DCTERMS + "publisher", publisher)
    t.add(dataset, DCTERMS + "creator", publisher)
    t.add(dataset, DCAT + "contactPoint", contact)
    t.add(dataset, DCAT + "keyword", *(_en(k) for k in KEYWORDS))
    t.add(dataset, DCAT + "theme", *themes)
    t.add(dataset, DCTERMS + "language", *languages)
    t.add(dataset, DCTERMS + "spatial", *places)
    t.add(dataset, DCAT + "landingPage", home)
    t.add(dataset, PROV + "wasDerivedFrom", *(ox.NamedNode(s) for s in SOURCES))
    t.add(
        dataset,
        DCTERMS + "accrualPeriodicity",
        t.concept(AUTHORITY + "frequency/IRREG", (DCTERMS + "Frequency",), AUTHORITY + "frequency"),
    )
    if f.years:
        period = ox.BlankNode()
        year = ox.NamedNode(XSD + "gYear")
        t.add(dataset, DCTERMS + "temporal", period)
        t.add(period, a, ox.NamedNode(DCTERMS + "PeriodOfTime"))
        t.add(period, DCAT + "startDate", ox.Literal(str(f.years[0]), datatype=year))
        t.add(period, DCAT + "endDate", ox.Literal(str(f.years[1]), datatype=year))
    _distributions(t, f, dataset, licence, service)

    t.add(service, a, ox.NamedNode(DCAT + "DataService"))
    t.add(service, DCTERMS + "title", _en("mea-kg SPARQL 1.1 endpoint"))
    t.add(
        service,
        DCTERMS + "description",
        _en("SPARQL 1.1 queries over the dataset; GET without a query answers its service description."),
    )
    t.add(service, DCAT + "endpointURL", ox.NamedNode(f"{f.base}/sparql"))
    t.add(service, DCAT + "endpointDescription", ox.NamedNode(f"{f.base}/sparql"))
    t.add(service, DCAT + "servesDataset", dataset)
    t.add(service, DCTERMS + "license", licence)
    t.add(service, DCTERMS + "accessRights", public)
    t.add(service, DCTERMS + "conformsTo", ox.NamedNode(SPARQL_PROTOCOL))
    t.add(ox.NamedNode(SPARQL_PROTOCOL), a, ox.NamedNode(DCTERMS + "Standard"))
    return t


def _licence(t: _Triples) -> ox.NamedNode:
    """CC BY 4.0: its canonical IRI, the EU licence authority's entry for it, its ADMS type (attribution)."""
    licence = ox.NamedNode(LICENSE)
    t.add(licence, RDF + "type", ox.NamedNode(DCTERMS + "LicenseDocument"))
    t.add(licence, RDFS + "label", _en("Creative Commons Attribution 4.0 International"))
    t.add(licence, SKOS + "exactMatch", ox.NamedNode(LICENSE_EU))
    kind = t.concept(LICENCE_TYPE + "Attribution", (SKOS + "Concept",), LICENCE_TYPE + "1.0", "Attribution")
    t.add(licence, DCTERMS + "type", kind)
    return licence


def _public(t: _Triples) -> ox.NamedNode:
    return t.concept(AUTHORITY + "access-right/PUBLIC", (DCTERMS + "RightsStatement",), AUTHORITY + "access-right")


def _distributions(t: _Triples, f: Facts, dataset: ox.NamedNode, licence: ox.NamedNode, service: ox.NamedNode) -> None:
    """One distribution per dump, and the SPARQL endpoint as the distribution every service has."""
    a = RDF + "type"
    available = t.concept(
        AUTHORITY + "planned-availability/AVAILABLE",
        (SKOS + "Concept",),
        AUTHORITY + "planned-availability",
        "available",
    )
    endpoint = ox.NamedNode(f"{f.base}/sparql#distribution")
    sparql = t.concept(AUTHORITY + "file-type/SPARQLQ", (DCTERMS + "MediaTypeOrExtent",), AUTHORITY + "file-type")
    t.add(dataset, DCAT + "distribution", endpoint)
    t.add(endpoint, a, ox.NamedNode(DCAT + "Distribution"))
    t.add(endpoint, DCTERMS + "title", _en("SPARQL endpoint"))
    t.add(
        endpoint, DCTERMS + "description", _en("The whole dataset, queried with SPARQL 1.1 at the service's endpoint.")
    )
    t.add(endpoint, DCAT + "accessURL", ox.NamedNode(f"{f.base}/sparql"))
    t.add(endpoint, DCAT + "accessService", service)
    t.add(endpoint, DCTERMS + "format", sparql)
    t.add(endpoint, DCTERMS + "license", licence)
    t.add(endpoint, DCATAP + "availability", available)
    gzip = ox.NamedNode(IANA + "application/gzip")
    sha1 = ox.NamedNode(SPDX + "checksumAlgorithm_sha1")
    if f.dumps:
        t.add(gzip, a, ox.NamedNode(DCTERMS + "MediaType"))
        t.add(sha1, a, ox.NamedNode(SPDX + "ChecksumAlgorithm"))
    for dump in f.dumps:
        distribution, url = ox.NamedNode(f"{dump.url}#distribution"), ox.NamedNode(dump.url)
        media = ox.NamedNode(IANA + dump.format.media_type)
        t.add(media, a, ox.NamedNode(DCTERMS + "MediaType"))
        file_type = t.concept(
            f"{AUTHORITY}file-type/{dump.format.file_type}", (DCTERMS + "MediaTypeOrExtent",), AUTHORITY + "file-type"
        )
        checksum = ox.BlankNode()
        t.add(dataset, DCAT + "distribution", distribution)
        t.add(distribution, a, ox.NamedNode(DCAT + "Distribution"))
        t.add(distribution, DCTERMS + "title", _en(dump.name))
        t.add(distribution, DCTERMS + "description", _en(dump.format.title))
        t.add(distribution, DCAT + "accessURL", url)
        t.add(distribution, DCAT + "downloadURL", url)
        t.add(distribution, DCAT + "mediaType", media)
        t.add(distribution, DCTERMS + "format", file_type)
        if dump.name.endswith(".gz"):
            t.add(distribution, DCAT + "compressFormat", gzip)
        t.add(distribution, DCAT + "byteSize", ox.Literal(str(dump.size), datatype=ox.NamedNode(XSD + "decimal")))
        t.add(distribution, SPDX + "checksum", checksum)
        t.add(checksum, a, ox.NamedNode(SPDX + "Checksum"))
        t.add(checksum, SPDX + "algorithm", sha1)
        t.add(checksum, SPDX + "checksumValue", ox.Literal(dump.sha1, datatype=ox.NamedNode(XSD + "hexBinary")))
        t.add(distribution, DCTERMS + "license", licence)
        t.add(distribution, DCATAP + "availability", available)


def schema_org(f: Facts) -> dict[str, Any]:
    """The schema.org ``Dataset`` (JSON-LD) that Google Dataset Search and DataCite harvest, from the same facts.

    Its context is inline (``@vocab`` schema.org), so a consumer needs no remote context to read it."""
    creator = {"@type": "Organization", "name": PUBLISHER, "url": f"{f.base}/"}
    description: dict[str, Any] = {
        "@context": {"@vocab": SCHEMA},
        "@type": "Dataset",
        "@id": f.dataset,
        "name": TITLE["en"],
        "alternateName": TITLE["fr"],
        "description": DESCRIPTION,
        "url": f"{f.base}/",
        "identifier": f.dataset,
        "license": {"@id": LICENSE},
        "isAccessibleForFree": True,
        "creator": creator,
        "publisher": creator,
        "keywords": list(KEYWORDS),
        "inLanguage": [lang for lang, _ in LANGUAGES],
        "version": f.version,
        "isBasedOn": [{"@id": s} for s in SOURCES],
        "spatialCoverage": [
            {"@type": "Place", "name": c.label, "identifier": c.code, "sameAs": {"@id": c.iri}} for c in f.countries
        ],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": "mea-kg catalogue", "url": f"{f.base}/catalog"},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.name,
                "description": d.format.title,
                "contentUrl": d.url,
                "encodingFormat": d.format.media_type,
                "contentSize": f"{d.size} B",
            }
            for d in f.dumps
        ],
    }
    if f.years:
        description["temporalCoverage"] = f"{f.years[0]}/{f.years[1]}"
    if f.released:
        description["datePublished"] = description["dateModified"] = f.released
    return description
