"""Broken source files, each rejected by `kg build` (the CLI, as a user runs it) with a line naming the file and
line or the resource at fault, exit code 1, and the previous store untouched to the byte."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import store
from kg.config import PROJECT_DIR
from support.project import copy_sources

INVALID = PROJECT_DIR / "tests" / "data" / "invalid"
NAMED = {  # what the message must name, besides the file when the fault is in its syntax
    "syntax-error.ttl": ["syntax-error.ttl", "line 7"],
    "undefined-prefix.ttl": ["undefined-prefix.ttl", "line 6"],
    "not-utf8.ttl": ["not-utf8.ttl", "line 6"],
    "unknown-term.ttl": ["undeclared-term-violation", "ontology#nickname"],
    "missing-english-text.ttl": ["activity/jwp/Z1"],
    "unconfirmed-without-actor.ttl": ["responsibility/nobody"],
    "duplicate-code.ttl": ["duplicate-code-violation", "activity/jwp/B5"],
    "dangling-link.ttl": ["dangling-link-violation", "taxon/no-such-taxon"],
    "wrong-language.ttl": ["language-tag-violation", "actor/test-organisation"],
    "bad-date.ttl": ["listing/bad-date"],
}


@pytest.fixture(scope="module")
def good_project(tmp_path_factory) -> Path:
    """A copy of the project with one good build in it."""
    root = copy_sources(tmp_path_factory.mktemp("good"))
    assert _kg_build(root).returncode == 0
    return root


def _kg_build(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_PROJECT_DIR": str(project), "KG_STORE": str(project / "store")}
    return subprocess.run(
        [sys.executable, "-m", "kg", "build", "--no-owl-check"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _fingerprint(store_dir: Path) -> dict[str, str]:
    files = sorted(p for p in store_dir.rglob("*") if p.is_file() and p.name != ".lock")
    return {str(p.relative_to(store_dir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files} | {
        "current": os.readlink(store_dir / "current")
    }


def test_every_broken_file_in_the_suite_is_covered():
    assert sorted(NAMED) == sorted(p.name for p in INVALID.glob("*.ttl"))


@pytest.mark.parametrize("broken", sorted(NAMED))
def test_a_broken_source_is_rejected_by_name_and_the_store_is_untouched(tmp_path, good_project, broken):
    project = tmp_path / "project"
    shutil.copytree(good_project, project, symlinks=True)
    before = _fingerprint(project / "store")
    shutil.copy(INVALID / broken, project / "data" / "turtle" / broken)
    done = _kg_build(project)
    assert done.returncode == 1, done.stderr[-800:]
    assert "Traceback" not in done.stderr
    for needle in NAMED[broken]:
        assert needle in done.stderr, (needle, done.stderr[-1500:])
    assert _fingerprint(project / "store") == before
    store.verify(project / "store")
