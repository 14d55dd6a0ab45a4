"""The OData v2 documents: ``$metadata`` (EDMX), the service document, entity sets and entries as JSON
verbose (``{"d": {"results": [...], "__count", "__next"}}``) or Atom, and error bodies."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import quote

from ..accept import choose
from .model import CONTAINER, DATETIME, NAMESPACE, EntityType, Model, Property
from .options import ODataError

EDMX = "http://schemas.microsoft.com/ado/2007/06/edmx"
EDM = "http://schemas.microsoft.com/ado/2008/09/edm"
M = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
D = "http://schemas.microsoft.com/ado/2007/08/dataservices"
ATOM = "http://www.w3.org/2005/Atom"
APP = "http://www.w3.org/2007/app"
XML = "http://www.w3.org/XML/1998/namespace"
SCHEME = "http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"
RELATED = "http://schemas.microsoft.com/ado/2007/08/dataservices/related/"

JSON_TYPE = "application/json;charset=utf-8"
ATOM_FEED_TYPE = "application/atom+xml;type=feed;charset=utf-8"
ATOM_ENTRY_TYPE = "application/atom+xml;type=entry;charset=utf-8"
XML_TYPE = "application/xml;charset=utf-8"
SERVICE_TYPE = "application/atomsvc+xml;charset=utf-8"
_EPOCH = dt.datetime(1970, 1, 1)

for _prefix, _uri in (("edmx", EDMX), ("m", M), ("d", D), ("app", APP)):
    ET.register_namespace(_prefix, _uri)
ET.register_namespace("", ATOM)

Children = Callable[[dict, str], list[dict]]
"""Given an entity and a navigation name, the related entities (records or entities of another set)."""


def _related(children: Children | None, entity: dict, navigation: str) -> list[dict]:
    if children is None:
        raise ValueError(f"expanding {navigation!r} needs the related entities (children)")
    return children(entity, navigation)


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- $metadata and the service document ----------------------------------------------------------------


def metadata(model: Model) -> bytes:
    """The EDMX document, generated from the model."""
    edmx = ET.Element(f"{{{EDMX}}}Edmx", {"Version": "1.0"})
    services = ET.SubElement(edmx, f"{{{EDMX}}}DataServices", {f"{{{M}}}DataServiceVersion": "2.0"})
    schema = ET.SubElement(services, f"{{{EDM}}}Schema", {"Namespace": NAMESPACE})
    for entity_type in model.types:
        element = ET.SubElement(schema, f"{{{EDM}}}EntityType", {"Name": entity_type.name})
        ET.SubElement(ET.SubElement(element, f"{{{EDM}}}Key"), f"{{{EDM}}}PropertyRef", {"Name": entity_type.key})
        for prop in entity_type.properties:
            ET.SubElement(
                element,
                f"{{{EDM}}}Property",
                {"Name": prop.name, "Type": prop.type, "Nullable": "true" if prop.nullable else "false"},
            )
        for navigation in entity_type.navigations:
            ET.SubElement(
                element,
                f"{{{EDM}}}NavigationProperty",
                {
                    "Name": navigation.name,
                    "Relationship": f"{NAMESPACE}.{_association(entity_type, navigation.name)}",
                    "FromRole": _from_role(entity_type),
                    "ToRole": _to_role(model, navigation.target),
                },
            )
    for entity_type, navigation in model.associations():
        association = ET.SubElement(
            schema, f"{{{EDM}}}Association", {"Name": _association(entity_type, navigation.name)}
        )
        target = model.type(navigation.target)
        ET.SubElement(
            association,
            f"{{{EDM}}}End",
            {
                "Type": entity_type.qualified_name,
                "Role": _from_role(entity_type),
                "Multiplicity": "*" if target.mapping else "1",
            },
        )
        ET.SubElement(
            association,
            f"{{{EDM}}}End",
            {"Type": target.qualified_name, "Role": _to_role(model, target.name), "Multiplicity": "*"},
        )
    container = ET.SubElement(
        schema, f"{{{EDM}}}EntityContainer", {"Name": CONTAINER, f"{{{M}}}IsDefaultEntityContainer": "true"}
    )
    for entity_type in model.types:
        ET.SubElement(
            container, f"{{{EDM}}}EntitySet", {"Name": entity_type.entity_set, "EntityType": entity_type.qualified_name}
        )
    for entity_type, navigation in model.associations():
        target = model.type(navigation.target)
        name = _association(entity_type, navigation.name)
        association_set = ET.SubElement(
            container, f"{{{EDM}}}AssociationSet", {"Name": name, "Association": f"{NAMESPACE}.{name}"}
        )
        ET.SubElement(
            association_set, f"{{{EDM}}}End", {"EntitySet": entity_type.entity_set, "Role": _from_role(entity_type)}
        )
        ET.SubElement(
            association_set, f"{{{EDM}}}End", {"EntitySet": target.entity_set, "Role": _to_role(model, target.name)}
        )
    return _xml(edmx)


def _association(entity_type: EntityType, navigation: str) -> str:
    return f"{entity_type.name}_{navigation}"


def _from_role(entity_type: EntityType) -> str:
    return f"{entity_type.name}Source"


def _to_role(model: Model, target: str) -> str:
    return f"{model.type(target).name}Target"


def service_document(model: Model, base: str, fmt: str) -> tuple[bytes, str]:
    sets = [t.entity_set for t in model.types]
    if fmt == "json":
        return _json({"d": {"EntitySets": sets}}), JSON_TYPE
    service = ET.Element(f"{{{APP}}}service", {f"{{{XML}}}base": base})
    workspace = ET.SubElement(service, f"{{{APP}}}workspace")
    ET.SubElement(workspace, f"{{{ATOM}}}title").text = "Default"
    for name in sets:
        collection = ET.SubElement(workspace, f"{{{APP}}}collection", {"href": name})
        ET.SubElement(collection, f"{{{ATOM}}}title").text = name
    return _xml(service), SERVICE_TYPE


# --- entities -------------------------------------------------------------------------------------------


def key_literal(value: str) -> str:
    """The key predicate of an entity: ``('document/cms-resolution-11.24')``."""
    return "('" + quote(value.replace("'", "''"), safe="/-._~:@!$&*+,;=") + "')"


def entity_uri(base: str, entity_type: EntityType, entity: dict) -> str:
    return f"{base}{entity_type.entity_set}{key_literal(entity[entity_type.key])}"


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _json_value(value: object, edm_type: str) -> object:
    if isinstance(value, dt.datetime) and edm_type == DATETIME:
        return f"/Date({int((value - _EPOCH).total_seconds() * 1000)})/"
    return value


def json_entity(
    model: Model,
    entity_type: EntityType,
    entity: dict,
    base: str,
    *,
    expand=(),
    select=(),
    children: Children | None = None,
) -> dict:
    uri = entity_uri(base, entity_type, entity)
    body: dict = {"__metadata": {"uri": uri, "type": entity_type.qualified_name}}
    for prop in entity_type.properties:
        if not select or prop.name in select or prop.name == entity_type.key:
            body[prop.name] = _json_value(entity.get(prop.name), prop.type)
    for navigation in entity_type.navigations:
        if navigation.name in expand:
            target = model.type(navigation.target)
            body[navigation.name] = {
                "results": [
                    json_entity(model, target, child, base) for child in _related(children, entity, navigation.name)
                ]
            }
        elif not select or navigation.name in select:
            body[navigation.name] = {"__deferred": {"uri": f"{uri}/{navigation.name}"}}
    return body


def json_collection(
    model: Model,
    entity_type: EntityType,
    entities: list[dict],
    base: str,
    *,
    count: int | None,
    next_link: str | None,
    expand=(),
    select=(),
    children: Children | None = None,
) -> bytes:
    body: dict = {
        "results": [
            json_entity(model, entity_type, e, base, expand=expand, select=select, children=children) for e in entities
        ]
    }
    if count is not None:
        body["__count"] = str(count)
    if next_link is not None:
        body["__next"] = next_link
    return _json({"d": body})


def json_single(
    model: Model,
    entity_type: EntityType,
    entity: dict,
    base: str,
    *,
    expand=(),
    select=(),
    children: Children | None = None,
) -> bytes:
    return _json({"d": json_entity(model, entity_type, entity, base, expand=expand, select=select, children=children)})


def _atom_property(prop: Property, value: object) -> ET.Element:
    """``<d:name m:type="…">value</d:name>``, or ``m:null="true"``."""
    attributes = {} if prop.type == "Edm.String" else {f"{{{M}}}type": prop.type}
    if value is None:
        attributes[f"{{{M}}}null"] = "true"
    element = ET.Element(f"{{{D}}}{prop.name}", attributes)
    if value is not None:
        element.text = _atom_text(value)
    return element


def _atom_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _timestamp(value: dt.datetime | None) -> str:
    return (value or _EPOCH).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_entry(
    model: Model,
    entity_type: EntityType,
    entity: dict,
    base: str,
    updated: dt.datetime | None,
    *,
    expand=(),
    select=(),
    children: Children | None = None,
    root: bool = False,
) -> ET.Element:
    uri = entity_uri(base, entity_type, entity)
    entry = ET.Element(f"{{{ATOM}}}entry", {f"{{{XML}}}base": base} if root else {})
    ET.SubElement(entry, f"{{{ATOM}}}id").text = uri
    ET.SubElement(entry, f"{{{ATOM}}}title", {"type": "text"})
    ET.SubElement(entry, f"{{{ATOM}}}updated").text = _timestamp(entity.get("updated") or updated)
    ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name")
    relative = uri[len(base) :]
    ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "edit", "title": entity_type.name, "href": relative})
    for navigation in entity_type.navigations:
        if select and navigation.name not in select and navigation.name not in expand:
            continue
        link = ET.SubElement(
            entry,
            f"{{{ATOM}}}link",
            {
                "rel": RELATED + navigation.name,
                "type": "application/atom+xml;type=feed",
                "title": navigation.name,
                "href": f"{relative}/{navigation.name}",
            },
        )
        if navigation.name in expand:
            target = model.type(navigation.target)
            inline = ET.SubElement(link, f"{{{M}}}inline")
            inline.append(
                atom_feed_element(
                    model,
                    target,
                    _related(children, entity, navigation.name),
                    base,
                    updated,
                    href=f"{relative}/{navigation.name}",
                    count=None,
                    next_link=None,
                )
            )
    ET.SubElement(entry, f"{{{ATOM}}}category", {"term": entity_type.qualified_name, "scheme": SCHEME})
    content = ET.SubElement(entry, f"{{{ATOM}}}content", {"type": "application/xml"})
    properties = ET.SubElement(content, f"{{{M}}}properties")
    for prop in entity_type.properties:
        if select and prop.name not in select and prop.name != entity_type.key:
            continue
        properties.append(_atom_property(prop, entity.get(prop.name)))
    return entry


def atom_feed_element(
    model: Model,
    entity_type: EntityType,
    entities: list[dict],
    base: str,
    updated: dt.datetime | None,
    *,
    href: str,
    count: int | None,
    next_link: str | None,
    expand=(),
    select=(),
    children: Children | None = None,
    root: bool = False,
) -> ET.Element:
    feed = ET.Element(f"{{{ATOM}}}feed", {f"{{{XML}}}base": base} if root else {})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base + href
    ET.SubElement(feed, f"{{{ATOM}}}title", {"type": "text"}).text = entity_type.entity_set
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _timestamp(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "title": entity_type.entity_set, "href": href})
    if count is not None:
        ET.SubElement(feed, f"{{{M}}}count").text = str(count)
    for entity in entities:
        feed.append(
            atom_entry(model, entity_type, entity, base, updated, expand=expand, select=select, children=children)
        )
    if next_link is not None:
        ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "next", "href": next_link})
    return feed


def atom_feed(*args, **kwargs) -> bytes:
    """An Atom feed document (the arguments of :func:`atom_feed_element`), with its ``xml:base``."""
    return _xml(atom_feed_element(*args, root=True, **kwargs))


def atom_single(*args, **kwargs) -> bytes:
    """An Atom entry document (the arguments of :func:`atom_entry`), with its ``xml:base``."""
    return _xml(atom_entry(*args, root=True, **kwargs))


def property_document(prop: Property, value: object, fmt: str) -> tuple[bytes, str]:
    """One property of one entity (``Treaties('cms')/url``)."""
    if fmt == "json":
        return _json({"d": {prop.name: _json_value(value, prop.type)}}), JSON_TYPE
    return _xml(_atom_property(prop, value)), XML_TYPE


# --- errors ---------------------------------------------------------------------------------------------


def error_body(error: ODataError, fmt: str) -> tuple[bytes, str]:
    if fmt == "json":
        return _json({"error": {"code": error.code, "message": {"lang": "en", "value": error.message}}}), JSON_TYPE
    root = ET.Element(f"{{{M}}}error")
    ET.SubElement(root, f"{{{M}}}code").text = error.code
    ET.SubElement(root, f"{{{M}}}message", {f"{{{XML}}}lang": "en"}).text = error.message
    return _xml(root), XML_TYPE


def negotiate(format_option: str | None, accept: str | None) -> str:
    """``json`` or ``atom`` (OData v2's default) from ``$format`` or the Accept header; never fails."""
    if format_option and any(word in format_option.lower() for word in ("json", "atom", "xml")):
        return "json" if "json" in format_option.lower() else "atom"
    offers = [("application/atom+xml", "atom"), ("application/xml", "atom"), ("application/json", "json")]
    index = choose(accept, [media for media, _ in offers])  # q-values and wildcards as everywhere (kg.accept)
    return "atom" if index is None else offers[index][1]
