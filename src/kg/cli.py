"""The ``kg`` command line: thin wrappers over the library functions the API uses too.

Exit codes: 0 success, 1 build, validation or publish failure, 2 bad usage or bad query, 3 store missing or
corrupt (or nothing published on a remote store), 4 remote store unreachable, failing or too slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, NoReturn

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from . import build as build_module
from . import catalogue, engine, limits, paging, store
from . import publish as publish_module
from .catalogue import CannedQuery
from .config import Settings
from .errors import BuildLocked, SourceError, StoreCorrupt, StoreMissing, ValidationFailed
from .formats import Format, Kind
from .namespaces import PREFIXES
from .owl import Inconsistent
from .remote import Endpoints, RemoteStore
from .workers import PoolUnavailable, QueryTimeout, WorkerError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="mea-kg: the MEA knowledge graph.")
KEEP_ALIVE_S = 75  # as nginx: longer than any client's pool keeps a connection
err = Console(stderr=True, soft_wrap=True)  # one message, one line: never wrapped at the terminal width

StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Store directory (default: var/store, or $KG_STORE).")
]
StoreUrlOption = Annotated[
    str | None,
    typer.Option(
        "--store-url",
        envvar="KG_STORE_URL",
        show_envvar=True,
        help="SPARQL query endpoint of a remote store to use instead of the embedded one "
        "(credentials: $KG_REMOTE_USER, $KG_REMOTE_PASSWORD, $KG_REMOTE_AUTH).",
    ),
]
UpdateUrlOption = Annotated[
    str | None,
    typer.Option(
        "--update-url", envvar="KG_UPDATE_URL", show_envvar=True, help="SPARQL Update endpoint of the remote store."
    ),
]
GspUrlOption = Annotated[
    str | None,
    typer.Option(
        "--gsp-url", envvar="KG_GSP_URL", show_envvar=True, help="Graph Store Protocol endpoint of the remote store."
    ),
]
MAX_FINDINGS_SHOWN = 50


def _settings(store_dir: Path | None, **remote: str | None) -> Settings:
    overrides = {"store": store_dir} if store_dir else {}
    overrides |= {key: value for key, value in remote.items() if value}
    try:
        return Settings(**overrides)
    except ValueError as e:
        fail(f"invalid option: {e}", 2)


def fail(message: str, code: int) -> NoReturn:
    err.print("[bold red]error:[/] ", end="")
    err.print(
        message, highlight=False, soft_wrap=True, markup=False, emoji=False
    )  # the message verbatim: no [..] markup
    raise typer.Exit(code)


def run_build(settings: Settings) -> build_module.BuildReport:
    """Build with a progress line per step; turn library errors into one stderr line and an exit code."""
    try:
        with err.status("building…") as status:
            report = build_module.build(settings, on_step=lambda step: status.update(f"{step}…"))
    except SourceError as e:
        fail(str(e), 1)
    except ValidationFailed as e:
        for finding in e.findings[:MAX_FINDINGS_SHOWN]:
            err.print(f"  {finding}", highlight=False, soft_wrap=True, markup=False, emoji=False)
        if len(e.findings) > MAX_FINDINGS_SHOWN:
            err.print(f"  … and {len(e.findings) - MAX_FINDINGS_SHOWN} more")
        fail(f"validation failed with {len(e.findings)} finding(s); the previous store is unchanged", 1)
    except (BuildLocked, Inconsistent) as e:
        fail(str(e), 1)
    except OSError as e:  # the disk is full, or the store directory cannot be written
        fail(
            f"cannot write the store: {e.strerror or e}{f' ({e.filename})' if e.filename else ''}; "
            "the previous store is unchanged",
            1,
        )
    return report


@app.command("build")
def build_command(
    store_dir: StoreOption = None,
    owl_check: Annotated[
        bool, typer.Option("--owl-check/--no-owl-check", help="Check consistency with HermiT.")
    ] = True,
) -> None:
    """Load ontology + data, validate (SHACL, QC), reason, check with HermiT, and swap in a new store atomically."""
    settings = _settings(store_dir)
    report = run_build(settings.model_copy(update={"owl_check": owl_check}) if not owl_check else settings)
    table = Table(title=f"built {report.release.name}", show_edge=False)
    table.add_column("graph")
    table.add_column("triples", justify="right")
    for graph, size in report.graphs.items():
        table.add_row(graph.rsplit("/", 1)[-1], str(size))
    table.add_row("[bold]all[/]", f"[bold]{report.quads}[/]")
    err.print(table)
    err.print("  ".join(f"{step} {secs:.2f}s" for step, secs in report.seconds.items()), highlight=False)


@app.command("query")
def query_command(
    query: Annotated[str | None, typer.Argument(help="SPARQL text, or @path/to/file.rq")] = None,
    format: Annotated[
        Format | None, typer.Option("--format", "-f", help="Answer format (default json / turtle).")
    ] = None,
    canned: Annotated[
        str | None, typer.Option("--canned", help="Run the canned query of this name (see `kg queries`).")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A canned query parameter, name=value (repeatable).")
    ] = None,
    page: Annotated[
        int | None, typer.Option("--page", min=1, help="Only this page of a canned query's answer (100 rows a page).")
    ] = None,
    store_dir: StoreOption = None,
    store_url: StoreUrlOption = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for a remote store's answer.")] = 60.0,
) -> None:
    """Run a SPARQL query (or a canned one) on the built store, or a remote one, and print the answer to stdout."""
    settings = _settings(store_dir, store_url=store_url)
    if (query is None) == (canned is None):
        fail("give either a QUERY or --canned NAME", 2)
    text, bindings, max_rows, paged_query = (_read_query(query) if query is not None else ""), {}, 10**9, None
    if canned is not None:
        text, bindings, max_rows, paged_query = _canned(settings, canned, param or [], page)
    elif param or page:
        fail("--param and --page go with --canned", 2)
    try:  # before anything parses it, on either back-end
        limits.check(text, max_depth=settings.query_max_depth, max_patterns=settings.query_max_patterns)
    except limits.QueryTooComplex as e:
        fail(str(e), 2)
    request = engine.request_for(text, format=format, bindings=bindings, max_rows=max_rows)

    async def answer_with(evaluate: paging.Evaluate) -> engine.Answer:
        return await (evaluate(request) if paged_query is None else paging.page(paged_query, page, request, evaluate))

    if settings.store_url:
        answer = _remote_query(settings, request, answer_with, timeout)
    else:
        store = _open(settings)

        async def here(r: engine.Request) -> engine.Answer:
            return engine.evaluate(store, r)

        try:
            answer = asyncio.run(answer_with(here))
        except SyntaxError as e:
            fail(f"bad query: {e.msg or e}", 2)
        except engine.NotAcceptable as e:
            fail(engine.format_mismatch(format, e.kind), 2)
        except ValueError as e:
            fail(str(e), 2)
    sys.stdout.buffer.write(answer.body)
    if not answer.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


def _remote_query(
    settings: Settings,
    request: engine.Request,
    answer_with: Callable[[paging.Evaluate], Awaitable[engine.Answer]],
    timeout: float,
) -> engine.Answer:
    """Answer ``request`` (through ``answer_with``) on the remote store of ``settings`` as the service does;
    failures exit 2, 3 or 4."""

    async def run() -> engine.Answer:
        async with RemoteStore(Endpoints.from_settings(settings), connections=1, refresh_seconds=3600) as remote:
            return await answer_with(lambda r: remote.query(r, timeout=timeout))

    try:
        return asyncio.run(run())
    except WorkerError as e:
        if e.kind == "syntax":
            fail(f"bad query: {e}", 2)
        if e.kind == "not_acceptable":
            fail(engine.format_mismatch(request.results_format or request.graph_format, Kind(e.detail["kind"])), 2)
        fail(str(e), 4)
    except StoreMissing as e:
        fail(str(e), 3)
    except (PoolUnavailable, QueryTimeout) as e:
        fail(str(e), 4)


def _canned(
    settings: Settings, name: str, params: list[str], page: int | None = None
) -> tuple[str, dict, int, CannedQuery | None]:
    """A canned query's text (of one page, with ``page``), its bindings, the most rows to print, and the query when paged."""
    queries = catalogue.load(settings.queries_dir)
    if name not in queries:
        fail(f"no canned query {name!r}; `kg queries` lists them", 2)
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--param takes name=value, not {item!r}", 2)
        values[key.strip()] = value
    try:
        query = queries[name]
        if page is None:
            return query.text, query.bindings(values), 10**9, None
        return (
            query.page(page),
            query.bindings(values),
            query.page_size,
            query,
        )  # the page's extra row only tells whether one follows
    except ValueError as e:
        fail(str(e), 2)


