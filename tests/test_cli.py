"""The kg command line, as a user runs it: formats, exit codes, messages on stderr."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kg import build as build_module
from kg import reason, store
from kg.cli import app
from kg.errors import BadSetting, BuildLocked, KgError, SourceError, StoreCorrupt, StoreMissing
from kg.owl import Inconsistent
from kg.publish import PublishFailed
from kg.remote import RemoteFailed
from kg.workers import PoolUnavailable, QueryTimeout
from tests.helpers import ask, bindings

JWP_ACTIVITIES = """
PREFIX mea: <https://w3id.org/mea-kg/ontology#>
SELECT ?activity ?code WHERE { ?activity a mea:Activity ; mea:code ?code ;
  mea:programme <https://w3id.org/mea-kg/id/programme/jwp> } ORDER BY ?code"""


@pytest.fixture()
def kg(runner, settings, built):
    """Invoke `kg` on the session's built store."""

    def invoke(*args: str):
        return runner.invoke(app, [*args, "--store", str(settings.store_dir)])

    return invoke


def test_query_json_lists_the_33_jwp_activities(kg):
    result = kg("query", "--format", "json", JWP_ACTIVITIES)
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["head"]["vars"] == ["activity", "code"] or set(answer["head"]["vars"]) == {"activity", "code"}
    rows = bindings(answer)
    codes = [row["code"] for row in rows]
    assert len(codes) == 33
    assert {"A1", "A2", "B1", "B21", "C5", "D5"} <= set(codes)
    assert all(row["activity"].startswith("https://w3id.org/mea-kg/id/activity/jwp/") for row in rows)


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("xml", "<sparql"), ("csv", "activity,code"), ("tsv", "?activity\t?code")],
)
def test_query_result_formats(kg, fmt, marker):
    result = kg("query", "--format", fmt, JWP_ACTIVITIES)
    assert result.exit_code == 0
    assert marker in result.stdout


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("turtle", "mea:code"), ("ntriples", "<https://w3id.org/mea-kg/ontology#code>"), ("jsonld", "@id")],
)
def test_construct_formats(kg, fmt, marker):
    construct = (
        "PREFIX mea: <https://w3id.org/mea-kg/ontology#> CONSTRUCT { ?a mea:code ?c } WHERE { ?a mea:code ?c } LIMIT 3"
    )
    result = kg("query", "--format", fmt, construct)
    assert result.exit_code == 0
    assert marker in result.stdout


def test_query_from_file(kg, tmp_path):
    query_file = tmp_path / "count.rq"
    query_file.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    result = kg("query", f"@{query_file}")
    assert result.exit_code == 0
    assert int(bindings(result.stdout)[0]["n"]) > 1000


def test_bad_query_exits_2_with_parser_message(kg):
    result = kg("query", "SELECT ?x WHERE { ?x ?y }")
    assert result.exit_code == 2
    assert "bad query: line 1, column 19: cannot read the clause that starts here" in result.stderr
    assert result.stdout == ""


