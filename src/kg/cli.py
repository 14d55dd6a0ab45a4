"""The ``kg`` command line: thin wrappers over the library functions the API uses too.

Exit codes: 0 success, 1 build, validation or publish failure, 2 bad usage, bad setting or bad query, 3 store
missing or corrupt (or nothing published on a remote store), 4 remote store unreachable, failing or too slow.
Each :class:`~kg.errors.KgError` carries its code; any other exception exits 1. Every failure is one ``error:``
line on stderr (``--debug`` or ``KG_DEBUG=1`` shows the traceback instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import enum
import html
import json
import logging
import os
import re
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer._click import Context  # typer vendors click: the context its groups are invoked with
from typer.core import TyperGroup

from . import build as build_module
from . import catalogue, engine, limits, links, listen, paging, store
from . import publish as publish_module
from .catalogue import CannedQuery
from .config import Settings, load_settings
from .errors import KgError, ValidationFailed
from .formats import Format, Kind
from .namespaces import PREFIXES, SEARCH_SERVICE
from .remote import Endpoints, RemoteStore
from .search.documents import KINDS

if TYPE_CHECKING:
    from .search.index import SearchIndex

KEEP_ALIVE_S = 75  # as nginx: longer than any client's pool keeps a connection
err = Console(stderr=True, soft_wrap=True)  # one message, one line: never wrapped at the terminal width


class KgGroup(TyperGroup):
    """The ``kg`` group: a failing command ends in one ``error:`` line and its exit code, never a traceback."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own: exit codes and usage errors
            raise
        except KgError as e:
            if ctx.params.get("debug"):
                raise
            fail(str(e), e.exit_code)
        except Exception as e:
            if ctx.params.get("debug"):
                raise
            fail(f"{type(e).__name__}: {e} (--debug or KG_DEBUG=1 shows where)", 1)


app = typer.Typer(cls=KgGroup, no_args_is_help=True, add_completion=False, help="mea-kg: the MEA knowledge graph.")


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", envvar="KG_DEBUG", help="Show the traceback of a failure ($KG_DEBUG=1).")
    ] = False,
) -> None:
    """mea-kg: the MEA knowledge graph."""


def about(setting: str, text: str) -> str:
    """The help of the option for ``setting``: ``text``, its default and its environment variable."""
    field = Settings.model_fields[setting]
    default = "" if field.default_factory or field.default in (None, []) else f"Default {field.default}; "
    return f"{text} {default}environment: ${Settings.model_config['env_prefix']}{setting.upper()}."


