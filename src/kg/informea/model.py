"""The feed's entity model, declared once: InforMEA's entity types, their properties and navigations.

Everything else is generated from this description: the ``$metadata`` document, the service document,
how mapped SPARQL rows become entities, which properties ``$filter``/``$orderby`` may name, and how
values are typed in JSON and Atom.

Names are the EDM names InforMEA's OData provider publishes (Apache Olingo 2, EDM namespace ``informea``:
https://github.com/InforMEA/odata.provider, ``src/main/webapp/jpa_edm_mapping.xml`` and the entity
classes ``src/main/java/edw/olingo/model/*.java``). In that mapping ``<JPARelationship name="titles">title
</JPARelationship>`` publishes the Java field ``titles`` as the navigation ``title`` and
``<EDMEntitySet>longTitle</EDMEntitySet>`` names the entity set; a field the mapping does not list keeps
its Java name (``Meeting.virtual``, ``DocumentFile.content``). ``treatyUUID`` (Decision, Meeting) is a
column the provider's views fill (``etc/informea_odata.sql``) and its ``d9`` branch maps. Properties the
graph cannot fill are present and null; records it has none of are empty lists.

Two things are ours, not InforMEA's: a Decision's ``documents`` navigation (to the Documents adopted with
it) and ``MeetingDescription``'s entity set name (the mapping names it ``description``, as it names
TreatyDescription's; one container cannot hold two sets of one name, so the second keeps its type's name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NAMESPACE = "informea"
CONTAINER = "InformeaContainer"

STRING, DATETIME, INT32 = "Edm.String", "Edm.DateTime", "Edm.Int32"
DOUBLE, BOOLEAN = "Edm.Double", "Edm.Boolean"


@dataclass(frozen=True)
class Property:
    name: str
    type: str = STRING
    nullable: bool = True


@dataclass(frozen=True)
class Navigation:
    """A collection reachable from an entity: child records (titles, keywords …) or entities of another set."""

    name: str
    target: str
    """Name of the target entity type."""
    joined: bool = False
    """Children of one language are joined, in the order of their ``<nav>_order`` column, into one record."""


@dataclass(frozen=True)
class EntityType:
    name: str
    entity_set: str
    properties: tuple[Property, ...]
    navigations: tuple[Navigation, ...] = ()
    mapping: str | None = None
    """Stem of the ``queries/informea/<mapping>.rq`` file that maps the graph to this type (top-level types)."""
    key: str = "id"

    @property
    def qualified_name(self) -> str:
        return f"{NAMESPACE}.{self.name}"

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def navigation(self, name: str) -> Navigation | None:
        return next((n for n in self.navigations if n.name == name), None)


@dataclass(frozen=True)
class Model:
    types: tuple[EntityType, ...]
    _by_name: dict[str, EntityType] = field(init=False, repr=False, compare=False)
    _by_set: dict[str, EntityType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {t.name: t for t in self.types})
        object.__setattr__(self, "_by_set", {t.entity_set: t for t in self.types})

    def type(self, name: str) -> EntityType:
        return self._by_name[name]

    def by_set(self, entity_set: str) -> EntityType | None:
        return self._by_set.get(entity_set)

    def parents(self, child: EntityType) -> list[tuple[EntityType, Navigation]]:
        """The top-level types and navigations whose children are of type ``child``."""
        return [(t, n) for t in self.types if t.mapping for n in t.navigations if n.target == child.name]

    def associations(self) -> list[tuple[EntityType, Navigation]]:
        return [(t, n) for t in self.types for n in t.navigations]


def _id() -> Property:
    return Property("id", STRING, nullable=False)


def _strings(*names: str) -> tuple[Property, ...]:
    return tuple(Property(name) for name in names)


def _record(name: str, entity_set: str, *properties: str) -> EntityType:
    """A record type: an ``id`` (``<parent id>-<language>`` or ``<parent id>-<n>``) and string properties."""
    return EntityType(name, entity_set, (_id(), *_strings(*properties)))


def _localized(name: str, entity_set: str) -> EntityType:
    """A ``{language, value}`` record (titles, descriptions …)."""
    return _record(name, entity_set, "language", "value")


def _file(name: str, *extra: str) -> EntityType:
    return _record(name, name, "url", "mimeType", "language", "filename", *extra)


MODEL = Model(
    (
        EntityType(
            "Treaty",
            "Treaties",
            (
                _id(),
                *_strings("UUID", "url", "titleEnglish", "officialNameEnglish", "treatyWebsiteURL"),
            ),
            (Navigation("title", "TreatyTitle"), Navigation("description", "TreatyDescription")),
            mapping="treaties",
        ),
        _localized("TreatyTitle", "title"),
        _localized("TreatyDescription", "description"),
        EntityType(
            "Meeting",
            "Meetings",
            (
                _id(),
                *_strings("treaty", "treatyUUID", "url"),
                Property("start", DATETIME),
                Property("end", DATETIME),
                *_strings("repetition", "kind", "type", "access", "status", "imageUrl", "imageCopyright"),
                *_strings("location", "city", "country"),
                Property("latitude", DOUBLE),
                Property("longitude", DOUBLE),
                Property("virtual", BOOLEAN),
                Property("updated", DATETIME),
            ),
            (Navigation("title", "MeetingTitle"), Navigation("description", "MeetingDescription")),
            mapping="meetings",
        ),
        _localized("MeetingTitle", "MeetingTitle"),
        _localized("MeetingDescription", "MeetingDescription"),
        EntityType(
            "Decision",
            "Decisions",
            (
                _id(),
                *_strings("link", "number", "status", "type", "treaty", "treatyUUID"),
                Property("published", DATETIME),
                Property("updated", DATETIME),
                *_strings("meetingId", "meetingTitle", "meetingUrl"),
                Property("displayOrder", INT32),
            ),
            (
                Navigation("title", "DecisionTitle"),
                Navigation("longTitle", "DecisionLongTitle"),
                Navigation("summary", "DecisionSummary"),
                Navigation("content", "DecisionContent", joined=True),
                Navigation("keywords", "DecisionKeyword"),
                Navigation("files", "DecisionFile"),
                Navigation("documents", "Document"),  # ours: the Documents adopted with the decision
            ),
            mapping="decisions",
        ),
        _localized("DecisionTitle", "DecisionTitle"),
        _localized("DecisionLongTitle", "longTitle"),
        _localized("DecisionSummary", "summary"),
        _localized("DecisionContent", "content"),
        _record("DecisionKeyword", "keywords", "namespace", "term"),
        _file("DecisionFile"),
        EntityType(
            "Document",
            "Documents",
            (
                _id(),
                Property("thumbnailUrl"),
                Property("published", DATETIME),
                Property("updated", DATETIME),
                *_strings("treaty", "country"),
                Property("displayOrder", INT32),
                Property("schemaVersion"),
            ),
            (
                Navigation("treaties", "DocumentTreaty"),
                Navigation("authors", "DocumentAuthor"),
                Navigation("description", "DocumentDescription"),
                Navigation("files", "DocumentFile"),
                Navigation("identifiers", "DocumentIdentifier"),
                Navigation("keywords", "DocumentKeyword"),
                Navigation("referenceToEntities", "DocumentReference"),
                Navigation("tags", "DocumentTag"),
                Navigation("title", "DocumentTitle"),
                Navigation("types", "DocumentType"),
            ),
            mapping="documents",
        ),
        _record("DocumentTreaty", "treaty", "value"),
        _localized("DocumentDescription", "DocumentDescriptions"),
        _localized("DocumentTitle", "DocumentTitles"),
        _file("DocumentFile", "content"),
        _record("DocumentIdentifier", "DocumentIdentifier", "name", "value"),
        _record("DocumentReference", "DocumentReference", "type", "refId"),
        _record("DocumentTag", "DocumentTag", "language", "scope", "value", "comment"),
        _record("DocumentType", "DocumentTypes", "value"),
        _record("DocumentAuthor", "DocumentAuthors", "name", "type"),
        _record("DocumentKeyword", "DocumentKeyword", "literalForm", "scope", "sourceURL", "termURI"),
    )
)
