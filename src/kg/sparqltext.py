"""Small edits of SPARQL text that keep its meaning: protocol datasets for updates, bindings for a remote store.

Both work on the tokens of the text (strings, IRIs and comments skipped, braces counted), never on
raw substrings, and splice in only IRIs and RDF terms that pyoxigraph has validated and written
in their N-Triples form — never a caller's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import DatasetConflict

Term = ox.NamedNode | ox.BlankNode | ox.Literal

SKIP = (
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>'
)
"""What never counts as SPARQL syntax: a comment, a string, an IRI."""

TOKEN = re.compile(
    rf"(?P<skip>{SKIP})"
    r"|(?P<brace>[{}])|(?P<paren>[()])|(?P<star>\*)|(?P<var>[?$][\w\u00B7-\uFFFF]+)"
    r"|(?P<word>(?<![\w:?$])[A-Za-z]+(?![\w:]))",
)
"""One token of SPARQL text: something to skip (comment, string, IRI), a brace, a parenthesis, ``*``,
a variable, or a bare keyword."""


def _tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(token, kind, position, brace depth) of every token but skipped ones; keywords upper-cased.

    A closing brace carries the depth it returns to, so an opening and its closing brace share a depth.
    """
    depth = 0
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None or kind == "skip":
            continue
        token = match.group(kind)
        if token == "}":
            depth -= 1
        yield (token.upper() if kind == "word" else token), kind, match.start(), depth
        if token == "{":
            depth += 1


def _top_level(text: str) -> Iterator[tuple[str, int, int]]:
    """(token, position, depth) of every brace and of every keyword outside braces, in order."""
    for token, kind, position, depth in _tokens(text):
        if kind == "brace" or (kind == "word" and depth == 0):
            yield token, position, depth


def with_using(text: str, using: list[str], using_named: list[str]) -> str:
    """Add USING / USING NAMED clauses for the protocol's dataset to every INSERT/DELETE … WHERE.

    Raises DatasetConflict when the update already names its dataset (USING or WITH).
    """
    for graph in [*using, *using_named]:
        ox.NamedNode(graph)  # ValueError unless a valid IRI: nothing else is ever spliced into the text
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    previous, inserts = "", []
    for token, position, depth in _top_level(text):
        if token == "{" and depth == 0:
            previous = "{"
        elif token in ("USING", "WITH"):
            raise DatasetConflict(
                "the update names its dataset with USING/WITH and the request with "
                "using-graph-uri/using-named-graph-uri; use one or the other"
            )
        elif token == "WHERE" and previous != "DELETE":
            inserts.append(position)
        if token not in ("{", "}"):
            previous = token
    for position in reversed(inserts):
        text = text[:position] + clause + text[position:]
    return text


