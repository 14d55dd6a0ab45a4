"""kg build: sources → validated, reasoned store; failures leave the previous store intact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import build, store
from kg.errors import SourceError, ValidationFailed
from kg.namespaces import GRAPH, INFERRED_GRAPH

from .conftest import TESTS_DIR

INVALID = TESTS_DIR / "data" / "invalid"
VALID = TESTS_DIR / "data" / "valid"


def test_build_writes_one_graph_per_source_file(built, settings):
    stems = {p.stem for p in settings.data_dir.glob("*.ttl")}
    assert {g.removeprefix(GRAPH) for g in built.graphs} == stems | {"ontology", "inferred", "geometries"}
    assert built.inferred > 0
    assert built.graphs[INFERRED_GRAPH.value] == built.inferred
    assert store.current_release(settings.store_dir) == built.release


def test_manifest_records_sources_and_counts(built):
    manifest = store.read_manifest(built.release)
    assert manifest["quads"] == built.quads
    assert {s["path"] for s in manifest["sources"]} >= {"ontology/mea.ttl", "data/turtle/jwp.ttl"}
    assert all(len(s["sha256"]) == 64 for s in manifest["sources"])


def test_reasoning_materialises_shortcuts_into_the_inferred_graph(graph):
    ask = f"""PREFIX mea: <https://w3id.org/mea-kg/ontology#>
    ASK {{ GRAPH <{INFERRED_GRAPH.value}> {{ <https://w3id.org/mea-kg/id/activity/jwp/B5> mea:responsible
          <https://w3id.org/mea-kg/id/actor/cites-secretariat> }} }}"""
    assert graph.query(ask)
    no_asserted = f"""PREFIX mea: <https://w3id.org/mea-kg/ontology#>
    ASK {{ GRAPH ?g {{ ?a mea:responsible ?b }} FILTER(?g != <{INFERRED_GRAPH.value}>) }}"""
    assert not graph.query(no_asserted)


def test_valid_addition_builds(project_copy):
    shutil.copy(VALID / "extra-actor.ttl", project_copy.data_dir)
    report = build.build(project_copy)
    assert any(g.endswith("/extra-actor") for g in report.graphs)


def _current(settings) -> tuple[Path, int]:
    """The current release and its number of quads."""
    release = store.current_release(settings.store_dir)
    return release, store.read_manifest(release)["quads"]


def test_syntax_error_names_file_and_line_and_keeps_previous_store(built_copy):
    first, quads = _current(built_copy)
    shutil.copy(INVALID / "syntax-error.ttl", built_copy.data_dir)
    with pytest.raises(SourceError) as caught:
        build.build(built_copy)
    assert caught.value.path.name == "syntax-error.ttl"
    assert caught.value.line == 7
    assert store.current_release(built_copy.store_dir) == first
    reopened, _ = store.open_store(built_copy.store_dir)
    assert len(reopened) == quads


@pytest.mark.parametrize(
    ("fixture", "rule", "focus"),
    [
        ("missing-english-text.ttl", "bilingual text", "activity/jwp/Z1"),
        ("duplicate-code.ttl", "duplicate-code-violation", "activity/jwp/B5"),
        ("dangling-link.ttl", "dangling-link-violation", "taxon/no-such-taxon"),
        ("unknown-term.ttl", "undeclared-term-violation", "ontology#nickname"),
        ("wrong-language.ttl", "language-tag-violation", "actor/test-organisation"),
        ("unconfirmed-without-actor.ttl", "mea:actor", "responsibility/nobody"),
    ],
)
def test_invalid_data_is_rejected_naming_rule_and_resource(built_copy, fixture, rule, focus):
    first, _ = _current(built_copy)
    shutil.copy(INVALID / fixture, built_copy.data_dir)
    with pytest.raises(ValidationFailed) as caught:
        build.build(built_copy)
    assert any(rule in f.rule and f.focus.endswith(focus) for f in caught.value.findings), caught.value.findings
    assert store.current_release(built_copy.store_dir) == first


def test_crash_while_writing_leaves_previous_store_current(built_copy, monkeypatch):
    first, quads = _current(built_copy)

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(store, "_write_synced", crash)
    with pytest.raises(OSError):
        build.build(built_copy)
    assert store.current_release(built_copy.store_dir) == first
    assert not list((built_copy.store_dir / "releases").glob(".staging-*"))
    reopened, _ = store.open_store(built_copy.store_dir)
    assert len(reopened) == quads


def test_old_releases_are_pruned(built_copy):
    releases = [_current(built_copy)[0]] + [build.build(built_copy).release for _ in range(store.KEEP_RELEASES)]
    kept = sorted(p for p in (built_copy.store_dir / "releases").iterdir())
    assert kept == releases[-store.KEEP_RELEASES :]
