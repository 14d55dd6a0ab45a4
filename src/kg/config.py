"""Settings: one pydantic-settings class, read from the environment (prefix ``KG_``)."""

from __future__ import annotations

import os
import shlex
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from .errors import BadSetting

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _url(value: str) -> str:
    """``value`` if it is an absolute http(s) URL."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def _host(value: str) -> str:
    if not value.strip() or any(c.isspace() for c in value):
        raise ValueError("must be a host name or an IP address")
    return value


Url = Annotated[str, AfterValidator(_url)]
Host = Annotated[str, AfterValidator(_host)]


class Settings(BaseSettings):
    """Where the sources and the built store live, and how the service behaves."""

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True, env_ignore_empty=True)  # KG_X= : unset

    project_dir: Path = PROJECT_DIR
    store: Path | None = None
    """Directory of the built store; defaults to ``<project_dir>/var/store``."""
    cache_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mea-kg"
    )
    """Where `kg build` keeps what it may reuse across builds and stores: the search's sentence vectors."""
    base_iri: Url = "https://w3id.org/mea-kg/"
    owl_check: bool = True
    """Let HermiT check that ontology and data are consistent during `kg build` (about 10 s)."""

    host: Host = "127.0.0.1"
    """Interface `kg serve` listens on (a name or an address; it must resolve)."""
    port: int = Field(8000, ge=0, le=65535)
    """Port `kg serve` listens on; 0 picks a free one (the "serving" line names it)."""
    query_timeout: float = Field(30.0, gt=0)
    """Seconds a query may run before it is stopped (503)."""
    workers: int = Field(default_factory=lambda: (os.cpu_count() or 2) + max(1, (os.cpu_count() or 2) // 4), ge=1)
    """Query worker processes sharing the loaded store copy-on-write: by default one per CPU for ad-hoc queries,
    plus a quarter as many (at least one) kept for the service's own (see :func:`kg.workers.public_slots`)."""
    search_processes: int = Field(default_factory=lambda: min(4, os.cpu_count() or 2), ge=0, le=64)
    """Processes answering ``/search`` (one per CPU, at most 4, by default); 0 answers searches in the service
    process itself, one at a time."""
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
    service_allowlist: list[Url] = []
    """SERVICE / LOAD endpoints that queries and updates may reach; everything else is refused."""

    store_url: Url | None = None
    """SPARQL 1.1 query endpoint of a remote store to serve instead of the embedded one (``kg publish`` fills it)."""
    update_url: Url | None = None
    """SPARQL 1.1 Update endpoint of the remote store (``kg publish`` switches releases with it)."""
    gsp_url: Url | None = None
    """Graph Store Protocol endpoint of the remote store (``kg publish`` loads graphs with it; else INSERT DATA)."""
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


def load_settings(**given: Any) -> Settings:
    """The settings from ``KG_*`` variables and defaults, with every ``given`` value that is not None on top
    (a flag beats the environment, which beats the default); all validated alike.

    Raises :class:`BadSetting` naming the setting, its value and where the value came from.
    """
    given = {name: value for name, value in given.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as e:
        raise BadSetting("; ".join(_describe(error, given) for error in e.errors())) from None
    except SettingsError as e:  # a KG_* list that is not JSON
        raise BadSetting(f"invalid environment variable: {e} (a list is JSON: '[\"https://…\"]')") from None


def _describe(error: Any, given: dict[str, Any]) -> str:
    """One validation error as ``$KG_PORT=99999: …`` (from the environment) or ``port=99999 (option): …``."""
    name = str(error["loc"][0]) if error["loc"] else "?"
    value, message = shlex.quote(str(error["input"])), error["msg"].removeprefix("Value error, ")
    if name in given:
        return f"invalid {name}={value} (option): {message}"
    return f"invalid ${Settings.model_config['env_prefix']}{name.upper()}={value}: {message}"
