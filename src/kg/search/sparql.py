"""Search inside SPARQL: a ``SERVICE <https://w3id.org/mea-kg/search> { … }`` block, answered by the service
itself before the query reaches the store (rewritten into a ``VALUES`` block of hits), the way Fuseki users
write ``text:query`` and Wikidata users ``SERVICE wikibase:mwapi``. It never opens a network connection, so it
works on the embedded store and on a remote one alike, and composes with any other pattern::

    SELECT ?activity ?code ?score WHERE {
      SERVICE <https://w3id.org/mea-kg/search> {
        ?activity mea:query "border fences" ; mea:score ?score ; mea:type "activity" ; mea:limit 20 .
      }
      ?activity mea:code ?code .
    } ORDER BY DESC(?score)

``mea:query`` (a string, or a variable bound by a canned query's parameter) is required; ``mea:score``,
``mea:rank`` and ``mea:snippet`` name variables to bind; ``mea:type`` (a kind, repeatable), ``mea:limit``
(1–100, default 10) and ``mea:lang`` (of the snippet) narrow the search.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

import pyoxigraph as ox

from ..namespaces import MEA, SEARCH_SERVICE, XSD
from ..sparqltext import SKIP
from .documents import KINDS
from .index import SearchIndex

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
_OPENING = re.compile(rf"SERVICE\s+(?:SILENT\s+)?<{re.escape(SEARCH_SERVICE)}>\s*\{{", re.IGNORECASE)
_SKIPPED = re.compile(SKIP)
_TERM = re.compile(
    rf'(?P<var>[?$][\w]+)|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')(?:@[\w-]+|\^\^\S+)?|(?P<number>\d+)'
    rf"|(?P<name>mea:\w+|<{re.escape(MEA)}\w+>)|(?P<sep>[;.,])|(?P<space>\s+)|(?P<other>\S)"
)
_DOUBLE = XSD.node("double")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def uses_search(text: str) -> bool:
    return SEARCH_SERVICE in text


def rewrite(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal], index: Callable[[], SearchIndex]) -> str:
    """``text`` with each search block replaced by the VALUES block of its hits. ``bindings`` are the query's
    parameters (a canned query's ``mea:query ?q``); ``index`` gives the search index (called only when needed).
    Raises SyntaxError for a block this pattern does not accept."""
    while (block := _next_block(text)) is not None:
        start, body_start, end = block
        request = _read(text[body_start:end], bindings)
        hits = index().search(request["query"], kinds=request["types"], limit=request["limit"], lang=request["lang"])
        text = text[:start] + _values(request, hits.hits) + text[end + 1 :]
    return text


def _next_block(text: str) -> tuple[int, int, int] | None:
    """(start of SERVICE, start of its group's body, position of its closing brace), outside strings/comments."""
    blanked = _SKIPPED.sub(lambda m: " " * len(m.group()), text)  # strings, IRIs, comments
    for match in _OPENING.finditer(text):
        if blanked[match.start() : match.start() + 7].upper() != "SERVICE":
            continue  # inside a string or a comment
        depth = 1
        for position in range(match.end(), len(blanked)):
            depth += {"{": 1, "}": -1}.get(blanked[position], 0)
            if depth == 0:
                return match.start(), match.end(), position
        raise SyntaxError(f"the search block at character {match.start()} is never closed (a '}}' is missing)")
    return None


def _read(body: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> dict:
    """The subject variable and the options of one search block's triple patterns."""
    tokens = [(m.lastgroup, m.group()) for m in _TERM.finditer(body) if m.lastgroup != "space"]
    if not tokens or tokens[0][0] != "var":
        raise SyntaxError('a search block starts with the variable of the hits: ?hit mea:query "…"')
    request: dict = {"hit": tokens[0][1][1:], "types": (), "limit": DEFAULT_LIMIT, "lang": "en", "bind": {}}
    position = 1
    while position < len(tokens):
        kind, name = tokens[position]
        if kind == "sep":
            position += 1
            continue
        if kind != "name" or position + 1 >= len(tokens):
            raise SyntaxError(f"unexpected {name!r} in the search block: it takes mea:query, mea:score, mea:rank, "
                              "mea:snippet, mea:type, mea:limit and mea:lang")  # fmt: skip
        option = name.removeprefix("mea:").removeprefix(f"<{MEA}").removesuffix(">")
        _option(request, option, tokens[position + 1], bindings)
        position += 2
    if "query" not in request:
        raise SyntaxError("a search block needs mea:query with the words to search for")
    return request


def _option(request: dict, option: str, value: tuple[str | None, str], bindings: Mapping) -> None:
    kind, text = value
    if option in ("score", "rank", "snippet"):
        if kind != "var":
            raise SyntaxError(f"mea:{option} names a variable to bind (mea:{option} ?{option})")
        request["bind"][option] = text[1:]
    elif option == "query":
        words = _literal(text) if kind == "string" else _bound(text, bindings) if kind == "var" else None
        if not words or not words.strip():
            raise SyntaxError("mea:query takes the words to search for: a non-empty string (or a bound parameter)")
        request["query"] = " ".join(words.split())[:500]
    elif option == "type":
        kinds = _literal(text) if kind == "string" else None
        if kinds not in KINDS:
            raise SyntaxError(f"mea:type takes one of {', '.join(repr(k) for k in KINDS)}")
        request["types"] = (*request["types"], kinds)
    elif option == "limit":
        if kind != "number" or not 1 <= int(text) <= MAX_LIMIT:
            raise SyntaxError(f"mea:limit takes a number from 1 to {MAX_LIMIT}")
        request["limit"] = int(text)
    elif option == "lang":
        request["lang"] = (_literal(text) if kind == "string" else None) or "en"
    else:
        raise SyntaxError(f"the search block has no option mea:{option}")


def _literal(token: str) -> str:
    """The lexical form of a SPARQL string token (its language tag or datatype dropped)."""
    quote = token[:3] if token[:3] in ('"""', "'''") else token[0]
    inner = token[len(quote) : token.rindex(quote)]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), inner)


def _bound(variable: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
    value = bindings.get(variable[1:])
    return value.value if isinstance(value, ox.Literal) else None


def _values(request: dict, hits: list) -> str:
    """The VALUES block that stands for one search block's answer."""
    names = [request["hit"], *request["bind"].values()]
    rows = []
    for rank, hit in enumerate(hits, start=1):
        cells = [f"<{hit.document.iri}>"]
        for option in request["bind"]:
            if option == "score":
                cells.append(str(ox.Literal(repr(hit.score), datatype=_DOUBLE)))
            elif option == "rank":
                cells.append(str(rank))
            else:
                cells.append(str(ox.Literal(html.unescape(re.sub(r"</?mark>", "", hit.snippet)))))
        rows.append("(" + " ".join(cells) + ")")
    variables = " ".join(f"?{n}" for n in names)
    return f"VALUES ({variables}) {{ {' '.join(rows)} }}"
