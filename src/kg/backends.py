"""The store behind the service: the embedded query pool (default) or a remote SPARQL store.

Both have one interface — ``start()``, ``stop()``, ``query(request, timeout=…)``, ``write(operation, …)``
and ``version`` — so the routes and ``kg query`` never know which one answers.
"""

from __future__ import annotations

from .config import Settings
from .remote import Endpoints, RemoteStore
from .workers import QueryPool

Backend = QueryPool | RemoteStore


def open_backend(settings: Settings) -> Backend:
    """The back-end the settings name (not started yet): a remote store when ``store_url`` is set."""
    if settings.store_url:
        return RemoteStore(Endpoints.from_settings(settings), connections=max(8, 4 * settings.workers))
    return QueryPool(settings.store_dir, settings.userdata_dir, workers=settings.workers)
