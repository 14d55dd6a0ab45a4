"""The ``Accept`` and ``Accept-Language`` request headers (RFC 9110 §12.5): parsed once, offers chosen from them.

Both headers are lists of ranges weighted by q-values. ``q=0`` excludes what a range matches; among the ranges
matching an offer the most specific decides its weight (``type/sub;param`` > ``type/sub`` > ``type/*`` >
``*/*``); the best weight wins, ties going to the more specific range, then to the range written first, then
to the offer the server lists first. A header that does not follow the grammar is treated as absent: the
client gets the server's default, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_MEDIA_RANGE = re.compile(rf"({_TOKEN})/({_TOKEN})")
_PARAMETER = re.compile(rf"({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|{_QUOTED})")
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
_LANGUAGE_RANGE = re.compile(r"\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float
    position: int
    specificity: int = field(init=False, compare=False)
    """0 for ``*/*``, 1 for ``type/*``, 2 for ``type/subtype``, 3 with parameters."""

    def __post_init__(self) -> None:
        specificity = 0 if self.type == "*" else 1 if self.subtype == "*" else 3 if self.params else 2
        object.__setattr__(self, "specificity", specificity)

    def matches(self, kind: str, sub: str) -> bool:
        """Whether this range covers the media type ``kind/sub`` (lower case; the range's parameters are not
        compared)."""
        return self.type == "*" or (self.type == kind and self.subtype in ("*", sub))


@dataclass(frozen=True, slots=True)
class LanguageRange:
    """One element of an Accept-Language header."""

    tag: str
    q: float
    position: int


def parse_accept(header: str | None) -> list[MediaRange] | None:
    """The media ranges of an Accept header in the order written, or None when it is absent, empty or malformed."""
    ranges = []
    for position, element in enumerate(_elements(header)):
        media, *params = _fields(element)
        match = _MEDIA_RANGE.fullmatch(media)
        if match is None or (match[1] == "*" and match[2] != "*"):
            return None
        q, others = 1.0, []
        for param in params:
            parsed = _PARAMETER.fullmatch(param)
            if parsed is None:
                return None
            name, value = parsed[1].lower(), parsed[2]
            if name == "q":
                if not _QVALUE.fullmatch(value):
                    return None
                q = float(value)
                break  # what follows q is an accept-extension, not a media-type parameter
            others.append((name, value.strip('"')))
        ranges.append(MediaRange(match[1].lower(), match[2].lower(), tuple(others), q, position))
    return ranges or None


def parse_accept_language(header: str | None) -> list[LanguageRange] | None:
    """The language ranges of an Accept-Language header, or None when it is absent, empty or malformed."""
    ranges = []
    for position, element in enumerate(_elements(header)):
        tag, *params = _fields(element)
        if not _LANGUAGE_RANGE.fullmatch(tag) or len(params) > 1:
            return None
        q = 1.0
        if params:
            parsed = _PARAMETER.fullmatch(params[0])
            if parsed is None or parsed[1].lower() != "q" or not _QVALUE.fullmatch(parsed[2]):
                return None
            q = float(parsed[2])
        ranges.append(LanguageRange(tag.lower(), q, position))
    return ranges or None


def choose(header: str | None, offers: Sequence[str], *, named_only: Collection[str] = ()) -> int | None:
    """The index of the offered media type the Accept header prefers, or None when it excludes them all.

    ``offers`` are in the server's order of preference; with no usable header the first is chosen. An offer
    in ``named_only`` matches only a range that names it, never a wildcard (a browser's ``text/html`` may stand
    for the default answer; ``text/*`` must not)."""
    ranges = parse_accept(header)
    if ranges is None:
        return 0 if offers else None
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        kind, _, sub = offer.lower().partition("/")
        least = 2 if offer in named_only else 0
        decisive = None  # the most specific matching range, the first written among equals
        for candidate in ranges:
            if (
                candidate.specificity >= least
                and candidate.matches(kind, sub)
                and (decisive is None or candidate.specificity > decisive.specificity)
            ):
                decisive = candidate
        if decisive is None:
            continue
        score = (decisive.q, decisive.specificity, -decisive.position, -index)
        if decisive.q > 0 and (best is None or score > best):
            best, chosen = score, index
    return chosen


def choose_language(header: str | None, offers: Sequence[str]) -> str | None:
    """The offered language tag the Accept-Language header prefers, or None when it names none of them.

    A range and an offer match when one is the other or a prefix of it up to a ``-`` (``en`` accepts ``en-GB``;
    ``fr-CH`` asks for ``fr`` when nothing closer does, and its ``q=0`` excludes only ``fr-CH`` itself); ``*``
    names no language, so it alone chooses nothing."""
    ranges = parse_accept_language(header)
    if ranges is None:
        return None
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        tag = offer.lower()
        candidates = [(_closeness(r.tag, tag), r) for r in ranges if r.tag != "*"]
        candidates = [(closeness, r) for closeness, r in candidates if closeness > 0 or (closeness < 0 and r.q > 0)]
        if not candidates:
            continue
        _, decisive = max(candidates, key=lambda c: (c[0], -c[1].position))
        score = (decisive.q, -decisive.position, -index)
        if decisive.q > 0 and (best is None or score > best):
            best, chosen = score, offer
    return chosen


def _closeness(range_tag: str, tag: str) -> int:
    """How closely a language range fits a tag: the range itself or a prefix of it (the longer, the closer, > 0);
    a longer range that asks for it by truncation, as ``fr-CH`` asks for ``fr`` (< 0); 0 for no match."""
    if range_tag == tag or tag.startswith(range_tag + "-"):
        return len(range_tag) + 1
    return -1 if range_tag.startswith(tag + "-") else 0


def _elements(header: str | None) -> list[str]:
    """The non-empty elements of a comma-separated header (RFC 9110 §5.6.1 allows empty ones)."""
    return [element for element in _split(header or "", ",") if element]


def _fields(element: str) -> list[str]:
    """An element's semicolon-separated fields."""
    return _split(element, ";")


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside quoted strings, each part stripped."""
    if '"' not in text:
        return [part.strip() for part in text.split(separator)]
    parts, start, quoted, escaped = [], 0, False, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts
