"""Dependencies shared by the routes: settings, the query pool, and the write authorisation."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from ..backends import Backend
from ..config import Settings
from .problems import Problem

# Dependencies are ``async`` so that FastAPI runs them inline rather than in its thread pool.


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_pool(request: Request) -> Backend:
    return request.app.state.pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[Backend, Depends(get_pool)]
"""The store the service answers from: the embedded query pool or a remote store (see kg.backends)."""


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