@app.command("queries")
def queries_command() -> None:
    """List the canned queries and their parameters."""
    table = Table(show_edge=False)
    for column in ("name", "summary", "parameters"):
        table.add_column(column)
    for query in catalogue.load(Settings().queries_dir).values():
        params = ", ".join(f"{p.name} ({p.type}{', default ' + p.default if p.default else ''})" for p in query.params)
        table.add_row(query.name, query.summary, params or "-")
    Console().print(table)


def _read_query(argument: str) -> str:
    if not argument.startswith("@"):
        return argument
    path = Path(argument[1:])
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read query file {path}: {e}", 2)


def _open(settings: Settings):
    """Open the built store, building it first when there is none."""
    if store.current_release(settings.store_dir) is None:
        err.print(f"no store in {settings.store_dir}: building it first")
        run_build(settings)
    try:
        graph_store, _ = store.open_store(settings.store_dir)
    except (StoreMissing, StoreCorrupt) as e:
        fail(str(e), 3)
    return graph_store


@app.command("export")
def export_command(
    format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="turtle, ntriples, jsonld, rdfxml (the merged graph) or nquads, trig (every named graph).",
        ),
    ] = Format.NQUADS,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    store_dir: StoreOption = None,
) -> None:
    """Write the whole built graph: the merged graph, or the dataset with its named graphs."""
    if not format.is_graph:
        fail(f"{format.value} is a results format; export takes turtle, ntriples, jsonld, rdfxml, nquads or trig", 2)
    graph_store = _open(_settings(store_dir))
    data = (
        graph_store
        if format.kind is Kind.DATASET
        else graph_store.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    )
    prefixes = PREFIXES if format in (Format.TURTLE, Format.TRIG) else None
    try:
        with open(output, "wb") if output else contextlib.nullcontext(sys.stdout.buffer) as out:
            ox.serialize(data, out, format=format.rdf_format, prefixes=prefixes)
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as e:
        fail(f"cannot write {output}: {e}", 2)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    query_timeout: Annotated[
        float, typer.Option("--query-timeout", help="Seconds before a query is stopped (503).")
    ] = 30.0,
    store_dir: StoreOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Query worker processes (default: CPU count, at least 2).")
    ] = None,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most rows (or triples) one answer returns.")] = 100_000,
    cache_mb: Annotated[int, typer.Option("--cache-mb", help="Memory for cached answers (0: no cache).")] = 64,
    update_token: Annotated[
        str | None,
        typer.Option(
            "--update-token",
            envvar="KG_UPDATE_TOKEN",
            show_envvar=True,
            help="Enable SPARQL Update and Graph Store writes for this bearer token.",
        ),
    ] = None,
    allow_service: Annotated[
        list[str] | None, typer.Option("--allow-service", help="An endpoint SERVICE/LOAD may reach (repeatable).")
    ] = None,
    store_url: StoreUrlOption = None,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Serve the graph: SPARQL 1.1 Protocol at /sparql, Graph Store at /store, OpenAPI at /docs.

    By default from the embedded store (built first if there is none); with --store-url, from a remote
    SPARQL store that `kg publish` filled (the service keeps no state: run as many replicas as needed).
    """
    import uvicorn

    from .api.main import create_app

    overrides = {
        "host": host,
        "port": port,
        "query_timeout": query_timeout,
        "max_rows": max_rows,
        "cache_mb": cache_mb,
        "update_token": update_token,
        "service_allowlist": allow_service or [],
    }
    if workers is not None:
        overrides["workers"] = workers
    if store_dir is not None:
        overrides["store"] = store_dir
    overrides |= {k: v for k, v in {"store_url": store_url, "update_url": update_url, "gsp_url": gsp_url}.items() if v}
    try:
        settings = Settings(**overrides)
    except ValueError as e:
        fail(f"invalid option: {e}", 2)
    if settings.store_url:
        served = f"the remote store {settings.store_url} (release {_published(settings)})"
    else:
        served = str(settings.store_dir)
        if store.current_release(settings.store_dir) is None:
            err.print(f"no store in {settings.store_dir}: building it first")
            run_build(settings)
        try:
            store.verify(settings.store_dir)
        except (StoreMissing, StoreCorrupt) as e:
            fail(str(e), 3)
    err.print(
        f"serving {served} on http://{host}:{port}/sparql "
        f"(updates {'enabled' if update_token and not settings.store_url else 'disabled'}, timeout {query_timeout:g} s)"
    )
    # Keep idle connections longer than clients do (httpx and requests reuse theirs for 5 s, uvicorn's own
    # default): a server closing one just as a client reuses it fails that request with no status.
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        server_header=False,
        log_level="warning",
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE_S,
    )


def _published(settings: Settings) -> str:
    """The release a remote store serves; exits 3 when nothing is published, 4 when it cannot be read."""

    async def probe() -> str:
        async with RemoteStore(Endpoints.from_settings(settings), connections=1) as remote:
            return remote.publication.id

    try:
        return asyncio.run(probe())
    except StoreMissing as e:
        fail(str(e), 3)
    except PoolUnavailable as e:
        fail(str(e), 4)


@app.command("publish")
def publish_command(
    store_url: Annotated[
        str,
        typer.Option(
            "--store-url", envvar="KG_STORE_URL", show_envvar=True, help="SPARQL query endpoint of the remote store."
        ),
    ],
    update_url: Annotated[
        str,
        typer.Option(
            "--update-url", envvar="KG_UPDATE_URL", show_envvar=True, help="SPARQL Update endpoint of the remote store."
        ),
    ],
    gsp_url: GspUrlOption = None,
    store_dir: StoreOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds one request to the remote store may take.")
    ] = 600.0,
) -> None:
    """Push the current build to a remote store: load fresh graphs, check them, then switch in one update.

    A push that fails leaves the remote store serving what it served before. Credentials come from
    $KG_REMOTE_USER and $KG_REMOTE_PASSWORD ($KG_REMOTE_AUTH=digest for Virtuoso's -auth endpoints).
    """
    settings = _settings(store_dir, store_url=store_url, update_url=update_url, gsp_url=gsp_url)
    if store.current_release(settings.store_dir) is None:
        err.print(f"no store in {settings.store_dir}: building it first")
        run_build(settings)
    try:
        with err.status("publishing…") as status:
            report = asyncio.run(
                publish_module.publish(
                    settings.store_dir,
                    Endpoints.from_settings(settings),
                    timeout=timeout,
                    on_step=lambda step: status.update(f"{step}…"),
                )
            )
    except publish_module.PublishFailed as e:
        fail(str(e), 1)
    except (StoreMissing, StoreCorrupt) as e:
        fail(str(e), 3)
    err.print(
        f"published {report.release} ({report.quads} triples in {len(report.graphs)} graphs; "
        f"previously {report.previous or 'nothing'}) to {settings.store_url}",
        highlight=False,
    )
    err.print("  ".join(f"{step} {secs:.2f}s" for step, secs in report.seconds.items()), highlight=False)
