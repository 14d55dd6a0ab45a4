"""Hostile queries refused up front: how deep a query nests and how many patterns it has, read off its text.

pyoxigraph parses and plans a query recursively: a few thousand nested brackets, or a group of some
ten thousand triple patterns, overflow the stack of the worker evaluating it, which dies (see
``QueryTooComplex``'s limits in the docs for the measured depths). :func:`check` is a linear scan of the
text (strings, IRIs and comments skipped, nothing recursive), run before a query or update is parsed or
sent anywhere.
"""

from __future__ import annotations

import re

from .errors import KgError
from .sparqltext import SKIP

_SCAN = re.compile(
    rf"(?P<skip>{SKIP})|(?P<number>\d*\.\d+(?:[eE][+-]?\d+)?)|(?P<open>[{{(\[])|(?P<close>[}})\]])"
    r"|(?P<separator>[.;,])|(?P<union>(?<![\w:?$])UNION(?![\w:]))|(?P<data>(?<![\w:?$])DATA(?![\w:]))",
    re.IGNORECASE,
)


class QueryTooComplex(KgError):
    """The query nests deeper, or has more patterns, than the service evaluates."""

    def __init__(self, what: str, found: int, limit: int, setting: str):
        self.found, self.limit, self.setting = found, limit, setting
        super().__init__(f"the query {what.format(f'{found:,}')}, over the limit of {limit:,} ({setting})")


def measure(text: str) -> tuple[int, int]:
    """(deepest nesting of ``{}``, ``()`` and ``[]``; patterns) of a query or update.

    Patterns are counted by what ends one inside a group or a ``[ … ]`` blank node: each ``.``, ``;`` and
    ``,`` separator and each closing brace (so a pattern without a trailing dot counts too), and each UNION;
    the data of ``INSERT DATA`` / ``DELETE DATA`` is not counted (it is stored, not evaluated).
    """
    depth = deepest = patterns = 0
    stack: list[str] = []
    data_at: int | None = None  # the depth of the open DATA block, if any
    data_next = False
    for match in _SCAN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            token = match.group(kind)
            if data_next and token == "{":
                data_at, data_next = depth, False
            stack.append(token)
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
            opened = stack.pop() if stack else ""
            if data_at is None and opened == "{":
                patterns += 1
            if data_at == depth:
                data_at = None
        elif data_at is not None:
            continue
        elif (kind == "separator" and stack and stack[-1] in "{[") or kind == "union":
            patterns += 1
        elif kind == "data":
            data_next = True
    return deepest, patterns


def check(text: str, *, max_depth: int, max_patterns: int) -> None:
    """Raise QueryTooComplex when ``text`` nests deeper than ``max_depth`` or has more than ``max_patterns``."""
    depth, patterns = measure(text)
    if depth > max_depth:
        raise QueryTooComplex("nests brackets {} deep", depth, max_depth, "query_max_depth")
    if patterns > max_patterns:
        raise QueryTooComplex("has {} patterns", patterns, max_patterns, "query_max_patterns")
