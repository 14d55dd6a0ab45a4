"""Dependencies shared by the routes: the app's resources (settings, the query pool, the canned queries, the page
sections, the OData feed) and the write authorisation. Routes get them here, never from ``request.app.state``."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from ..backends import Backend
from ..catalogue import CannedQuery
from ..config import Settings
from ..informea.feed import Feed
from ..pages import Section
from .problems import Problem

# Dependencies are ``async`` so that FastAPI runs them inline rather than in its thread pool.


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_pool(request: Request) -> Backend:
    return request.app.state.pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[Backend, Depends(get_pool)]
"""The store the service answers from: the embedded query pool or a remote store (see kg.backends)."""


async def get_catalogue(request: Request) -> dict[str, CannedQuery]:
    return request.app.state.catalogue


async def get_sections(request: Request) -> list[Section]:
    return request.app.state.sections


async def get_feed(request: Request) -> Feed:
    return request.app.state.informea


async def get_yasgui(request: Request) -> bool:
    return request.app.state.yasgui


CatalogueDep = Annotated[dict[str, CannedQuery], Depends(get_catalogue)]
"""The canned queries (``queries/*.rq``) by name."""
SectionsDep = Annotated[list[Section], Depends(get_sections)]
"""The sections of the resource pages (``kg/sections``)."""
FeedDep = Annotated[Feed, Depends(get_feed)]
"""The InforMEA OData feed's entities."""
YasguiDep = Annotated[bool, Depends(get_yasgui)]
"""Whether YASGUI is installed (the entry page offers it, or the plain SPARQL form)."""


def require_writer(request: Request, settings: SettingsDep) -> None:
    """Writes need `kg serve --update-token` and a matching ``Authorization: Bearer`` (compared in constant time)."""
    if settings.update_token is None:
        raise Problem(403, "updates-disabled", "updates are disabled on this service (start it with --update-token)")
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    expected = settings.update_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(supplied.strip().encode(), expected):
        raise Problem(
            401,
            "unauthorized",
            "writes need a valid bearer token",
            headers={"WWW-Authenticate": 'Bearer realm="mea-kg"'},
        )


async def writer(request: Request, settings: SettingsDep) -> None:
    require_writer(request, settings)


WriterDep = Annotated[None, Depends(writer)]
