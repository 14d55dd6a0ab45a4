"""The canned-query catalogue: ``queries/*.rq`` files with grlc-style ``#+`` YAML headers.

A header names the query and documents its parameters::

    #+ summary: Activities touching taxa listed in an appendix
    #+ description: …
    #+ tags: [listings]
    #+ params:
    #+   appendix: {type: string, default: "I", enum: ["I", "II", "III"], description: …}

Every parameter is a variable of the query body. A value is bound to it as an RDF term (never spliced
into the text); a parameter left out takes its default, or stays unbound (it then matches anything),
so each file also runs as plain SPARQL.

Bindings become one-row VALUES blocks (:func:`kg.sparqltext.with_values`, substitution semantics) on
every back-end. An optional parameter is tested with ``BOUND``, as in ``FILTER(!BOUND(?p) || ?x = ?p)``:
that reads the same on pyoxigraph and Virtuoso (which answers ``COALESCE(?x = ?p, true)`` with no row when ?p is
unbound, and refuses EXISTS inside IF), and gives pyoxigraph a stable plan (``!COALESCE(?p = ?p, false)``, used
before, did not).
Required patterns come before OPTIONALs: pyoxigraph joins a pattern that follows one without reordering.

A query whose ordered answer is large can name a page driver (``#+ page-driver:``, a SELECT of one
variable ordered by ``ORDER BY STR(?v)``, the answer's leading order, see :mod:`kg.paging`) so that a page
costs its rows, not the answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml

from .namespaces import PREDECLARED_PREFIXES, XSD
from .sparqltext import paged, query_form, split_order, with_rows

TYPES = ("iri", "string", "date", "integer", "boolean", "literal-en", "literal-fr")
RESERVED = {"format", "page"}
PAGE_SIZE = 100
"""Rows per page of ``?page=N`` (grlc's ``#+ pagination:`` header sets another size for one query)."""
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str = "string"
    description: str = ""
    default: str | None = None
    enum: tuple[str, ...] = ()
    required: bool = False

    def term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw value; ValueError with a message saying what is expected."""
        if self.enum and raw not in self.enum:
            raise ValueError(f"parameter {self.name!r} must be one of: {', '.join(self.enum)}")
        try:
            if self.type == "iri":
                return ox.NamedNode(raw)
            if self.type == "date":
                return ox.Literal(dt.date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date"))
            if self.type == "integer":
                return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
            if self.type == "boolean":
                if raw.lower() not in ("true", "false"):
                    raise ValueError
                return ox.Literal(raw.lower(), datatype=ox.NamedNode(XSD + "boolean"))
            if self.type.startswith("literal-"):
                return ox.Literal(raw, language=self.type.removeprefix("literal-"))
            return ox.Literal(raw)
        except ValueError:
            raise ValueError(f"parameter {self.name!r} must be {_EXPECTED[self.type]}, not {raw!r}") from None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "default": self.default,
            "enum": list(self.enum),
            "required": self.required,
        }


_EXPECTED = {
    "iri": "an absolute IRI",
    "date": "a date (YYYY-MM-DD)",
    "integer": "an integer",
    "boolean": "true or false",
    "string": "a string",
    "literal-en": "a string",
    "literal-fr": "a string",
}


@dataclass(frozen=True)
class CannedQuery:
    name: str
    summary: str
    description: str
    text: str
    params: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = field(default=())
    page_size: int = PAGE_SIZE
    driver: str | None = None
    """A SELECT of one variable of the answer, ordered as the answer's leading ORDER BY keys (which it
    determines): its first values' rows come first in the answer (the ``#+ page-driver:`` header, with the
    query's prologue)."""
    driver_variable: str | None = None
    """The one variable the page driver projects."""
    driver_keys: str | None = None
    """The page driver without its ``ORDER BY STR(?v)``: :mod:`kg.paging` sorts the values itself."""

    def page(
        self,
        number: int,
        *,
        among: list[ox.NamedNode | ox.Literal] | None = None,
        bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
    ) -> str:
        """The query text for page ``number`` (1-based): one row more than a page, to tell whether another follows.

        With ``among`` (the driver's first values), only the rows of those values are evaluated; ``bindings``
        (the request's parameters) are joined into their VALUES block (:func:`kg.sparqltext.with_rows`).
        ValueError for a page below 1 or a query that has its own LIMIT/OFFSET.
        """
        if number < 1:
            raise ValueError(f"page must be 1 or more, not {number}")
        if among is not None and self.driver_variable is None:
            raise ValueError(f"{self.name} has no page driver to choose rows with")
        text = self.text if among is None else with_rows(self.text, str(self.driver_variable), among, bindings)
        return paged(text, limit=self.page_size + 1, offset=(number - 1) * self.page_size)

    def bindings(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Bind raw parameter values (and defaults). ValueError for unknown, missing or invalid ones."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known) - RESERVED)
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {', '.join(unknown)} for {self.name}; it takes: {', '.join(known) or 'none'}"
            )
        bound = {}
        for name, param in known.items():
            raw = values.get(name, param.default)
            if raw is None or raw == "":
                if param.required:
                    raise ValueError(f"parameter {name!r} is required")
                continue
            bound[_variable(name)] = param.term(raw)
        return bound

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "tags": list(self.tags),
            "parameters": [p.as_dict() for p in self.params],
        }


