"""Gathering the dataset's description for a request: the service's URL, the store's release and data, and the
dumps on disk (see kg.dataset_description for what is said about them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Hashable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request

from .. import dataset_description, engine, store
from ..backends import Backend
from .deps import Settings
from .releases import served_dumps

T = TypeVar("T")


async def select(pool: Backend, settings: Settings, text: str) -> list[dict[str, str]]:
    """Run a SELECT on the store; its rows as dicts of plain strings."""
    answer = await pool.query(engine.Request(text, max_rows=10_000), timeout=settings.query_timeout)
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(answer.body)["results"]["bindings"]]


async def describe(request: Request, pool: Backend, settings: Settings) -> dataset_description.Facts:
    """The facts of the dataset as this service serves it."""
    base = str(request.base_url).rstrip("/")

    async def gather() -> dataset_description.Facts:
        countries = await select(pool, settings, dataset_description.COUNTRIES_QUERY)
        years = await select(pool, settings, dataset_description.YEARS_QUERY)
        return dataset_description.facts(base, pool.version, countries, years, _dumps(request, settings))

    return await kept(pool, settings, ("facts", base), gather)


async def kept(pool: Backend, settings: Settings, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
    """``compute()``, kept for the served version: what depends only on the data is worked out once per version."""
    full = (pool.version, settings.store_url, settings.store_dir, key)
    if full not in _kept:
        if len(_kept) >= 64:
            _kept.clear()
        _kept[full] = await compute()
    return _kept[full]


_kept: dict[Hashable, Any] = {}


def _dumps(request: Request, settings: Settings) -> tuple[dataset_description.Dump, ...]:
    names = served_dumps(settings)
    release = store.current_release(settings.store_dir) if names else None
    if release is None:
        return ()
    files = [(name, release / name) for name in names]
    return tuple(
        dataset_description.Dump(name, str(request.url_for("dump", name=name)), path.stat().st_size, _sha1(path))
        for name, path in files
        if path.exists()
    )


@lru_cache(maxsize=16)
def _sha1(path: Path) -> str:
    """The SHA-1 of a dump (the checksum DCAT-AP 2.1.1 names); a release's files never change, so it is kept."""
    digest = hashlib.sha1(usedforsecurity=False)
    with open(path, "rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
