"""What the service serves from the files of the current release: the dumps and the documents `kg build`
generates from the ontology (its HTML documentation, the graph's JSON-LD context)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import rdflib

from .. import docs, jsonld, store
from ..config import Settings
from ..dataset_description import DUMPS

DUMP_MEDIA_TYPES = {name: dump.media_type for name, dump in DUMPS.items()}


def served_dumps(settings: Settings) -> tuple[str, ...]:
    """The dumps this service offers: every one of a local build's, none in front of a remote store."""
    return () if settings.store_url else tuple(DUMP_MEDIA_TYPES)


def document(settings: Settings, name: str) -> bytes:
    """A document ``kg build`` generates from the ontology: the current release's copy, or, with no local
    release (a remote store), the same generated from the ontology file."""
    release = store.current_release(settings.store_dir)
    if release is not None and (release / name).exists():
        return _read(release / name)
    return _generated(settings.ontology_file, name)


def jsonld_compacted(body: bytes, settings: Settings, *, same_as: bool = False) -> bytes:
    """A JSON-LD answer compacted with the graph's context (``same_as``: see kg.jsonld.compact)."""
    return jsonld.compact(body, json.loads(document(settings, store.JSONLD_CONTEXT)), same_as=same_as)


@lru_cache(maxsize=8)
def _read(path: Path) -> bytes:
    return path.read_bytes()  # releases are immutable: a path's content never changes


@lru_cache(maxsize=4)
def _generated(ontology_file: Path, name: str) -> bytes:
    ontology = rdflib.Graph().parse(ontology_file)
    text = docs.html(ontology) if name == store.ONTOLOGY_DOCS else jsonld.dumps(jsonld.context(ontology))
    return text.encode()
