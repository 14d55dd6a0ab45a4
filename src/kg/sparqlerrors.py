"""SPARQL syntax errors in plain words: one line naming the position and what was wrong or expected.

pyoxigraph reports ``error at 1:31: expected one of Prefix not found, ['%'], …`` (the character classes its
grammar tried); rdflib a pyparsing ``ParseException``. :func:`plain` turns either into one line, checking the
text for the usual culprits first: an undeclared prefix (with its namespace IRI when it is a well-known one),
an unbalanced bracket, a word that is no SPARQL keyword, a query that stops too early.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pyparsing import ParseException
from rdflib.plugins.sparql import parser as sparql_parser

from .namespaces import PREDECLARED_PREFIXES, VCARD
from .sparqltext import SKIP, undeclared_prefixes

WELL_KNOWN_PREFIXES: dict[str, str] = {
    **PREDECLARED_PREFIXES,
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "wikibase": "http://wikiba.se/ontology#",
    "bd": "http://www.bigdata.com/rdf#",
    "dbo": "http://dbpedia.org/ontology/",
    "dbr": "http://dbpedia.org/resource/",
    "vcard": VCARD,
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "locn": "http://www.w3.org/ns/locn#",
    "dwciri": "http://rs.tdwg.org/dwc/iri/",
}
"""Namespaces suggested for an undeclared prefix: the predeclared ones and a few other common ones."""

_KEYWORD_LIST = """
BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY ASC DESC LIMIT
OFFSET VALUES UNDEF GROUP HAVING OPTIONAL GRAPH SERVICE SILENT BIND UNION MINUS FILTER NOT IN EXISTS A
TRUE FALSE LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO INSERT DELETE DATA WITH USING DEFAULT ALL COUNT
SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS
CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER
YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE
IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRIPLE SUBJECT
PREDICATE OBJECT ISTRIPLE LATERAL ADJUST LANGDIR HASLANG HASLANGDIR STRLANGDIR VERSION
"""
KEYWORDS = frozenset(_KEYWORD_LIST.split())
"""Every bare word SPARQL 1.1 (and pyoxigraph's SPARQL 1.2 extensions) knows: keywords and built-in functions."""

_RAW = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_SCAN = re.compile(
    rf"(?P<skip>{SKIP})|(?P<quote>[\"'])|(?P<open>[{{(\[])|(?P<close>[}})\]])"
    r"|(?P<word>(?<![\w\u00B7-\uFFFF:?$@.-])[A-Za-z_][A-Za-z0-9_]*(?![\w\u00B7-\uFFFF:]))"
)
_EXPECTED = re.compile(r'"((?:[^"\\]|\\.)*)"|\[[^\]]*\]|([A-Z][A-Z0-9_]*)')
_UNESCAPE = re.compile(r"\\(.)")
_PAIRS = {"{": "}", "(": ")", "[": "]"}
_SHOWN = 8


@contextmanager
def plain_errors(
    text: str, prefixes: Mapping[str, str] = PREDECLARED_PREFIXES, *, update: bool = False
) -> Iterator[None]:
    """Re-raise a SyntaxError from parsing ``text`` (with ``prefixes`` predeclared) as :func:`plain`'s one line."""
    try:
        yield
    except SyntaxError as err:
        raise plain(text, str(err.msg or err), prefixes=prefixes, update=update) from None


def plain(
    text: str,
    message: str,
    *,
    line: int | None = None,
    column: int | None = None,
    prefixes: Mapping[str, str] = PREDECLARED_PREFIXES,
    update: bool = False,
) -> SyntaxError:
    """A SyntaxError whose message is one line, ``line L, column C: what``, with ``lineno`` and ``offset`` set.

    ``message`` is the parser's; its position (pyoxigraph's ``error at L:C``, else ``line``/``column``) is the
    fallback when the text shows no usual culprit.
    """
    if not text.strip():
        return SyntaxError("the query is empty", (None, 1, 1, None))
    raw = _RAW.fullmatch(message.strip())
    if raw:
        line, column, message = int(raw.group(1)), int(raw.group(2)), raw.group(3)
    found = _culprit(text, prefixes)
    if found is not None:
        what, position = found
        line, column = _line_column(text, position)
    elif line is not None and column is not None and _offset(text, line, column) >= len(text.rstrip()):
        what, position = _at_end(text, _expected(message), update)
        line, column = _line_column(text, position)
    else:
        what = _expected(message)
    where = f"line {line}, column {column}: " if line is not None and column is not None else ""
    return SyntaxError(where + what, (None, line, column, None))


def _culprit(text: str, prefixes: Mapping[str, str]) -> tuple[str, int] | None:
    """What is wrong and where, when the text itself shows it: an undeclared prefix, an unbalanced bracket,
    or a word that is no keyword."""
    for name, position in undeclared_prefixes(text).items():
        if name not in prefixes:
            iri = WELL_KNOWN_PREFIXES.get(name)
            return f"unknown prefix {name}: — declare it with PREFIX {name}: <{iri or 'its namespace IRI'}>", position
    stack: list[tuple[str, int]] = []
    unknown: tuple[str, int] | None = None
    for match in _SCAN.finditer(text):
        kind, token, position = match.lastgroup, match.group(match.lastgroup or 0), match.start()
        if kind == "quote":
            return f"the string opened here is never closed (a {token} is missing)", position
        if kind == "open":
            stack.append((token, position))
        elif kind == "close":
            if not stack:
                return f"'{token}' closes nothing: there is no open '{_opener(token)}'", position
            opened, at = stack.pop()
            if _PAIRS[opened] != token:
                line, column = _line_column(text, at)
                return (
                    f"'{token}' where '{_PAIRS[opened]}' should close the '{opened}' at line {line}, column {column}",
                    position,
                )
        elif kind == "word" and unknown is None and token.upper() not in KEYWORDS:
            unknown = token, position
    if stack:
        opened, at = stack[-1]
        return f"the '{opened}' here is never closed (a '{_PAIRS[opened]}' is missing)", at
    if unknown is not None:
        return f"'{unknown[0]}' is not a SPARQL keyword (a name needs a prefix, e.g. mea:{unknown[0]})", unknown[1]
    return None


def _at_end(text: str, expected: str, update: bool) -> tuple[str, int]:
    """What went wrong when the parser stopped at the end: the query stops after a keyword that needs more, or
    (rdflib's grammar tells where) a clause cannot be read."""
    last = _SCAN.findall(text.rstrip()[-40:])
    word = last[-1][-1] if last else ""
    if word and word.upper() in KEYWORDS - {"A", "TRUE", "FALSE"} and text.rstrip().endswith(word):
        return f"the query ends right after {word}: something must follow it", len(text.rstrip())
    try:
        (sparql_parser.parseUpdate if update else sparql_parser.parseQuery)(text)
    except ParseException as err:
        if err.loc < len(text.rstrip()):
            snippet = " ".join(text[err.loc : err.loc + 30].split())
            return f"cannot read the clause that starts here: {snippet}", err.loc
    except Exception:
        pass
    return f"the query ends too early: {expected}", len(text.rstrip())


def _expected(message: str) -> str:
    """The parser's list of what it expected, without character classes; its own words when there is no list."""
    if not message.startswith("expected"):
        return " ".join(message.split())
    items = []
    for match in _EXPECTED.finditer(message.removeprefix("expected").removeprefix(" one of")):
        item = "'" + _UNESCAPE.sub(r"\1", match.group(1)) + "'" if match.group(1) is not None else match.group(2)
        if item and item not in items:
            items.append(item)
    if not items:
        return "unexpected character"
    shown = ", ".join(items[:_SHOWN]) + (", …" if len(items) > _SHOWN else "")
    return f"expected {shown}" if len(items) == 1 else f"expected one of {shown}"


def _opener(closer: str) -> str:
    return next(o for o, c in _PAIRS.items() if c == closer)


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``position``."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    """The position of 1-based ``line`` and ``column``."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return start + column - 1
