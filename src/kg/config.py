"""Settings: one pydantic-settings class, read from the environment (prefix ``KG_``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Where the sources and the built store live, and how the service behaves."""

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True)

    project_dir: Path = PROJECT_DIR
    store: Path | None = None
    """Directory of the built store; defaults to ``<project_dir>/var/store``."""
    base_iri: str = "https://w3id.org/mea-kg/"
    query_timeout: float = 30.0

    @cached_property
    def store_dir(self) -> Path:
        return (self.store or self.project_dir / "var" / "store").resolve()

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
