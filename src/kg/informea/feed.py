"""From the graph to the feed's entities: run each entity set's mapping query and assemble its rows.

A mapping query (``queries/informea/<set>.rq``) returns rows with an ``?id`` and either the entity's own
properties (``?number``, ``?published`` …) or the fields of one of its records, named
``?<navigation>_<property>`` (``?title_language``, ``?title_value``); ``?<navigation>_order`` orders
records, and for a navigation to another entity set ``?<navigation>_id`` names the target. Rows of one
id are merged into one entity, so a new document in the graph appears in the feed without code.

Record ids follow InforMEA's provider: ``<entity id>-<language>`` for language records, else
``<entity id>-<n>`` in the records' sorted order. Entities are cached per store version.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

from .. import engine
from ..backends import Backend
from .model import BOOLEAN, DATETIME, DOUBLE, INT32, EntityType, Model, Navigation

_RELEASE_TIME = re.compile(r"^(\d{8}T\d{6})")


class Feed:
    """The entity sets of ``model`` over the graph served by a query pool."""

    def __init__(self, model: Model, queries_dir: Path):
        self.model = model
        self.queries = {}
        for entity_type in model.types:
            if entity_type.mapping:
                path = queries_dir / f"{entity_type.mapping}.rq"
                self.queries[entity_type.name] = path.read_text(encoding="utf-8")
        self._cache: dict[tuple[str, str], list[dict]] = {}

    async def entities(self, pool: Backend, timeout: float, entity_type: EntityType) -> list[dict]:
        """Every entity of ``entity_type``, sorted by key (records of a navigation are in ``entity[nav]``)."""
        cached = self._cache.get((pool.version, entity_type.name))
        if cached is not None:
            return cached
        if entity_type.mapping:
            rows = await self._rows(pool, timeout, entity_type)
            result = assemble(self.model, entity_type, rows, updated=release_time(pool.version))
        else:
            result = []
            for parent, navigation in self.model.parents(entity_type):
                for entity in await self.entities(pool, timeout, parent):
                    result.extend(entity[navigation.name])
            result.sort(key=lambda e: e[entity_type.key])
        self._cache = {k: v for k, v in self._cache.items() if k[0] == pool.version}
        self._cache[(pool.version, entity_type.name)] = result
        return result

    async def _rows(self, pool: Backend, timeout: float, entity_type: EntityType) -> list[dict]:
        answer = await pool.query(engine.Request(self.queries[entity_type.name], max_rows=1_000_000), timeout=timeout)
        return json.loads(answer.body)["results"]["bindings"]


def release_time(version: str) -> dt.datetime | None:
    """When the served release was built (its id starts ``YYYYmmddTHHMMSS``); None if the version says nothing."""
    match = _RELEASE_TIME.match(version)
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S") if match else None


def assemble(
    model: Model, entity_type: EntityType, rows: list[dict], *, updated: dt.datetime | None = None
) -> list[dict]:
    """Merge SPARQL JSON result rows into entities of ``entity_type``."""
    entities: dict[str, dict] = {}
    records: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if "id" not in row:
            continue
        key = row["id"]["value"]
        entity = entities.setdefault(key, {p.name: None for p in entity_type.properties} | {entity_type.key: key})
        for prop in entity_type.properties:
            value = typed(row[prop.name], prop.type) if prop.name in row else None
            if value is not None and (entity[prop.name] is None or value < entity[prop.name]):
                entity[prop.name] = value  # of several values, the least: the same one on every run
        for navigation in entity_type.navigations:
            prefix = navigation.name + "_"
            fields = {name[len(prefix) :]: term["value"] for name, term in row.items() if name.startswith(prefix)}
            if fields and fields not in records[key][navigation.name]:
                records[key][navigation.name].append(fields)
    for key, entity in entities.items():
        if "updated" in entity and entity["updated"] is None:
            entity["updated"] = updated
        for navigation in entity_type.navigations:
            if model.type(navigation.target).mapping:  # to another entity set: the target ids
                entity[navigation.name] = sorted({f["id"] for f in records[key][navigation.name]})
            else:
                entity[navigation.name] = _records(key, navigation, records[key][navigation.name])
    return [entities[k] for k in sorted(entities)]


def typed(term: dict, edm_type: str) -> object:
    """A SPARQL JSON term as the Python value of an EDM type (None when the literal does not fit the type)."""
    value = term["value"]
    try:
        if edm_type == DATETIME:
            parsed = dt.datetime.fromisoformat(value)
            return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
        if edm_type == INT32:
            return int(value)
        if edm_type == DOUBLE:
            return float(value)
    except ValueError:
        return None
    if edm_type == BOOLEAN:
        return {"true": True, "1": True, "false": False, "0": False}.get(value)
    return value


def _records(parent: str, navigation: Navigation, fields: list[dict]) -> list:
    fields = sorted(fields, key=lambda f: (float(f.get("order", 0)), sorted(f.items())))
    if navigation.joined:
        by_language: dict[str, list[str]] = defaultdict(list)
        for f in fields:
            by_language[f.get("language", "")].append(f["value"])
        fields = [{"language": lang, "value": "\n\n".join(values)} for lang, values in sorted(by_language.items())]
    result: list[dict] = []
    seen: dict[str, int] = defaultdict(int)
    for n, f in enumerate(fields, start=1):
        record = {k: v for k, v in f.items() if k != "order"}
        language = record.get("language")
        if language is not None:
            seen[language] += 1
            record["id"] = f"{parent}-{language}" + (f"-{seen[language]}" if seen[language] > 1 else "")
        else:
            record["id"] = f"{parent}-{n}"
        result.append(record)
    return result
