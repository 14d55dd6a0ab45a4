"""Debian's Chromium, headless, driven by Playwright (no browser download): how the browser tests and
support/axe.py launch it, and where their screenshots go (a git-ignored directory)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from kg.config import PROJECT_DIR

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ARGS = (
    # The machine's network is closed: these flags keep Chromium from trying to reach Google's services.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
ARTIFACTS = Path(os.environ.get("KG_TEST_ARTIFACTS", PROJECT_DIR / "var" / "test-artifacts"))


def launch(playwright: Any) -> Any:
    """A headless Chromium browser (Playwright's ``Browser``)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(ARGS))


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot of ``page`` as ARTIFACTS/<name>.png; its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
