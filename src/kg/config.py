"""Settings: one pydantic-settings class, read from the environment (prefix ``KG_``)."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Where the sources and the built store live, and how the service behaves."""

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True)

    project_dir: Path = PROJECT_DIR
    store: Path | None = None
    """Directory of the built store; defaults to ``<project_dir>/var/store``."""
    base_iri: str = "https://w3id.org/mea-kg/"
    owl_check: bool = True
    """Let HermiT check that ontology and data are consistent during `kg build` (about 10 s)."""

    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = Field(30.0, gt=0)
    """Seconds a query may run before it is stopped (503)."""
    workers: int = Field(default_factory=lambda: max(2, os.cpu_count() or 2), ge=1)
    """Query worker processes sharing the loaded store copy-on-write."""
    max_rows: int = Field(100_000, ge=1)
    """Most result rows (SELECT) or triples (CONSTRUCT/DESCRIBE) one query returns."""
    cache_mb: int = Field(64, ge=0)
    """Memory for cached answers, keyed by store version and request (0 turns the cache off)."""
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    """Largest request body accepted (413 above)."""
    informea_page_size: int = Field(50, ge=1)
    """Most entities one page of the /informea/ OData feed holds; longer answers carry a ``__next`` link."""
    update_token: SecretStr | None = None
    """Enables SPARQL Update and the Graph Store Protocol for requests bearing this token."""
    service_allowlist: list[str] = []
    """SERVICE / LOAD endpoints that queries and updates may reach; everything else is refused."""

    store_url: str | None = None
    """SPARQL 1.1 query endpoint of a remote store to serve instead of the embedded one (``kg publish`` fills it)."""
    update_url: str | None = None
    """SPARQL 1.1 Update endpoint of the remote store (``kg publish`` switches releases with it)."""
    gsp_url: str | None = None
    """Graph Store Protocol endpoint of the remote store (``kg publish`` loads graphs with it; else with INSERT DATA)."""
    remote_user: str | None = None
    """User name for the remote store (``KG_REMOTE_USER``)."""
    remote_password: SecretStr | None = None
    """Password for the remote store (``KG_REMOTE_PASSWORD``)."""
    remote_auth: Literal["basic", "digest"] = "basic"
    """HTTP authentication scheme of the remote store (Virtuoso's ``-auth`` endpoints use digest)."""
    query_max_depth: int = Field(100, ge=1)
    """Deepest nesting of ``{}``, ``()`` and ``[]`` a query or update may have (400 above; see kg.limits)."""
    query_max_patterns: int = Field(2_000, ge=1)
    """Most triple patterns (and groups) a query or update may have (400 above; see kg.limits)."""

    @cached_property
    def store_dir(self) -> Path:
        return (self.store or self.project_dir / "var" / "store").resolve()

    @cached_property
    def userdata_dir(self) -> Path:
        """Graphs written through the update API: kept apart from the built store, durable."""
        return self.store_dir.parent / (self.store_dir.name + "-userdata")

    @cached_property
    def ontology_file(self) -> Path:
        return self.project_dir / "ontology" / "mea.ttl"

    @cached_property
    def shapes_file(self) -> Path:
        return self.project_dir / "ontology" / "shapes.ttl"

    @cached_property
    def data_dir(self) -> Path:
        return self.project_dir / "data" / "turtle"

    @cached_property
    def queries_dir(self) -> Path:
        return self.project_dir / "queries"

    @cached_property
    def yasgui_dir(self) -> Path:
        """YASGUI's build, installed from the npm registry by the set-up command (``npm ci``)."""
        return self.project_dir / "node_modules" / "@zazuko" / "yasgui" / "build"

    @cached_property
    def mermaid_dir(self) -> Path:
        """Mermaid's build (npm), which draws the ontology's class diagram on /ontology."""
        return self.project_dir / "node_modules" / "mermaid" / "dist"
