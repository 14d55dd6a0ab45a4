"""Private copies of the project's sources, for tests and benches that change or break them."""

from __future__ import annotations

import shutil
from pathlib import Path

from kg.config import PROJECT_DIR

SOURCES = ("ontology", "data", "queries")


def copy_sources(root: Path) -> Path:
    """Copy the sources `kg build` reads (ontology, data, queries) into ``root``, and link the npm packages it
    reads too (the country shapes of world-atlas); ``root``."""
    for folder in SOURCES:
        shutil.copytree(PROJECT_DIR / folder, root / folder)
    (root / "node_modules").symlink_to(PROJECT_DIR / "node_modules")
    return root