def test_format_that_does_not_fit_exits_2(kg):
    result = kg("query", "--format", "turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2
    assert "SELECT/ASK" in result.stderr


def test_missing_query_file_exits_2(kg, tmp_path):
    result = kg("query", f"@{tmp_path / 'nope.rq'}")
    assert result.exit_code == 2
    assert "cannot read query file" in result.stderr


def test_query_without_store_builds_it_first(runner, tmp_path):
    result = runner.invoke(
        app, ["query", "ASK { ?s ?p ?o }", "--store", str(tmp_path / "fresh")], env={"KG_OWL_CHECK": "false"}
    )  # HermiT's check has its own tests (test_reason)
    assert result.exit_code == 0, result.stderr
    assert "building it first" in result.stderr
    assert ask(result.stdout) is True


def test_build_failure_exits_1_with_file_and_line(runner, project_copy):
    (project_copy.data_dir / "broken.ttl").write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n")
    result = runner.invoke(
        app, ["build", "--store", str(project_copy.store_dir)], env={"KG_PROJECT_DIR": str(project_copy.project_dir)}
    )
    assert result.exit_code == 1
    assert "broken.ttl:2" in result.stderr


def test_console_script_runs_as_installed(settings, built):
    """The real `kg` entry point in a subprocess (no test runner in between)."""
    completed = subprocess.run(
        [sys.executable, "-m", "kg", "query", "--store", str(settings.store_dir), "ASK { ?s a ?o }"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert ask(completed.stdout) is True


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_export_writes_the_whole_graph(kg, tmp_path, fmt, rdflib_format, graph):
    import rdflib

    target = tmp_path / f"export.{fmt}"
    result = kg("export", "--format", fmt, "--output", str(target))
    assert result.exit_code == 0, result.stderr
    parsed = (
        rdflib.Dataset().parse(target, format=rdflib_format)
        if fmt == "nquads"
        else rdflib.Graph().parse(target, format=rdflib_format)
    )
    if fmt == "nquads":
        assert len(parsed) == len(graph)
    else:
        assert len(parsed) == len(
            list(graph.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
        )


def test_export_refuses_a_results_format(kg):
    result = kg("export", "--format", "csv")
    assert result.exit_code == 2 and "results format" in result.stderr


# --- settings: a flag beats the environment, which beats the default; bad values stop before anything starts ---


def one_error_line(stderr: str) -> str:
    """The single ``error:`` line of a failed command (no traceback, no "serving" line, nothing else)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr and "serving" not in stderr
    return lines[0]


@pytest.fixture()
def serve_settings(monkeypatch):
    """Run `kg serve` up to the point where uvicorn would start: returns the settings it would serve with,
    the address its socket is bound to and the line it would print once serving."""
    from kg import cli

    seen = {}

    def run_server(asgi_app, listener, started):
        seen.update(settings=asgi_app.state.settings, address=listener.getsockname(), started=started)

    monkeypatch.setattr(cli, "_run_server", run_server)
    return seen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# option, setting, the variable's text and the value it gives, the flag's text and the value it gives
SERVE_OPTIONS = [
    ("--host", "host", "localhost", "localhost", "127.0.0.1", "127.0.0.1"),
    ("--query-timeout", "query_timeout", "2.5", 2.5, "7", 7.0),
    ("--workers", "workers", "3", 3, "4", 4),
    ("--max-rows", "max_rows", "10", 10, "20", 20),
    ("--cache-mb", "cache_mb", "0", 0, "16", 16),
    ("--update-token", "update_token", "token-from-env", "token-from-env", "token-from-flag", "token-from-flag"),
    (
        "--allow-service",
        "service_allowlist",
        '["https://query.wikidata.org/sparql"]',
        ["https://query.wikidata.org/sparql"],
        "https://dbpedia.org/sparql",
        ["https://dbpedia.org/sparql"],
    ),
]


def setting(settings, name):
    value = getattr(settings, name)
    return value.get_secret_value() if name == "update_token" else value


@pytest.mark.parametrize("case", SERVE_OPTIONS, ids=[o[0] for o in SERVE_OPTIONS])
def test_serve_obeys_each_variable_and_its_flag_beats_it(runner, settings, built, serve_settings, case):
    flag, name, env, from_env, given, from_flag = case
    environment = {"KG_PORT": "0", "KG_STORE": str(settings.store_dir), f"KG_{name.upper()}": env}
    result = runner.invoke(app, ["serve"], env=environment)
    assert result.exit_code == 0, result.stderr
    assert setting(serve_settings["settings"], name) == from_env
    result = runner.invoke(app, ["serve", flag, given], env=environment)
    assert result.exit_code == 0, result.stderr
    assert setting(serve_settings["settings"], name) == from_flag


def test_serve_listens_on_the_port_of_the_variable_or_of_the_flag(runner, settings, built, serve_settings):
    from_env, from_flag = free_port(), free_port()
    environment = {"KG_PORT": str(from_env), "KG_STORE": str(settings.store_dir)}
    assert runner.invoke(app, ["serve"], env=environment).exit_code == 0
    assert serve_settings["address"][1] == from_env
    assert f":{from_env}/sparql" in serve_settings["started"]
    assert runner.invoke(app, ["serve", "--port", str(from_flag)], env=environment).exit_code == 0
    assert serve_settings["address"][1] == from_flag


def test_serve_uses_the_store_of_the_variable_or_of_the_flag(runner, built_copy, settings, serve_settings):
    environment = {"KG_PORT": "0", "KG_STORE": str(built_copy.store_dir)}
    assert runner.invoke(app, ["serve"], env=environment).exit_code == 0
    assert serve_settings["settings"].store_dir == built_copy.store_dir
    assert runner.invoke(app, ["serve", "--store", str(settings.store_dir)], env=environment).exit_code == 0
    assert serve_settings["settings"].store_dir == settings.store_dir


@contextlib.contextmanager
def kg_serve(*args: str, env: dict[str, str]) -> Iterator[str]:
    """`kg serve ARGS` in a subprocess on a free port: yields its SPARQL endpoint as the "serving" line names it,
    read as soon as that line is printed (no polling: the socket must already answer)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or ()], daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=300)  # a build, then the worker pool: generous on a loaded machine
            if line.startswith("serving "):
                yield re.search(r"on (http://\S+/sparql)", line).group(1)
                return
            assert process.poll() is None, f"kg serve exited {process.returncode}: {line}"
    finally:
        process.terminate()
        process.wait(timeout=60)


MORE_THAN_20_ROWS = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50"


@pytest.mark.parametrize(("flags", "cap"), [((), 10), (("--max-rows", "20"), 20)], ids=["variable", "flag"])
def test_kg_max_rows_caps_a_real_service_and_the_flag_beats_it(settings, built, flags, cap):
    with kg_serve("--store", str(settings.store_dir), *flags, env={"KG_MAX_ROWS": "10"}) as endpoint:
        response = httpx.post(endpoint, data={"query": MORE_THAN_20_ROWS}, timeout=120)  # at once: it is listening
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == str(cap)
    assert len(response.json()["results"]["bindings"]) == cap


BAD_SETTINGS = [
    (["serve", "--port", "99999"], {}, "port=99999 (option)"),
    (["serve", "--host", "256.1.1.1"], {}, "cannot listen on host '256.1.1.1'"),
    (["serve", "--workers", "0"], {}, "workers=0 (option)"),
    (["serve", "--cache-mb", "-1"], {}, "cache_mb=-1 (option)"),
    (["serve", "--query-timeout", "0"], {}, "query_timeout=0.0 (option)"),
    (["serve", "--allow-service", "wikidata"], {}, "absolute http"),
    (["serve"], {"KG_PORT": "99999"}, "$KG_PORT=99999"),
    (["serve"], {"KG_HOST": "no such host.invalid"}, "$KG_HOST="),
    (["serve"], {"KG_MAX_ROWS": "0"}, "$KG_MAX_ROWS=0"),
    (["serve"], {"KG_QUERY_TIMEOUT": "soon"}, "$KG_QUERY_TIMEOUT=soon"),
    (["serve"], {"KG_SERVICE_ALLOWLIST": "https://query.wikidata.org/sparql"}, "JSON"),
    (["query", "ASK {}"], {"KG_STORE_URL": "localhost:8890"}, "$KG_STORE_URL=localhost:8890"),
    (["build"], {"KG_OWL_CHECK": "perhaps"}, "$KG_OWL_CHECK=perhaps"),
    (["publish"], {}, "publishing needs --store-url and --update-url"),
]


@pytest.mark.parametrize(("args", "env", "says"), BAD_SETTINGS, ids=[" ".join(a) + str(e) for a, e, _ in BAD_SETTINGS])
def test_a_bad_setting_exits_2_with_one_line_before_anything_starts(runner, tmp_path, args, env, says):
    store_dir = tmp_path / "store"  # empty: nothing may be built
    result = runner.invoke(app, [*args, "--store", str(store_dir)], env={"KG_PORT": "0", **env})
    assert result.exit_code == 2, result.stderr
    assert says in one_error_line(result.stderr)
    assert not store_dir.exists()


def test_a_port_in_use_exits_2_with_one_line(settings, built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-m", "kg", "serve", "--port", str(port), "--store", str(settings.store_dir)],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert completed.returncode == 2
    assert one_error_line(completed.stderr) == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


# --- one error base: each failure ends in one error: line and the exit code its class carries -----------------

FAILURES = [
    (SourceError(Path("data/turtle/cami.ttl"), "bad IRI", 12, 4), 1, "data/turtle/cami.ttl:12:4: bad IRI"),
    (BuildLocked("another build holds the lock of var/store"), 1, "another build holds the lock"),
    (Inconsistent("HermiT: the ontology and data are inconsistent"), 1, "inconsistent"),
    (KgError("HermiT failed: java.lang.OutOfMemoryError"), 1, "HermiT failed"),
    (PublishFailed("the remote store is unchanged"), 1, "unchanged"),
    (BadSetting("invalid $KG_PORT=x"), 2, "KG_PORT"),
    (StoreMissing("no store in var/store"), 3, "no store"),
    (StoreCorrupt("release 2026 is damaged"), 3, "damaged"),
    (PoolUnavailable("the remote store is unreachable"), 4, "unreachable"),
    (QueryTimeout("past 30 s"), 4, "past 30 s"),
    (RemoteFailed("the remote store answered 500"), 4, "500"),
    (RuntimeError("rule taxonomy did not converge"), 1, "RuntimeError: rule taxonomy did not converge"),
    (OSError(28, "No space left on device"), 1, "cannot write the store: No space left on device"),
    (ValueError("unexpected"), 1, "ValueError: unexpected"),
]


@pytest.mark.parametrize("case", FAILURES, ids=[type(f[0]).__name__ for f in FAILURES])
def test_each_failure_is_one_line_and_its_exit_code(runner, monkeypatch, tmp_path, case):
    error, code, says = case

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(build_module, "build", failing)
    result = runner.invoke(app, ["build", "--store", str(tmp_path / "store")])
    assert result.exit_code == code
    assert isinstance(result.exception, SystemExit)  # nothing escaped the command
    assert says in one_error_line(result.stderr)


@pytest.mark.parametrize(("debug", "env"), [(["--debug"], {}), ([], {"KG_DEBUG": "1"})], ids=["flag", "variable"])
def test_debug_lets_the_traceback_through(runner, monkeypatch, tmp_path, debug, env):
    def failing(*args, **kwargs):
        raise RuntimeError("rule taxonomy did not converge")

    monkeypatch.setattr(build_module, "build", failing)
    result = runner.invoke(app, [*debug, "build", "--store", str(tmp_path / "store")], env=env)
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)  # the runner caught it: a console shows its traceback


def test_a_failing_java_stops_the_build_with_one_line(runner, project_copy, tmp_path, monkeypatch):
    """HermiT's JVM cannot start (a `java` that fails, first on PATH): exit 1, one line, no store written."""
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\necho 'Error: Could not create the Java Virtual Machine.' >&2\nexit 1\n")
    java.chmod(0o755)
    monkeypatch.setenv("PATH", f"{java.parent}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(
        app,
        ["build", "--owl-check", "--store", str(project_copy.store_dir)],
        env={"KG_PROJECT_DIR": str(project_copy.project_dir)},
    )
    assert result.exit_code == 1
    assert "HermiT failed: Error: Could not create the Java Virtual Machine." in one_error_line(result.stderr)
    assert store.current_release(project_copy.store_dir) is None


def test_a_runtime_error_in_the_rules_is_one_line(runner, project_copy, monkeypatch):
    def failing(dataset):
        raise RuntimeError("rule taxonomy did not converge")

    monkeypatch.setattr(reason, "materialise", failing)
    result = runner.invoke(
        app, ["build", "--store", str(project_copy.store_dir)], env={"KG_PROJECT_DIR": str(project_copy.project_dir)}
    )
    assert result.exit_code == 1
    assert "RuntimeError: rule taxonomy did not converge" in one_error_line(result.stderr)
    assert store.current_release(project_copy.store_dir) is None


def test_a_service_that_fails_to_start_is_one_line_and_no_serving_line(runner, settings, built, monkeypatch):
    """The app's startup (where the query pool starts) raises: uvicorn's traceback is held back, one line says why."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI

    import kg.api.main

    @asynccontextmanager
    async def failing(app):
        raise RuntimeError("the query pool did not start")
        yield

    monkeypatch.setattr(kg.api.main, "create_app", lambda settings: FastAPI(lifespan=failing))
    result = runner.invoke(app, ["serve", "--port", "0", "--store", str(settings.store_dir)])
    assert result.exit_code == 1
    assert (
        one_error_line(result.stderr) == "error: the service did not start: RuntimeError: the query pool did not start"
    )


@pytest.mark.parametrize("command", [["query", "ASK {}"], ["publish"]], ids=["query", "publish"])
def test_a_time_limit_must_be_positive(runner, command):
    result = runner.invoke(app, [*command, "--timeout", "0"])
    assert result.exit_code == 2 and "must be more than 0 seconds" in result.stderr