def _positive(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter("must be more than 0 seconds")
    return value


StoreOption = Annotated[Path | None, typer.Option("--store", help=about("store", "Store directory (var/store)."))]
StoreUrlOption = Annotated[
    str | None,
    typer.Option(
        "--store-url",
        help=about(
            "store_url",
            "SPARQL query endpoint of a remote store to use instead of the embedded one "
            "(credentials: $KG_REMOTE_USER, $KG_REMOTE_PASSWORD, $KG_REMOTE_AUTH).",
        ),
    ),
]
UpdateUrlOption = Annotated[
    str | None, typer.Option("--update-url", help=about("update_url", "SPARQL Update endpoint of the remote store."))
]
GspUrlOption = Annotated[
    str | None, typer.Option("--gsp-url", help=about("gsp_url", "Graph Store Protocol endpoint of the remote store."))
]
MAX_FINDINGS_SHOWN = 50


def fail(message: str, code: int) -> NoReturn:
    err.print("[bold red]error:[/] ", end="")
    err.print(
        message, highlight=False, soft_wrap=True, markup=False, emoji=False
    )  # the message verbatim: no [..] markup
    raise typer.Exit(code)


def run_build(settings: Settings) -> build_module.BuildReport:
    """Build with a progress line per step; list validation findings, name an unwritable store."""
    try:
        with err.status("building…") as status:
            report = build_module.build(settings, on_step=lambda step: status.update(f"{step}…"))
    except ValidationFailed as e:
        for finding in e.findings[:MAX_FINDINGS_SHOWN]:
            err.print(f"  {finding}", highlight=False, soft_wrap=True, markup=False, emoji=False)
        if len(e.findings) > MAX_FINDINGS_SHOWN:
            err.print(f"  … and {len(e.findings) - MAX_FINDINGS_SHOWN} more")
        fail(f"validation failed with {len(e.findings)} finding(s); the previous store is unchanged", 1)
    except OSError as e:  # the disk is full, or the store directory cannot be written
        fail(
            f"cannot write the store: {e.strerror or e}{f' ({e.filename})' if e.filename else ''}; "
            "the previous store is unchanged",
            1,
        )
    return report


def ensure_store(settings: Settings) -> None:
    """Build the store when there is none yet (the commands that read it do)."""
    if store.current_release(settings.store_dir) is None:
        err.print(f"no store in {settings.store_dir}: building it first")
        run_build(settings)


@app.command("build")
def build_command(
    store_dir: StoreOption = None,
    owl_check: Annotated[
        bool | None,
        typer.Option("--owl-check/--no-owl-check", help=about("owl_check", "Check consistency with HermiT.")),
    ] = None,
) -> None:
    """Load ontology + data, validate (SHACL, QC), reason, check with HermiT, and swap in a new store atomically."""
    report = run_build(load_settings(store=store_dir, owl_check=owl_check))
    table = Table(title=f"built {report.release.name}", show_edge=False)
    table.add_column("graph")
    table.add_column("triples", justify="right")
    for graph, size in report.graphs.items():
        table.add_row(graph.rsplit("/", 1)[-1], str(size))
    table.add_row("[bold]all[/]", f"[bold]{report.quads}[/]")
    err.print(table)
    err.print(_coverage_table(report.coverage))
    err.print("  ".join(f"{step} {secs:.2f}s" for step, secs in report.seconds.items()), highlight=False)


def _coverage_table(coverage: list[links.Coverage]) -> Table:
    """External identifiers found / total, per scheme and kind of resource (docs/links.md says what is missing)."""
    table = Table(title="external identifiers", show_edge=False)
    for column in ("scheme", "resources", "found"):
        table.add_column(column, justify="right" if column == "found" else "left")
    for row in coverage:
        table.add_row(row.scheme, row.kind, f"{row.found}/{row.total}")
    return table


@app.command("query")
def query_command(
    *,  # typer passes every option by name
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
    timeout: Annotated[
        float, typer.Option("--timeout", callback=_positive, help="Seconds to wait for a remote store's answer.")
    ] = 60.0,
) -> None:
    """Run a SPARQL query (or a canned one) on the built store, or a remote one, and print the answer to stdout."""
    settings = load_settings(store=store_dir, store_url=store_url)
    if (query is None) == (canned is None):
        fail("give either a QUERY or --canned NAME", 2)
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    text, max_rows, paged_query = (_read_query(query) if query is not None else ""), 10**9, None
    if canned is not None:
        text, bindings, max_rows, paged_query = _canned(settings, canned, param or [], page)
    elif param or page:
        fail("--param and --page go with --canned", 2)
    try:  # before anything parses it, on either back-end
        limits.check(text, max_depth=settings.query_max_depth, max_patterns=settings.query_max_patterns)
    except limits.QueryOverLimit as e:
        fail(str(e), 2)
    if SEARCH_SERVICE in text:  # search blocks answered here, from the local build's index, on either back-end
        text = _answer_searches(settings, text, bindings)
    request = engine.request_for(text, format=format, bindings=bindings, max_rows=max_rows)

    async def answer_with(evaluate: paging.Evaluate) -> engine.Answer:
        if paged_query is None or page is None:
            return await evaluate(request)
        return await paging.page(paged_query, page, request, evaluate)

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
    a bad query or format exits 2 (other failures carry their exit code: 3 or 4)."""

    async def run() -> engine.Answer:
        async with RemoteStore(Endpoints.from_settings(settings), connections=1, refresh_seconds=3600) as remote:
            return await answer_with(lambda r: remote.query(r, timeout=timeout))

    try:
        return asyncio.run(run())
    except SyntaxError as e:
        fail(f"bad query: {e}", 2)
    except engine.NotAcceptable as e:
        fail(engine.format_mismatch(request.results_format or request.graph_format, e.kind), 2)


def _canned(
    settings: Settings, name: str, params: list[str], page: int | None = None
) -> tuple[str, dict, int, CannedQuery | None]:
    """A canned query's text (of one page, with ``page``), its bindings, the most rows to print, and the query
    when paged."""
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
    for query in catalogue.load(load_settings().queries_dir).values():
        params = ", ".join(f"{p.name} ({p.type}{', default ' + p.default if p.default else ''})" for p in query.params)
        table.add_row(query.name, query.summary, params or "-")
    Console().print(table)


class SearchFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@app.command("search")
def search_command(
    text: Annotated[str, typer.Argument(help="The words to search for, in any of the six UN languages.")],
    type: Annotated[
        list[str] | None, typer.Option("--type", "-t", help=f"Keep hits of this kind ({', '.join(KINDS)}).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Hits to show.")] = 10,
    page: Annotated[int, typer.Option("--page", min=1, help="Page of hits.")] = 1,
    lang: Annotated[str, typer.Option("--lang", help="Language of the labels: fr or en.")] = "en",
    format: Annotated[SearchFormat, typer.Option("--format", "-f", help="table, json or csv.")] = SearchFormat.TABLE,
    store_dir: StoreOption = None,
) -> None:
    """Search the graph's activities, taxa, places, actors and document parts by words (as GET /search)."""
    words = " ".join(text.split())
    if not words:
        fail("give the words to search for", 2)
    if unknown := [k for k in type or () if k not in KINDS]:
        fail(f"unknown type {', '.join(unknown)}: one of {', '.join(KINDS)}", 2)
    index = _search_index(load_settings(store=store_dir))
    answer = index.answer(words, kinds=tuple(type or ()), limit=limit, page=page, lang=lang)
    if format is SearchFormat.JSON:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    elif format is SearchFormat.CSV:
        out = csv.writer(sys.stdout)
        out.writerow(["rank", "type", "code", "label", "score", "iri"])
        for rank, hit in enumerate(answer["hits"], start=(page - 1) * limit + 1):
            out.writerow([rank, hit["type"], hit["code"] or "", hit["label"], hit["score"], hit["iri"]])
    else:
        table = Table(title=f"{answer['total']} results for “{words}”", show_edge=False)
        for column in ("#", "type", "code", "label", "snippet"):
            table.add_column(column)
        for rank, hit in enumerate(answer["hits"], start=(page - 1) * limit + 1):
            pieces = re.split(r"<mark>(.*?)</mark>", hit["snippet"])  # odd pieces matched the query
            snippet = "".join(
                f"[bold yellow]{escape(html.unescape(p))}[/]" if i % 2 else escape(html.unescape(p))
                for i, p in enumerate(pieces)
            )
            table.add_row(str(rank), hit["type"], hit["code"] or "", hit["label"], snippet)
        Console().print(table)


def _search_index(settings: Settings) -> SearchIndex:
    """The search index of the built store's current release (built first if there is none). Raises
    StoreCorrupt when the release has none or a damaged one."""
    from .search.current import CurrentIndex  # numpy and bm25s: only for the commands that search

    ensure_store(settings)
    return CurrentIndex(settings.store_dir).get()


def _answer_searches(settings: Settings, text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    from .search.sparql import rewrite

    index = _search_index(settings)
    try:
        return rewrite(text, bindings, lambda: index)
    except SyntaxError as e:
        fail(f"bad query: {e.msg or e}", 2)


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
    ensure_store(settings)
    graph_store, _ = store.open_store(settings.store_dir)
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
    graph_store = _open(load_settings(store=store_dir))
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
    *,  # typer passes every option by name
    host: Annotated[str | None, typer.Option(help=about("host", "Interface to listen on."))] = None,
    port: Annotated[int | None, typer.Option(help=about("port", "Port to listen on (0: a free one)."))] = None,
    query_timeout: Annotated[
        float | None,
        typer.Option("--query-timeout", help=about("query_timeout", "Seconds before a query is stopped (503).")),
    ] = None,
    store_dir: StoreOption = None,
    workers: Annotated[
        int | None,
        typer.Option(help=about("workers", "Query worker processes (one per CPU plus a quarter as many).")),
    ] = None,
    search_processes: Annotated[
        int | None,
        typer.Option(
            "--search-processes", help=about("search_processes", "Processes answering /search (0: in the service).")
        ),
    ] = None,
    max_rows: Annotated[
        int | None, typer.Option("--max-rows", help=about("max_rows", "Most rows (or triples) one answer returns."))
    ] = None,
    cache_mb: Annotated[
        int | None, typer.Option("--cache-mb", help=about("cache_mb", "Memory for cached answers (0: no cache)."))
    ] = None,
    update_token: Annotated[
        str | None,
        typer.Option(
            "--update-token",
            help=about("update_token", "Enable SPARQL Update and Graph Store writes for this bearer token."),
        ),
    ] = None,
    allow_service: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-service",
            help=about(
                "service_allowlist", "An endpoint SERVICE/LOAD may reach (repeatable; the variable: a JSON list)."
            ),
        ),
    ] = None,
    store_url: StoreUrlOption = None,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Serve the graph: SPARQL 1.1 Protocol at /sparql, Graph Store at /store, OpenAPI at /docs.

    By default from the embedded store (built first if there is none); with --store-url, from a remote
    SPARQL store that `kg publish` filled (the service keeps no state: run as many replicas as needed).
    """
    from .api.main import create_app

    settings = load_settings(
        host=host,
        port=port,
        query_timeout=query_timeout,
        store=store_dir,
        workers=workers,
        search_processes=search_processes,
        max_rows=max_rows,
        cache_mb=cache_mb,
        update_token=update_token,
        service_allowlist=allow_service or None,
        store_url=store_url,
        update_url=update_url,
        gsp_url=gsp_url,
    )
    with listen.bind(settings.host, settings.port) as listener:  # a bad address fails before any build
        if settings.store_url:
            served = f"the remote store {settings.store_url} (release {_published(settings)})"
        else:
            served = str(settings.store_dir)
            ensure_store(settings)
            store.verify(settings.store_dir)  # the data and every file beside it, the search index's included
            _search_index(settings)  # a release without its index is refused like a damaged one
        updates = "enabled" if settings.update_token and not settings.store_url else "disabled"
        _run_server(
            create_app(settings),
            listener,
            f"serving {served} on http://{listen.url_host(settings.host)}:{listener.getsockname()[1]}/sparql "
            f"(updates {updates}, timeout {settings.query_timeout:g} s)",
        )


def _run_server(asgi_app: Any, listener: socket.socket, started: str) -> None:
    """Serve ``asgi_app`` on ``listener`` with uvicorn; print ``started`` once the app started (its query pool
    running) and the socket listens. Raises KgError with the cause's last line when the app fails to start."""
    import uvicorn

    held: list[logging.LogRecord] = []  # uvicorn's log while the app starts: a failure's traceback is in it

    def hold(record: logging.LogRecord) -> bool:
        held.append(record)
        return False

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            log = logging.getLogger("uvicorn.error")
            log.addFilter(hold)
            try:
                await super().startup(sockets)
            finally:
                log.removeFilter(hold)
            if self.started:
                for record in held:
                    log.handle(record)
                err.print(started, highlight=False)

    # Keep idle connections longer than clients do (httpx and requests reuse theirs for 5 s, uvicorn's own
    # default): a server closing one just as a client reuses it fails that request with no status.
    config = uvicorn.Config(
        asgi_app,
        server_header=False,
        log_level="warning",
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    server = Server(config)
    with contextlib.suppress(SystemExit):  # uvicorn exits when the app's startup fails: said below
        server.run(sockets=[listener])
    if not server.started:
        lines = [line for r in held for line in r.getMessage().splitlines() if line.strip()]
        cause = next((line for line in reversed(lines) if "startup failed" not in line), "no reason given")
        raise KgError(f"the service did not start: {cause.strip()}")


def _published(settings: Settings) -> str:
    """The release a remote store serves (StoreMissing when nothing is published, PoolUnavailable when it
    cannot be read)."""

    async def probe() -> str:
        async with RemoteStore(Endpoints.from_settings(settings), connections=1) as remote:
            return remote.publication.id if remote.publication else "none"  # start() raised if none

    return asyncio.run(probe())


@app.command("publish")
def publish_command(
    store_url: StoreUrlOption = None,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
    store_dir: StoreOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", callback=_positive, help="Seconds one request to the remote store may take.")
    ] = 600.0,
) -> None:
    """Push the current build to a remote store: load fresh graphs, check them, then switch in one update.

    A push that fails leaves the remote store serving what it served before. Credentials come from
    $KG_REMOTE_USER and $KG_REMOTE_PASSWORD ($KG_REMOTE_AUTH=digest for Virtuoso's -auth endpoints).
    """
    settings = load_settings(store=store_dir, store_url=store_url, update_url=update_url, gsp_url=gsp_url)
    if not (settings.store_url and settings.update_url):
        fail("publishing needs --store-url and --update-url (or $KG_STORE_URL and $KG_UPDATE_URL)", 2)
    ensure_store(settings)
    with err.status("publishing…") as status:
        report = asyncio.run(
            publish_module.publish(
                settings.store_dir,
                Endpoints.from_settings(settings),
                timeout=timeout,
                on_step=lambda step: status.update(f"{step}…"),
            )
        )
    err.print(
        f"published {report.release} ({report.quads} triples in {len(report.graphs)} graphs; "
        f"previously {report.previous or 'nothing'}) to {settings.store_url}",
        highlight=False,
    )
    err.print("  ".join(f"{step} {secs:.2f}s" for step, secs in report.seconds.items()), highlight=False)