def _variable(name: str) -> str:
    """A parameter ``as-of`` is the variable ``?asOf`` of the query."""
    head, *rest = name.split("-")
    return head + "".join(part.capitalize() for part in rest)


def header(text: str, path: Path) -> dict:
    """The YAML of a query's ``#+`` lines; ValueError naming the file when it is malformed."""
    lines = "\n".join(line[3:] for line in text.splitlines() if line.startswith("#+ ") or line == "#+")
    try:
        meta = yaml.safe_load(lines) or {}
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: malformed #+ header: {err}") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: the #+ header is not a mapping")
    return meta


def read(path: Path) -> CannedQuery:
    """Parse one ``.rq`` file; ValueError naming the file when its header is malformed."""
    text = path.read_text(encoding="utf-8")
    meta = header(text, path)
    if not _NAME.match(path.stem):
        raise ValueError(f"{path}: query names are lower-case words joined by hyphens")
    params = []
    for name, declared in (meta.get("params") or {}).items():
        spec = declared or {}
        if spec.get("type", "string") not in TYPES:
            raise ValueError(f"{path}: parameter {name!r} has unknown type {spec.get('type')!r}")
        params.append(
            Parameter(
                name,
                spec.get("type", "string"),
                spec.get("description", ""),
                None if spec.get("default") is None else str(spec["default"]),
                tuple(str(v) for v in spec.get("enum", ())),
                bool(spec.get("required", False)),
            )
        )
    page_size = meta.get("pagination", PAGE_SIZE)
    if not isinstance(page_size, int) or page_size < 1:
        raise ValueError(f"{path}: pagination must be a positive number of rows")
    return CannedQuery(
        path.stem,
        str(meta.get("summary", "")),
        str(meta.get("description", "")).strip(),
        text,
        tuple(params),
        tuple(meta.get("tags") or ()),
        page_size,
        *_driver(text, meta.get("page-driver"), path),
    )


def _driver(text: str, driver: object, path: Path) -> tuple[str | None, str | None, str | None]:
    """The page driver with the query's prologue, its variable, and its text without the ORDER BY; ValueError
    naming the file unless a SELECT of one variable ordered by ``ORDER BY STR(?variable)`` and nothing else."""
    if driver is None:
        return None, None, None
    form = query_form(text)
    full = text[: form[1]] + str(driver) if form else str(driver)
    try:
        result = ox.Store().query(full, prefixes=PREDECLARED_PREFIXES)
    except SyntaxError as err:
        raise ValueError(f"{path}: page-driver is not SPARQL: {err}") from None
    if not isinstance(result, ox.QuerySolutions) or len(result.variables) != 1:
        raise ValueError(f"{path}: page-driver must be a SELECT of one variable")
    variable = result.variables[0].value
    keys, order = split_order(full)
    if order != ["ORDER", "BY", "STR", "(", f"?{variable}", ")"]:
        raise ValueError(
            f"{path}: page-driver must end with ORDER BY STR(?{variable}), the order kg.paging sorts its values in"
        )
    return full, variable, keys


def load(queries_dir: Path) -> dict[str, CannedQuery]:
    """Every canned query of ``queries_dir`` (not the QC queries), by name."""
    return {path.stem: read(path) for path in sorted(queries_dir.glob("*.rq"))}