def names_dataset(text: str) -> bool:
    """True when a query names its own dataset (FROM / FROM NAMED before its WHERE clause)."""
    for token, _, depth in _top_level(text):
        if token == "FROM":
            return True
        if token == "{" and depth == 0:
            return False
    return False


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with ``bindings`` as one-row VALUES blocks: how a remote store sees the parameters the
    embedded store receives as substitutions (SEP-0007: a parameter stands for its value throughout the
    query, in nested groups' FILTERs and in subqueries that project it too).

    A block binding every parameter opens the query's WHERE group; a subquery that projects parameters
    of its enclosing query gets a block of those; and every other group that mentions a parameter in
    scope gets a block of the ones it mentions (a FILTER sees only its own group's variables) — except a
    group that assigns the parameter itself with ``BIND(… AS ?p)``: its value is joined with the
    parameter's outside (a trailing VALUES clause, for the WHERE group). Each block joins a variable with
    the one value it has everywhere, so the answers are the substitution's. A CONSTRUCT WHERE short form
    or a DESCRIBE without WHERE gets a trailing VALUES clause instead.
    """
    if not bindings:
        return text
    names = list(bindings)
    for name in names:
        ox.Variable(name)  # ValueError unless a valid variable name
    found = _value_sites(text, names)
    if found is None:
        return f"{text}\n{_values_block(bindings, names)}\n"
    sites, trailing = found
    for position, bound in reversed(sites):
        text = f"{text[: position + 1]} {_values_block(bindings, bound)} {text[position + 1 :]}"
    return f"{text}\n{_values_block(bindings, trailing)}\n" if trailing else text


def with_rows(text: str, variable: str, values: Sequence[Term], bindings: Mapping[str, Term] | None = None) -> str:
    """The query with a VALUES block of ``variable``'s ``values`` opening its WHERE group (the rows of those only).

    With ``bindings`` (the parameters :func:`with_values` will bind), the block also binds, in every row, the
    parameters that :func:`with_values` binds where the WHERE group opens: one block that joins the values with
    the parameters. Apart, the one-row block of parameters is the smallest part of the pattern: pyoxigraph's
    optimizer starts from it and joins the values only after the parameters' whole pattern (0.7 s against
    0.1 s for the design card's first page at 1M triples); together, the values' patterns come first.
    """
    ox.Variable(variable)  # ValueError unless a valid variable name
    bindings = bindings or {}
    for token, position, depth in _top_level(text):
        if token == "{" and depth == 0:
            names = [n for n in _opening_parameters(text, position, bindings) if n != variable]
            rows = " ".join(
                f"({' '.join(_term(t) for t in [value, *(bindings[n] for n in names)])})" for value in values
            )
            block = f"VALUES ({' '.join('?' + n for n in [variable, *names])}) {{ {rows} }}"
            return f"{text[: position + 1]} {block} {text[position + 1 :]}"
    raise ValueError("the query has no WHERE group")


def _opening_parameters(text: str, where: int, bindings: Mapping[str, Term]) -> list[str]:
    """The parameters :func:`with_values` binds in the block opening the WHERE group at ``where``."""
    found = _value_sites(text, list(bindings)) if bindings else None
    return next((names for position, names in found[0] if position == where), []) if found else []


def _values_block(bindings: Mapping[str, Term], names: list[str]) -> str:
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(_term(bindings[n]) for n in names)}) }}"


@dataclass
class _Form:
    """A query form (the query, or a subquery) read up to its WHERE group."""

    keyword: str
    depth: int
    inherited: set[str]
    top: bool
    template: bool
    projected: set[str] = field(default_factory=set)
    assigned: set[str] = field(default_factory=set)
    star: bool = False
    parens: int = 0
    after_as: bool = False

    def bound(self) -> set[str]:
        """The parameters its WHERE group binds: all it inherits, or for a subquery those it projects."""
        visible = self.top or self.keyword != "SELECT" or self.star
        return (self.inherited if visible else self.inherited & self.projected) - self.assigned


@dataclass
class _Group:
    position: int
    scope: set[str]  # the parameters in scope (those of the innermost enclosing query)
    where: bool  # a query's WHERE group (binds its whole scope)
    open: bool = True  # may take a VALUES block (not a VALUES data block, a template or a { SELECT … } wrapper)
    mentioned: set[str] = field(default_factory=set)
    assigned: set[str] = field(default_factory=set)  # BIND(… AS ?v) in this group: a VALUES block would clash


def _value_sites(text: str, names: list[str]) -> tuple[list[tuple[int, list[str]]], list[str]] | None:
    """(position of a group's ``{``, the parameters to bind there) in text order, and the parameters the
    query's WHERE group assigns itself (bound by a trailing VALUES clause, joined after it); None when the
    query's own WHERE group cannot take a VALUES block."""
    groups: list[_Group] = []
    stack: list[_Group] = []
    form: _Form | None = None
    values_data, first_in_group, after_as = False, False, False
    for token, kind, position, depth in _tokens(text):
        starts_group, first_in_group = first_in_group, False
        after_as, was_after_as = kind == "word" and token == "AS", after_as
        if kind == "brace" and token == "}":
            if stack:
                stack.pop()
            continue
        if form is not None:  # reading a query form's clauses, up to its WHERE group
            if kind == "brace" and depth == form.depth and form.template:
                form.template = False  # CONSTRUCT's template: the WHERE group is the next one
                stack.append(_Group(position, set(), False, open=False))
                continue
            if kind == "brace" and depth == form.depth:
                group = _Group(position, form.bound(), True)
                groups.append(group)
                stack.append(group)
                form, first_in_group = None, True
                continue
            _read_projection(form, token, kind, depth)
            if form.keyword == "CONSTRUCT" and form.template and token == "WHERE" and depth == form.depth:
                return None  # CONSTRUCT WHERE { … }: the short form
            continue
        if kind == "word" and token in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT") and (stack or not groups):
            if stack and starts_group:
                stack[-1].open = False  # { SELECT … }: no VALUES before the SELECT
            inherited = _scope(stack) if stack else set(names)
            form = _Form(token, depth, inherited, top=not stack, template=token == "CONSTRUCT")
        elif kind == "word" and token == "VALUES":
            values_data = True
        elif kind == "brace":
            group = _Group(position, _scope(stack), False, open=not values_data)
            values_data, first_in_group = False, True
            groups.append(group)
            stack.append(group)
        elif kind == "var" and stack:
            (stack[-1].assigned if was_after_as else stack[-1].mentioned).add(token[1:])
    if not groups or not groups[0].where:
        return None
    sites = []
    for group in groups:
        bound = (group.scope if group.where else group.scope & group.mentioned) - group.assigned
        if group.open and bound:
            sites.append((group.position, [n for n in names if n in bound]))
    return sites, sorted(groups[0].assigned & set(names), key=names.index)


def _scope(stack: list[_Group]) -> set[str]:
    return stack[-1].scope if stack else set()


def _read_projection(form: _Form, token: str, kind: str, depth: int) -> None:
    """Note what a SELECT clause projects: plain variables, ``*``, and ``(expression AS ?v)``."""
    if kind == "paren":
        form.parens += 1 if token == "(" else -1
    elif kind == "star" and form.parens == 0:
        form.star = True
    elif kind == "word" and token == "AS":
        form.after_as = True
    elif kind == "var":
        if form.after_as:
            form.assigned.add(token[1:])  # bound by the query itself
        elif form.parens == 0:
            form.projected.add(token[1:])
        form.after_as = False


def _term(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be bound in a query sent to a remote store")
    return str(term)


def query_form(text: str) -> tuple[str, int] | None:
    """The query form keyword (SELECT, CONSTRUCT, DESCRIBE or ASK) and its position; None if there is none."""
    for token, position, _ in _top_level(text):
        if token in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT"):
            return token, position
    return None


def split_order(text: str) -> tuple[str, list[str]]:
    """The query up to its top-level ORDER BY, and that clause's tokens to the end (keywords upper-cased,
    comments dropped); the whole text and ``[]`` when it has none."""
    tokens = list(_tokens(text))
    for index, (token, kind, position, depth) in enumerate(tokens):
        if kind == "word" and depth == 0 and token == "ORDER":
            return text[:position], [t for t, *_ in tokens[index:]]
    return text, []


def paged(text: str, *, limit: int, offset: int) -> str:
    """The query with ``LIMIT limit OFFSET offset`` after its solution modifiers; ValueError when it has its own."""
    if any(token in ("LIMIT", "OFFSET") for token, _, depth in _top_level(text) if depth == 0):
        raise ValueError("this query sets its own LIMIT/OFFSET and cannot be paged")
    return f"{text}\nLIMIT {int(limit)} OFFSET {int(offset)}\n"


_PREFIXES = re.compile(
    rf"(?P<skip>{SKIP})|(?P<declare>(?<![\w:?$])PREFIX(?![\w:]))"
    r"|(?P<prefix>(?<![\w\u00B7-\uFFFF.:?$@-])(?:[A-Za-z\u00C0-\uFFFF](?:[\w\u00B7-\uFFFF.-]*[\w\u00B7-\uFFFF-])?)?:)",
    re.IGNORECASE,
)


def undeclared_prefixes(text: str) -> dict[str, int]:
    """The prefixes ``text`` uses in prefixed names without declaring them, each with the position of its first use."""
    declared: set[str] = set()
    used: dict[str, int] = {}
    declaring = False
    for match in _PREFIXES.finditer(text):
        kind = match.lastgroup
        if kind == "declare":
            declaring = True
        elif kind == "prefix":
            name = match.group(kind)[:-1]
            if declaring:
                declared.add(name)
            else:
                used.setdefault(name, match.start())
            declaring = False
    return {name: position for name, position in used.items() if name not in declared}


def with_prefixes(text: str, prefixes: Mapping[str, str]) -> str:
    """The query with ``PREFIX`` lines for the ``prefixes`` it uses without declaring them (for a store that does
    not predeclare them); its own declarations win."""
    needed = [name for name in undeclared_prefixes(text) if name in prefixes]
    return "".join(f"PREFIX {name}: <{prefixes[name]}>\n" for name in needed) + text
