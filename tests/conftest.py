"""Shared fixtures: one built store per test run, the seed texts, and a CLI runner."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from kg import build, store
from kg.config import PROJECT_DIR, Settings
from kg.remote import Endpoints
from support.project import copy_sources

SEEDS_DIR = PROJECT_DIR.parent / "shared" / "seeds"
JWP_SEED = "000_4569078506374d09.txt"
CAMI_SEED = "003_7ccfd4c154610a25.txt"
TESTS_DIR = Path(__file__).parent


# --- markers: `make test-fast` leaves out the slow, browser, remote and reliability tests -----------------

MARKED_DIRECTORIES = {"reliability": "reliability"}
"""Every test under tests/<directory>/ gets the marker."""
MARKED_FILES = {
    "test_browser.py": "browser",
    "test_maps_browser.py": "browser",
    "test_accessibility.py": "browser",
    "test_remote.py": "remote",
}
"""Every test of the file gets the marker."""
SLOW: dict[str, set[str]] = {
    "test_build.py": {
        "test_valid_addition_builds",
        "test_invalid_data_is_rejected_naming_rule_and_resource",
        "test_crash_while_writing_leaves_previous_store_current",
        "test_old_releases_are_pruned",
    },
    "test_cli.py": {
        "test_query_without_store_builds_it_first",
        "test_export_writes_the_whole_graph",
        "test_console_script_runs_as_installed",
    },
    "test_reason.py": {
        "test_there_are_defined_classes",
        "test_rules_infer_exactly_what_hermit_classifies",
        "test_hermit_finds_an_inconsistency_and_names_the_graph",
    },
    "api/test_clients.py": {
        "test_sparqlwrapper_select",
        "test_sparqlwrapper_post_ask_and_construct",
        "test_sparqlwrapper_reports_bad_queries",
        "test_rdflib_sparqlstore",
    },
    "api/test_crawl.py": {
        "test_crawl_from_the_entry_page_finds_no_broken_link",
        "test_every_resource_dereferences_and_agrees_with_the_store",
    },
    "api/routes/test_ontology.py": {
        "test_machines_get_the_ontology_in_every_format",
        "test_without_a_local_release_the_documents_come_from_the_ontology_file",
    },
    "api/routes/test_sparql.py": {
        "test_runaway_query_is_stopped_with_503_before_any_result",
        "test_other_requests_are_answered_while_a_query_runs_away",
    },
    "api/routes/test_store.py": {"test_built_graphs_are_read_only_and_writes_survive_restarts_and_rebuilds"},
    "api/routes/test_catalog.py": {"test_the_catalogue_conforms_to_dcat_ap"},  # pyshacl over the DCAT-AP shapes
    "search/test_relevance.py": {  # ranx compiles its metrics (numba) and ranks the judged set three times
        "test_the_hybrid_ranking_holds_its_recorded_figures",
        "test_the_hybrid_ranking_is_no_worse_than_either_alone_overall",
    },
}
"""Per file (path under tests/), the tests (function names, every parametrisation) that take long: seconds each
on an idle machine (a build or a reasoner run of their own, a real server started, many requests). From
`pytest --durations=120` on the whole suite; a name that matches no test of its file is an error, so the list
cannot rot."""


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by where it lives and what it runs on (see MARKED_DIRECTORIES, MARKED_FILES, SLOW)."""
    unknown: set[str] = set()
    for item in items:
        path = item.path.relative_to(TESTS_DIR)
        markers = {MARKED_FILES.get(path.name)} | {MARKED_DIRECTORIES.get(part) for part in path.parts[:-1]}
        params = item.callspec.params.values() if getattr(item, "callspec", None) else ()
        if any(isinstance(value, str) and value in REMOTE_SERVERS for value in params):  # on Virtuoso or oxigraph
            markers.add("remote")
        slow = SLOW.get(path.as_posix(), set())
        if getattr(item, "originalname", item.name) in slow:
            markers.add("slow")
        module = getattr(item, "module", None)
        unknown |= {f"{path.as_posix()}::{name}" for name in slow if module is not None and not hasattr(module, name)}
        for marker in sorted(m for m in markers if m):
            item.add_marker(marker)
    if unknown:
        raise pytest.UsageError(f"tests/conftest.py SLOW names tests that do not exist: {', '.join(sorted(unknown))}")


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """Settings of the real project, with the store in a temporary directory."""
    return Settings(store=tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def built(settings) -> build.BuildReport:
    return build.build(settings)


@pytest.fixture(scope="session")
def graph(settings, built) -> ox.Store:
    """The built graph, loaded as `kg query` and `kg serve` load it."""
    loaded, _ = store.open_store(settings.store_dir)
    return loaded


@pytest.fixture(scope="session")
def select(graph):
    """Run a SELECT on the built graph; rows as dicts of plain strings."""

    def run(query: str) -> list[dict[str, str]]:
        solutions = graph.query(PREFIXES + query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]

    return run


PREFIXES = """
PREFIX mea: <https://w3id.org/mea-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dwc: <http://rs.tdwg.org/dwc/terms/>
PREFIX id: <https://w3id.org/mea-kg/id/>
"""


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def project_copy(tmp_path) -> Settings:
    """A private copy of the project's sources (ontology, data, queries) to break at will."""
    copy_sources(tmp_path)
    return Settings(project_dir=tmp_path, store=tmp_path / "store", owl_check=False)


@pytest.fixture()
def built_copy(project_copy, settings, built) -> Settings:
    """``project_copy`` with the session's built store copied in: a previous release to keep, without a build."""
    shutil.copytree(settings.store_dir, project_copy.store_dir, symlinks=True)
    return project_copy


def seed_words(name: str) -> list[str]:
    """The words of a seed file, punctuation-insensitive, for order checks of verbatim text."""
    path = SEEDS_DIR / name
    if not path.exists():
        pytest.skip(f"seed {path} not found: the tests expect ../shared/seeds beside the checkout")
    return words(path.read_text(encoding="utf-8"))


def seed_text(name: str) -> str:
    """A seed file with its line breaks and runs of spaces folded into single spaces."""
    path = SEEDS_DIR / name
    if not path.exists():
        pytest.skip(f"seed {path} not found: the tests expect ../shared/seeds beside the checkout")
    return folded(path.read_text(encoding="utf-8"))


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    return re.findall(r"\d+|[^\W\d_]+", text.replace("’", "'").replace("œ", "oe").lower())


def verbatim(text: str, seed: list[str]) -> bool:
    """True when every sentence of ``text`` occurs, word for word and in order, in the seed's words."""
    return all(in_order(words(sentence), seed) for sentence in re.split(r"(?<=[.;:!?])\s+", text) if words(sentence))


def in_order(needle: list[str], haystack: list[str]) -> bool:
    """True when the words of ``needle`` occur in ``haystack`` in order, starting at one place and
    allowing a few interleaved words (the PDF's flattened table columns)."""
    if not needle:
        return False
    starts = [i for i, w in enumerate(haystack) if w == needle[0]]
    for start in starts:
        pos, gaps = start, 0
        for word in needle[1:]:
            nxt = _find(haystack, word, pos + 1, pos + 60)
            if nxt is None:
                break
            gaps += nxt - pos - 1
            pos = nxt
        else:
            if gaps <= 80:
                return True
    return False


def _find(haystack: list[str], word: str, start: int, stop: int) -> int | None:
    for i in range(start, min(stop, len(haystack))):
        if haystack[i] == word:
            return i
    return None


# --- remote stores: the same graph published on real SPARQL servers -------------------------------------

REMOTE_SERVERS = ("virtuoso", "oxigraph")
"""Remote back-ends the end-to-end tests also run on: Virtuoso (Debian's package) and `oxigraph serve` (PyPI)."""
REMOTE_QUERY_LIMIT_S = 20
"""The servers' own query time limit, so that a runaway the service stopped waiting for does not run on."""


@pytest.fixture(scope="session")
def remote_servers(tmp_path_factory, settings, built):
    """``remote_servers(name)``: Settings overrides for a running server of that name holding the built graph
    (published with `kg publish`'s code); started once per test run, or a skip saying why it cannot be."""
    from kg import publish
    from support import remote_servers as servers

    started, stack = {}, contextlib.ExitStack()

    def get(name: str) -> dict:
        if name not in started:
            reason = servers.available(name)
            if reason:
                pytest.skip(reason)
            workdir = tmp_path_factory.mktemp(name)
            launched = (
                servers.virtuoso(workdir, query_timeout_s=REMOTE_QUERY_LIMIT_S)
                if name == "virtuoso"
                else servers.oxigraph_server(workdir, timeout_s=REMOTE_QUERY_LIMIT_S)
            )
            overrides = remote_settings(stack.enter_context(launched))
            remote = settings.model_copy(update=overrides)
            asyncio.run(publish.publish(settings.store_dir, Endpoints.from_settings(remote)))
            started[name] = overrides
        return started[name]

    with stack:
        yield get


def remote_settings(endpoints) -> dict:
    """Settings overrides that point the service at a running remote server."""
    return {
        "store_url": endpoints.query_url,
        "update_url": endpoints.update_url,
        "gsp_url": endpoints.gsp_url,
        "remote_user": endpoints.user,
        "remote_password": SecretStr(endpoints.password) if endpoints.password else None,
        "remote_auth": "digest" if endpoints.auth == "digest" else "basic",
    }
