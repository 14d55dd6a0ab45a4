"""Hostile queries refused up front: how deep a query nests and how many patterns it has, read off its text.

pyoxigraph parses and plans a query recursively: a few thousand nested brackets, or a group of some
ten thousand triple patterns, overflow the stack of the worker evaluating it, which dies (see
``QueryTooComplex``'s limits in the docs for the measured depths). :func:`check` is a linear scan of the
text (strings, IRIs and comments skipped, nothing recursive), run before a query or update is parsed or
sent anywhere.
"""

from __future__ import annotations

import re

from .errors import QueryTooComplex
from .sparqltext import SKIP

_SKIP = re.compile(SKIP)
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_UNION = re.compile(r"(?<![\w?$:])UNION(?![\w:-])", re.IGNORECASE)
_DATA = re.compile(r"(?<![\w?$:])DATA\s*(?=\{)", re.IGNORECASE)
_SYNTAX = re.compile(r"[{}()\[\].;,]")


class QueryOverLimit(QueryTooComplex):
    """The query nests deeper, or has more patterns, than the service evaluates."""

    def __init__(self, what: str, found: int, limit: int, setting: str):
        self.found, self.limit, self.setting = found, limit, setting
        super().__init__(f"the query {what.format(f'{found:,}')}, over the limit of {limit:,} ({setting})")


def measure(text: str) -> tuple[int, int]:
    """(deepest nesting of ``{}``, ``()`` and ``[]``; patterns) of a query or update.

    Patterns are counted by what ends one inside a group or a ``[ … ]`` blank node: each ``.``, ``;`` and
    ``,`` separator and each closing brace (so a pattern without a trailing dot counts too), and each UNION;
    the data of ``INSERT DATA`` / ``DELETE DATA`` is not counted (it is stored, not evaluated). Strings, IRIs
    and comments are blanked out first (by regular expressions, in C); the loop visits brackets and separators
    only.
    """
    code = _DECIMAL_POINT.sub(" ", _SKIP.sub(" ", text))
    data_blocks = {match.end() for match in _DATA.finditer(code)}  # where the ``{`` of a DATA block is
    depth = deepest = 0
    patterns = len(_UNION.findall(code))
    stack: list[str] = []
    data_at: int | None = None  # the depth of the open DATA block, if any
    for match in _SYNTAX.finditer(code):
        token = match.group()
        if token in "{([":
            if data_at is None and match.start() in data_blocks:
                data_at = depth
            stack.append(token)
            depth += 1
            deepest = max(deepest, depth)
        elif token in "})]":
            depth = max(0, depth - 1)
            opened = stack.pop() if stack else ""
            if data_at is None and opened == "{":
                patterns += 1
            elif data_at == depth:
                data_at = None
        elif data_at is None and stack and stack[-1] in "{[":
            patterns += 1
    return deepest, patterns


def check(text: str, *, max_depth: int, max_patterns: int) -> None:
    """Raise QueryOverLimit when ``text`` nests deeper than ``max_depth`` or has more than ``max_patterns``."""
    depth, patterns = measure(text)
    if depth > max_depth:
        raise QueryOverLimit("nests brackets {} deep", depth, max_depth, "query_max_depth")
    if patterns > max_patterns:
        raise QueryOverLimit("has {} patterns", patterns, max_patterns, "query_max_patterns")
