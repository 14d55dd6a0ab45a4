"""The FastAPI application: one app, its resources opened in ``lifespan``."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from .. import __version__, catalogue, pages
from ..backends import open_backend
from ..config import Settings
from ..informea.feed import Feed
from ..informea.model import MODEL
from ..search.current import CurrentIndex
from ..search.processes import SearchProcesses
from . import problems, swagger
from .cache import AnswerCache, CachedBackend
from .middleware import BodyLimit, HeadAsGet, ServerHeader, VaryByEncoding
from .routes import dumps, informea, ontology, queries, resources, search, sitemap, sparql, store, ui, void
from .searching import SearchingBackend

logger = logging.getLogger("kg.api")
DESCRIPTION = """SPARQL 1.1 endpoint over the MEA knowledge graph (CMS–CITES Joint Work Programme, CMS Resolution
11.24 and the CAMI programme of work). Every error is an RFC 9457 problem (`application/problem+json`)
with `type`, `title`, `status` and `detail`."""


GZIP_LEVEL = 1
"""zlib's fastest level: SPARQL JSON still shrinks several-fold, at a fraction of Starlette's default (9) cost
(a 4 MB answer: 14 ms against 98 ms), which would otherwise dominate a large answer's time in the service."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        pool = open_backend(settings)
        await pool.start()
        app.state.pool = CachedBackend(SearchingBackend(pool, app.state.search), app.state.cache)
        try:
            yield
        finally:
            app.state.search_processes.stop()
            await pool.stop()

    app = FastAPI(
        title="mea-kg", version=__version__, description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.mount(
        "/static/swagger-ui", StaticFiles(directory=Path(swagger_ui.__file__).parent / "static"), name="swagger-ui"
    )

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        """Swagger UI served from the package's own files: the docs work with no network."""
        return swagger.page(app.openapi_url or "/openapi.json")

    app.mount("/static/kg", StaticFiles(directory=Path(__file__).parent / "static"), name="kg-static")
    if settings.yasgui_dir.is_dir():
        app.mount("/static/yasgui", StaticFiles(directory=settings.yasgui_dir), name="yasgui")
    else:
        logger.warning(
            "YASGUI is not installed (%s): / offers the plain SPARQL form; run `npm ci`", settings.yasgui_dir
        )
    app.state.yasgui = settings.yasgui_dir.is_dir()
    if settings.mermaid_dir.is_dir():
        app.mount("/static/mermaid", StaticFiles(directory=settings.mermaid_dir), name="mermaid")
    app.state.settings = settings
    app.state.cache = AnswerCache(settings.cache_mb * 1024 * 1024)
    app.state.catalogue = catalogue.load(settings.queries_dir)
    app.state.sections = pages.load()
    app.state.search = CurrentIndex(settings.store_dir)
    app.state.search_processes = SearchProcesses(settings.search_processes)
    app.state.informea = Feed(MODEL, settings.queries_dir / "informea")
    problems.install(app)
    app.include_router(sparql.router)
    app.include_router(store.router)
    app.include_router(queries.router)
    app.include_router(resources.router)
    app.include_router(ontology.router)
    app.include_router(void.router)
    app.include_router(sitemap.router)
    app.include_router(dumps.router)
    app.include_router(informea.router)
    app.include_router(search.router)
    app.include_router(ui.router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    app.add_middleware(VaryByEncoding)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=["ETag", "X-Result-Truncated", "Link"],
        max_age=86400,
    )
    app.add_middleware(ServerHeader)
    app.add_middleware(HeadAsGet)
    return app
