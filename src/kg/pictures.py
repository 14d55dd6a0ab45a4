"""Small server-rendered SVG pictures for resource pages: a resource's neighbourhood as a radial graph, and
listings as a timeline. Pure functions from page cells to SVG markup (text escaped), no JavaScript.

Each picture comes with a caption saying what it shows, in the page's language; the SVG is labelled by it
(``aria-labelledby``). The neighbourhood holds links, so it is a ``role="group"``, never an image; the timeline
holds none and is a ``role="img"`` whose ``<desc>`` lists every bar (docs/accessibility.md).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from markupsafe import escape

PALETTE = ("#2b6a8e", "#b5582a", "#3f7d3a", "#7b4f9d", "#a0832a")
CONVENTION_COLOURS = {"CITES": "#b5582a", "CMS": "#2b6a8e"}
MAX_NODES = 48
WORDS = {
    "en": {
        "links": "{center} and what it links to: {groups}. Each point is a link to its page; the tables below list "
        "the same links.",
        "more": "+{n} more in the tables below",
        "listings": "Listings over time: {n} listing(s), each a bar from its date to its end or, with an arrow, to "
        "today ({today}).",
        "in force": "in force",
        "from": "from",
        "to": "to",
    },
    "fr": {
        "links": "{center} et ce à quoi il renvoie : {groups}. Chaque point mène à sa page ; les tableaux "
        "ci-dessous donnent les mêmes liens.",
        "more": "+{n} de plus dans les tableaux ci-dessous",
        "listings": "Inscriptions dans le temps : {n} inscription(s), chacune une barre de sa date à sa fin ou, "
        "avec une flèche, à aujourd'hui ({today}).",
        "in force": "en vigueur",
        "from": "du",
        "to": "au",
    },
}


@dataclass(frozen=True)
class Picture:
    """An SVG drawing and the caption that says what it shows (the SVG's ``aria-labelledby`` names
    ``caption_id``): the page shows them as a ``<figure>`` and its ``<figcaption>``."""

    svg: str
    caption: str
    caption_id: str


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(text: str, width: int = 26) -> list[str]:
    """A label on at most two lines of about ``width`` characters (the second shortened if need be)."""
    if len(text) <= width:
        return [text]
    cut = text.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else width
    return [text[:cut], _short(text[cut:].strip(), width)]


def _label(x: float, y: float, anchor: str, text: str, above: bool) -> str:
    lines = _lines(text)
    first_y = y - 14 * (len(lines) - 1) if above else y
    spans = "".join(
        f'<tspan x="{x:.0f}" y="{first_y + 14 * i:.0f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="12">{spans}</text>'


def neighbourhood(
    center: str, groups: list[tuple[str, list[dict]]], *, lang: str = "en", caption_id: str = "neighbourhood-caption"
) -> Picture:
    """A radial graph: the resource in the middle, each group's linked resources around it, one colour per
    group (with a legend). ``groups`` is [(title, [cell with text and href])]; at most MAX_NODES are drawn."""
    words = WORDS[lang]
    nodes: list[tuple[dict, str]] = []
    legend: list[tuple[str, str, int]] = []
    seen: set[tuple[str, int]] = set()
    for index, (title, cells) in enumerate(groups):
        colour = PALETTE[index % len(PALETTE)]
        fresh = []
        for c in cells:
            if c.get("href") and (c["href"], index) not in seen:
                seen.add((c["href"], index))
                fresh.append(c)
        legend.append((title, colour, len(fresh)))
        nodes.extend((c, colour) for c in fresh)
    hidden = max(0, len(nodes) - MAX_NODES)
    nodes = nodes[:MAX_NODES]
    width, height = 900, 360 if len(nodes) <= 8 else 520 if len(nodes) <= 20 else 680
    cx, cy, radius = width / 2, height / 2 + 10, min(width, height) / 2 - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="group" class="picture" '
        f'aria-labelledby="{caption_id}">'
    ]
    points = []
    for i, (node, colour) in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * (i + 0.5) / max(
            len(nodes), 1
        )  # half a step: no node level with the centre's label
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        points.append((node, colour, x, y, angle))
        parts.append(
            f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{x:.0f}" y2="{y:.0f}" stroke="{colour}" stroke-opacity=".45"/>'
        )
    for node, colour, x, y, angle in points:
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        dx = 9 if anchor == "start" else -9 if anchor == "end" else 0
        dy = 4 if anchor != "middle" else (16 if math.sin(angle) > 0 else -10)
        parts.append(
            f'<a href="{escape(node["href"])}"><title>{escape(node["text"])}</title>'
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="6" fill="{colour}"/>'
            f"{_label(x + dx, y + dy, anchor, node['text'], math.sin(angle) < 0)}</a>"
        )
    parts.append(
        f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="10" fill="#1d2a33"/>'
        f'<text x="{cx:.0f}" y="{cy + 28:.0f}" text-anchor="middle" font-size="13"'
        f' font-weight="600">{escape(_short(center, 48))}</text>'
    )
    for i, (title, colour, count) in enumerate(legend):
        parts.append(
            f'<circle cx="14" cy="{16 + 18 * i}" r="5" fill="{colour}"/>'
            f'<text x="26" y="{20 + 18 * i}" font-size="12">{escape(title)} ({count})</text>'
        )
    if hidden:
        parts.append(
            f'<text x="{width - 10}" y="{height - 10}" text-anchor="end" font-size="12">'
            f"{escape(words['more'].format(n=hidden))}</text>"
        )
    parts.append("</svg>")
    listed = ", ".join(f"{title} ({count})" for title, _, count in legend)
    return Picture("".join(parts), words["links"].format(center=center, groups=listed), caption_id)


OPEN_START = {"en": "at least from {day}", "fr": "au moins depuis le {day}"}
LEAD_IN = 26  # pixels: the dashed, faded lead-in of a bar whose start is only bounded


def timeline(
    bars: list[dict], *, lang: str = "en", caption_id: str = "timeline-caption", today: dt.date | None = None
) -> Picture | None:
    """Listings as bars on a time axis, one lane per listing (None when no bar has a date). Each bar is a dict
    with ``lane`` (its label), ``convention``, ``start`` (date) and ``end`` (date or None: still in force, drawn to
    today with an arrow). A bar whose start is only a bound (``open_start`` true: in force at least from
    ``start``, maybe earlier) is never drawn with a hard start: a dashed, faded lead-in ends at the bound, and the
    text "at least from …" says so."""
    today = today or dt.date.today()
    words = WORDS[lang]
    dated = sorted((b for b in bars if b.get("start")), key=lambda b: (b["convention"], b["start"], b["lane"]))
    if not dated:
        return None
    # an open start leaves a few years of room before it (its lead-in and its text)
    first = min(b["start"].year - (6 if b.get("open_start") else 0) for b in dated)
    last = today.year + 1
    lane_height, left, right, top = 26, 300, 20, 30
    width, height = 900, top + lane_height * len(dated) + 30
    span = (dt.date(last, 1, 1) - dt.date(first, 1, 1)).days

    def x(day: dt.date) -> float:
        return left + (width - left - right) * (day - dt.date(first, 1, 1)).days / span

    def since(bar: dict) -> str:
        if bar.get("open_start"):
            return OPEN_START.get(lang, OPEN_START["en"]).format(day=bar["start"].isoformat())
        return f"{words['from']} {bar['start']}"

    every_bar = "; ".join(f"{b['lane']}: {since(b)} {words['to']} {b.get('end') or words['in force']}" for b in dated)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="picture"'
        f' aria-labelledby="{caption_id}"><desc>{escape(every_bar)}</desc>'
    ]
    step = 1 if last - first <= 16 else 2 if last - first <= 32 else 5
    for year in range(first, last + 1, step):
        gx = x(dt.date(year, 1, 1))
        parts.append(
            f'<line x1="{gx:.0f}" y1="{top - 8}" x2="{gx:.0f}" y2="{height - 24}" stroke="#dde3e8"/>'
            f'<text x="{gx:.0f}" y="{height - 8}" text-anchor="middle" font-size="11">{year}</text>'
        )
    for i, bar in enumerate(dated):
        y = top + lane_height * i
        end = bar.get("end") or today
        colour = CONVENTION_COLOURS.get(bar["convention"], PALETTE[-1])
        start, open_start = bar["start"], bool(bar.get("open_start"))
        parts.append(
            f'<text x="{left - 8}" y="{y + 13}" text-anchor="end"'
            f' font-size="12">{escape(_short(bar["lane"], 44))}</text>'
        )
        if open_start:  # no hard start: a dashed lead-in fading towards the bound, and the bound in words
            sx = x(start)
            parts.append(
                f'<line class="open-start" x1="{sx - LEAD_IN:.0f}" y1="{y + 9}" x2="{sx:.0f}" y2="{y + 9}"'
                f' stroke="{colour}" stroke-width="14" stroke-dasharray="3,3" stroke-opacity=".4"/>'
                f'<text x="{sx - LEAD_IN - 4:.0f}" y="{y + 13}" text-anchor="end" font-size="10"'
                f' font-style="italic">{escape(since(bar))}</text>'
            )
        parts.append(
            f'<rect x="{x(start):.0f}" y="{y + 2}" width="{max(x(end) - x(start), 2):.0f}"'
            f' height="14" rx="{0 if open_start else 3}" fill="{colour}">'
            f"<title>{escape(bar['lane'])}: {escape(since(bar))} – {bar.get('end') or words['in force']}</title></rect>"
        )
        if bar.get("end") is None:
            parts.append(f'<path d="M{x(end):.0f},{y + 1} l8,8 l-8,8 z" fill="{colour}"/>')
    parts.append(
        f'<line x1="{x(today):.0f}" y1="{top - 10}" x2="{x(today):.0f}" y2="{height - 24}" stroke="#1d2a33"'
        f' stroke-dasharray="3,3"/>'
        f'<text x="{x(today) - 4:.0f}" y="{top - 14}" text-anchor="end" font-size="11">{today.isoformat()}</text></svg>'
    )
    caption = words["listings"].format(n=len(dated), today=today.isoformat())
    return Picture("".join(parts), caption, caption_id)
