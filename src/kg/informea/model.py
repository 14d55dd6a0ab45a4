"""The feed's entity model, declared once: InforMEA's entity types, their properties and navigations.

Everything else is generated from this description: the ``$metadata`` document, the service document,
how mapped SPARQL rows become entities, which properties ``$filter``/``$orderby`` may name, and how
values are typed in JSON and Atom. Names follow InforMEA's OData provider (Apache Olingo 2, EDM
namespace ``informea``: https://github.com/InforMEA/odata.provider, ``jpa_edm_mapping.xml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NAMESPACE = "informea"
CONTAINER = "InformeaContainer"

STRING, DATETIME, INT32 = "Edm.String", "Edm.DateTime", "Edm.Int32"


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


def _localized(name: str, entity_set: str | None = None) -> EntityType:
    """A ``{language, value}`` record (titles, descriptions …), keyed ``<parent id>-<language>``."""
    return EntityType(name, entity_set or name + "s", (_id(), Property("language"), Property("value")))


def _file(name: str) -> EntityType:
    return EntityType(
        name, name + "s", (_id(), Property("url"), Property("mimeType"), Property("language"), Property("filename"))
    )


MODEL = Model(
    (
        EntityType(
            "Treaty",
            "Treaties",
            (
                _id(),
                Property("url"),
                Property("titleEnglish"),
                Property("officialNameEnglish"),
            ),
            (Navigation("titles", "TreatyTitle"), Navigation("descriptions", "TreatyDescription")),
            mapping="treaties",
        ),
        _localized("TreatyTitle"),
        _localized("TreatyDescription"),
        EntityType(
            "Meeting",
            "Meetings",
            (
                _id(),
                Property("treaty"),
                Property("url"),
                Property("start", DATETIME),
                Property("end", DATETIME),
                Property("kind"),
                Property("type"),
                Property("access"),
                Property("status"),
                Property("location"),
                Property("city"),
                Property("country"),
                Property("updated", DATETIME),
            ),
            (Navigation("titles", "MeetingTitle"), Navigation("descriptions", "MeetingDescription")),
            mapping="meetings",
        ),
        _localized("MeetingTitle"),
        _localized("MeetingDescription"),
        EntityType(
            "Decision",
            "Decisions",
            (
                _id(),
                Property("link"),
                Property("number"),
                Property("status"),
                Property("type"),
                Property("treaty"),
                Property("published", DATETIME),
                Property("updated", DATETIME),
                Property("meetingId"),
                Property("meetingTitle"),
                Property("meetingUrl"),
                Property("displayOrder", INT32),
            ),
            (
                Navigation("titles", "DecisionTitle"),
                Navigation("longTitles", "DecisionLongTitle"),
                Navigation("summaries", "DecisionSummary"),
                Navigation("contents", "DecisionContent", joined=True),
                Navigation("keywords", "DecisionKeyword"),
                Navigation("files", "DecisionFile"),
                Navigation("documents", "Document"),
            ),
            mapping="decisions",
        ),
        _localized("DecisionTitle"),
        _localized("DecisionLongTitle"),
        _localized("DecisionSummary", "DecisionSummaries"),
        _localized("DecisionContent"),
        EntityType("DecisionKeyword", "DecisionKeywords", (_id(), Property("namespace"), Property("term"))),
        _file("DecisionFile"),
        EntityType(
            "Document",
            "Documents",
            (
                _id(),
                Property("published", DATETIME),
                Property("updated", DATETIME),
                Property("displayOrder", INT32),
            ),
            (
                Navigation("treaties", "DocumentTreaty"),
                Navigation("titles", "DocumentTitle"),
                Navigation("descriptions", "DocumentDescription"),
                Navigation("authors", "DocumentAuthor"),
                Navigation("identifiers", "DocumentIdentifier"),
                Navigation("references", "DocumentReference"),
                Navigation("keywords", "DocumentKeyword"),
                Navigation("types", "DocumentType"),
                Navigation("files", "DocumentFile"),
            ),
            mapping="documents",
        ),
        EntityType("DocumentTreaty", "DocumentTreaties", (_id(), Property("treaty"))),
        _localized("DocumentTitle"),
        _localized("DocumentDescription"),
        EntityType("DocumentAuthor", "DocumentAuthors", (_id(), Property("name"), Property("type"))),
        EntityType("DocumentIdentifier", "DocumentIdentifiers", (_id(), Property("name"), Property("value"))),
        EntityType("DocumentReference", "DocumentReferences", (_id(), Property("type"), Property("refId"))),
        EntityType(
            "DocumentKeyword",
            "DocumentKeywords",
            (_id(), Property("termURI"), Property("scope"), Property("literalForm"), Property("sourceURL")),
        ),
        EntityType("DocumentType", "DocumentTypes", (_id(), Property("value"))),
        _file("DocumentFile"),
    )
)
