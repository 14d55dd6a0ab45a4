"""Maps for the web pages, server-rendered as SVG: no JavaScript, no tiles, nothing fetched.

What a map shows comes from the graph, one SPARQL file per kind of page beside this module (``home.rq``,
``country.rq``, ``place.rq``, ``taxon.rq``, ``activity.rq``; each sees the page's resource as ``?r`` and its
language as ``?lang``): the countries with their GeoSPARQL shapes (``geo:asWKT``, from Natural Earth), the
landscapes and sites with their approximate extents, and counts of activities. The other countries of the
world are drawn from the release's background document (kg.geometry) for context.

The projection is Albers equal-area conic (areas compare fairly on a choropleth), its standard parallels
and central meridian fitted to each map's frame; near the equator, equirectangular. A map is a ``<figure>``:
the SVG (``role="img"``, named by its ``<title>`` and described by its ``<desc>``, which lists what it
shows; no links inside), then a caption with the legend and the map's data as a table with links.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from markupsafe import Markup, escape
from shapely import ops

from .. import geometry as geo
from ..namespaces import MEA
from ..pages import local_href

MAPS_DIR = Path(__file__).parent
KINDS = ("home", "country", "place", "taxon", "activity")
QUERIES = {kind: (MAPS_DIR / f"{kind}.rq").read_text(encoding="utf-8") for kind in KINDS}
Frame = tuple[float, float, float, float]  # west, south, east, north (degrees)
CENTRAL_ASIA: Frame = (44.0, 22.0, 123.0, 56.0)  # the programmes' region: lon/lat frame of the entry page's map
WIDTH = 820
PIXEL = 1.0  # the SVG's user unit
MAX_HEIGHT = 560

SEA = "#d4e4ee"
LAND = "#e9e9e6"  # countries the map only shows for context
LAND_STROKE = "#8d959c"
GRAPH_STROKE = "#3b3b3b"  # ≥ 3:1 against every fill below, so each country's outline stands out
CLASSES = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")  # ColorBrewer YlOrBr: 0, then four classes
FOCUS = "#d95f0e"
NEIGHBOUR = "#fed98e"
CONTEXT = "#fbf5dc"
MARK = "#1d2a33"
INK = "#1d2a33"

WORDS = {
    "en": {
        "activities": "activities",
        "activity": "activity",
        "none": "no activity",
        "range": "range state",
        "landscapes": "Landscapes and sites (approximate positions)",
        "approx": "Positions are approximate: a point or a box a public source gives (see each place's page).",
        "table": "The map's data",
        "country": "Country",
        "place": "Place",
        "count": "Activities",
        "source": "Country shapes: Natural Earth (public domain), via world-atlas; borders as Natural Earth "
        "draws them.",
        "other": "other countries",
        "neighbour": "neighbouring country",
        "graph": "other countries the documents name",
        "map": "Map",
    },
    "fr": {
        "activities": "activités",
        "activity": "activité",
        "none": "aucune activité",
        "range": "État de l’aire de répartition",
        "landscapes": "Paysages et sites (positions approximatives)",
        "approx": "Positions approximatives : un point ou un rectangle donné par une source publique (voir la "
        "page de chaque lieu).",
        "table": "Les données de la carte",
        "country": "Pays",
        "place": "Lieu",
        "count": "Activités",
        "source": "Contours des pays : Natural Earth (domaine public), via world-atlas ; frontières telles que "
        "Natural Earth les trace.",
        "other": "autres pays",
        "neighbour": "pays voisin",
        "graph": "autres pays que nomment les documents",
        "map": "Carte",
    },
}


# -- what the graph says ---------------------------------------------------------------------------------


@dataclass
class Feature:
    """A row of a map query: a country or a place with its role on the map."""

    iri: str
    role: str  # focus | country | range | landscape | site
    label: str
    code: str = ""
    numeric: str = ""  # ISO 3166-1 numeric: the id of its shape in the maps' background
    wkt: str = ""
    approximate: bool = False
    count: int | None = None
    shape: shapely.Geometry | None = field(default=None, repr=False)

    @property
    def is_country(self) -> bool:
        return bool(self.code)


def kind_for(types: Iterable[str]) -> str | None:
    """Which map a resource's page shows, from its types (inferred ones included)."""
    found = set(types)
    if MEA + "Country" in found:
        return "country"
    if MEA + "Landscape" in found or MEA + "Site" in found:
        return "place"
    if MEA + "Taxon" in found:
        return "taxon"
    if MEA + "Activity" in found:
        return "activity"
    return None


def features(body: bytes) -> list[Feature]:
    """A map query's SPARQL JSON answer as features (one per IRI and role)."""
    found: dict[tuple[str, str], Feature] = {}
    for row in json.loads(body)["results"]["bindings"]:
        iri, role = row["feature"]["value"], row["role"]["value"]
        if (iri, role) in found:
            continue
        found[(iri, role)] = Feature(
            iri,
            role,
            row.get("label", {}).get("value") or iri.rsplit("/", 1)[-1],
            row.get("code", {}).get("value", ""),
            row.get("numeric", {}).get("value", ""),
            row.get("wkt", {}).get("value", ""),
            row.get("approximate", {}).get("value") == "true",
            int(row["count"]["value"]) if "count" in row else None,
        )
    return list(found.values())


# -- the background ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Background:
    ids: list[str]
    names: list[str]
    shapes: list[shapely.Geometry]
    neighbours: dict[str, list[str]]
    tree: shapely.STRtree


@lru_cache(maxsize=2)
def background(path: Path | None) -> Background | None:
    """The release's background document, parsed once (a release never changes); None without one."""
    if path is None or not path.exists():
        return None
    document = json.loads(path.read_bytes())["countries"]
    shapes = [shapely.make_valid(shapely.from_wkt(c["wkt"])) for c in document]  # rounding may unmake validity
    return Background(
        [c["id"] for c in document],
        [c["name"] for c in document],
        shapes,
        {c["id"]: c["neighbours"] for c in document},
        shapely.STRtree(shapes),
    )


# -- projection --------------------------------------------------------------------------------------------


class Projection:
    """Albers equal-area conic fitted to a lon/lat frame (equirectangular near the equator), scaled to pixels."""

    def __init__(self, frame: Frame):
        west, south, east, north = frame
        self.lon0 = math.radians((west + east) / 2)
        phi1 = math.radians(south + (north - south) / 6)
        phi2 = math.radians(north - (north - south) / 6)
        self.n = (math.sin(phi1) + math.sin(phi2)) / 2
        self.conic = abs(self.n) > 0.15
        if self.conic:
            self.c = math.cos(phi1) ** 2 + 2 * self.n * math.sin(phi1)
            self.rho0 = math.sqrt(self.c - 2 * self.n * math.sin(math.radians((south + north) / 2))) / self.n
        self.cos0 = math.cos(math.radians((south + north) / 2))
        edge = np.linspace(0, 1, 41)
        lons = np.concatenate(
            [west + (east - west) * edge, np.full(41, east), east - (east - west) * edge, [west] * 41]
        )
        lats = np.concatenate(
            [np.full(41, south), south + (north - south) * edge, np.full(41, north), north - (north - south) * edge]
        )
        x, y = self._raw(lons, lats)
        self.x0, self.y1 = x.min(), y.max()
        span_x, span_y = x.max() - x.min(), y.max() - y.min()
        self.scale = min(WIDTH / span_x, MAX_HEIGHT / span_y)
        self.width, self.height = span_x * self.scale, span_y * self.scale

    def _raw(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lam, phi = np.radians(lon) - self.lon0, np.radians(lat)
        if not self.conic:
            return lam * self.cos0, phi
        rho = np.sqrt(np.maximum(self.c - 2 * self.n * np.sin(phi), 0)) / self.n
        theta = self.n * lam
        return rho * np.sin(theta), self.rho0 - rho * np.cos(theta)

    def coords(self, lonlat: np.ndarray) -> np.ndarray:
        x, y = self._raw(lonlat[:, 0], lonlat[:, 1])
        return np.column_stack([(x - self.x0) * self.scale, (self.y1 - y) * self.scale])

    def project(self, shape: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(shape, self.coords)


def frame_of(shapes: Iterable[shapely.Geometry], *, pad: float = 0.12, min_span: float = 10.0) -> Frame:
    """The lon/lat box around ``shapes`` (east of the antimeridian for a country that crosses it), padded,
    at least ``min_span`` degrees wide and tall."""
    boxes = []
    for shape in shapes:
        west, south, east, north = shapely.bounds(shape)
        if east - west > 180:  # crosses the antimeridian (Russia): keep its eastern-hemisphere part
            east_parts = [part for part in getattr(shape, "geoms", [shape]) if shapely.bounds(part)[0] >= 0]
            west, south, east, north = shapely.bounds(shapely.union_all(east_parts) if east_parts else shape)
        boxes.append((west, south, east, north))
    if not boxes:
        return CENTRAL_ASIA
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    grow_x = max((east - west) * pad, (min_span - (east - west)) / 2, 0.5)
    grow_y = max((north - south) * pad, (min_span * 0.55 - (north - south)) / 2, 0.5)
    return (max(west - grow_x, -180), max(south - grow_y, -60), min(east + grow_x, 180), min(north + grow_y, 75))


def within(frame: Frame, bound: Frame) -> Frame:
    """``frame`` cut to ``bound`` (unless they do not overlap)."""
    cut: Frame = (max(frame[0], bound[0]), max(frame[1], bound[1]), min(frame[2], bound[2]), min(frame[3], bound[3]))
    return cut if cut[0] < cut[2] and cut[1] < cut[3] else frame


# -- drawing -----------------------------------------------------------------------------------------------


def path_data(shape: shapely.Geometry) -> str:
    """SVG path data of a projected (multi)polygon."""
    parts = []
    for polygon in getattr(shape, "geoms", [shape]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)[:-1]
            if len(xy) >= 3:
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy.tolist()) + "Z")
    return "".join(parts)


def label_point(shape: shapely.Geometry) -> tuple[float, float]:
    """Where a projected country's name goes: the pole of inaccessibility of its largest part."""
    parts = [p for p in getattr(shape, "geoms", [shape]) if p.geom_type == "Polygon"]
    if not parts:
        point = shapely.point_on_surface(shape)
        return point.x, point.y
    largest = max(parts, key=lambda p: p.area)
    point = ops.polylabel(largest, tolerance=4.0)
    return point.x, point.y


def text(x: float, y: float, words: str, *, size: int = 12, weight: int = 400, anchor: str = "middle") -> str:
    """A label with a white halo, legible on any fill."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{INK}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
        f"{escape(words)}</text>"
    )


def swatch(colour: str, *, mark: bool = False, box: bool = False) -> str:
    """A legend key (decorative: its text says what it is)."""
    if box:
        body = (
            f'<rect x="2" y="3" width="14" height="12" fill="none" stroke="{MARK}" stroke-width="2"'
            ' stroke-dasharray="4 2"/>'
        )
    elif mark:
        body = f'<circle cx="9" cy="9" r="7" fill="{MARK}" stroke="#ffffff" stroke-width="2"/>'
    else:
        body = f'<rect x="1" y="3" width="16" height="12" fill="{colour}" stroke="{GRAPH_STROKE}"/>'
    return (
        f'<svg class="key" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">{body}</svg>'
    )


def classes(counts: list[int]) -> list[tuple[int, int]]:
    """Count classes for the choropleth: 0, then up to four equal steps up to the largest count."""
    top = max(counts, default=0)
    if top == 0:
        return [(0, 0)]
    step = max(1, math.ceil(top / 4))
    bounds = [(0, 0)]
    low = 1
    while low <= top:
        bounds.append((low, min(low + step - 1, top)))
        low += step
    return bounds


def class_of(count: int, bounds: list[tuple[int, int]]) -> int:
    return next(i for i, (low, high) in enumerate(bounds) if low <= count <= high)


@dataclass
class Map:
    """A map to draw: its frame, its fills, its marks, and the words around it."""

    frame: Frame
    title: str
    description: str
    caption: str
    legend: list[tuple[str, str]]  # (key markup, words)
    fills: dict[str, str]  # feature IRI → colour (countries of the graph)
    named: set[str]  # IRIs of countries labelled on the map
    neighbours: set[str] = field(default_factory=set)  # background country ids shaded and labelled
    table: list[tuple[dict, str]] = field(default_factory=list)  # (cell with text/href, value)
    table_head: tuple[str, str] = ("", "")
    label_context: bool = False  # name the other countries too (a map with no country of the graph)


class Labels:
    """Labels placed without overlapping what is already placed (a label that fits nowhere is left out)."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.boxes: list[tuple[float, float, float, float]] = []
        self.markup: list[str] = []

    def taken(self, box: tuple[float, float, float, float]) -> bool:
        return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in self.boxes)

    def reserve(self, x: float, y: float, radius: float) -> None:
        self.boxes.append((x - radius, y - radius, x + radius, y + radius))

    def place(
        self, x: float, y: float, choices: list[str], *, size: int = 12, weight: int = 400, anchor: str = "middle"
    ) -> bool:
        for words in choices:
            width = len(words) * size * (0.6 if weight > 400 else 0.56)
            for dy in (0, 15, -15):
                left = x - width / 2 if anchor == "middle" else x
                box = (left, y + dy - size, left + width, y + dy + 3)
                inside = box[0] >= 2 and box[1] >= 2 and box[2] <= self.width - 2 and box[3] <= self.height - 2
                if inside and not self.taken(box):
                    self.boxes.append(box)
                    self.markup.append(text(x, y + dy, words, size=size, weight=weight, anchor=anchor))
                    return True
        return False


def draw(spec: Map, countries: list[Feature], marks: list[Feature], back: Background | None, lang: str) -> str:
    projection = Projection(spec.frame)
    west, south, east, north = spec.frame
    clip = (west - 20, max(south - 12, -89), east + 20, min(north + 12, 89))
    window = shapely.box(0, 0, projection.width, projection.height)
    graph_ids = {c.numeric for c in countries if c.iri in spec.fills and c.shape is not None}
    short_names = dict(zip(back.ids, back.names, strict=True)) if back else {}
    parts = [f'<rect width="{projection.width:.0f}" height="{projection.height:.0f}" fill="{SEA}"/>']
    to_label: list[tuple[float, float, list[str], int]] = []  # (x, y, wordings, weight), in priority order
    if back is not None:
        for index in back.tree.query(shapely.box(*clip)):
            if back.ids[index] in graph_ids:
                continue
            shape = _drawn(back.shapes[index], projection, clip, window)
            data = path_data(shape)
            if not data:
                continue
            neighbour = back.ids[index] in spec.neighbours
            parts.append(
                f'<path d="{data}" fill="{NEIGHBOUR if neighbour else LAND}"'
                f' stroke="{GRAPH_STROKE if neighbour else LAND_STROKE}" stroke-width="{1 if neighbour else 0.6}"'
                f' fill-rule="evenodd"><title>{escape(back.names[index])}</title></path>'
            )
            if neighbour or spec.label_context:
                to_label.append((*label_point(shape), [back.names[index]], 400))
    for country in countries:
        if country.shape is None or country.iri not in spec.fills:
            continue
        shape = _drawn(country.shape, projection, clip, window)
        data = path_data(shape)
        if not data:
            continue
        tip = country.label + (f": {country.count}" if country.count is not None else "")
        parts.append(
            f'<path d="{data}" fill="{spec.fills[country.iri]}" stroke="{GRAPH_STROKE}" stroke-width="1"'
            f' fill-rule="evenodd"><title>{escape(tip)}</title></path>'
        )
        if country.iri in spec.named:
            short = short_names.get(country.numeric, "") if lang == "en" else ""
            wordings = [country.label] + ([short] if short and short != country.label else []) + [country.code]
            entry = (*label_point(shape), wordings, 700 if country.role == "focus" else 400)
            to_label.insert(0, entry) if country.role == "focus" else to_label.append(entry)
    labels = Labels(projection.width, projection.height)
    marked: list[tuple[float, float, int, Feature]] = []
    for number, mark in enumerate(marks, start=1):
        if mark.shape is None:
            continue
        shape = projection.project(mark.shape)
        for part in getattr(shape, "geoms", [shape]):
            if part.geom_type == "Polygon":
                data = path_data(part)
                parts.append(
                    f'<path d="{data}" fill="none" stroke="#ffffff" stroke-width="4"/>'
                    f'<path d="{data}" fill="none" stroke="{MARK}" stroke-width="2"'
                    f' stroke-dasharray="6 3"><title>{escape(mark.label)}</title></path>'
                )
                x, y = label_point(part)
            else:
                x, y = part.x, part.y
            marked.append((x, y, number, mark))
            labels.reserve(x, y, 10)
    if len(marks) <= 3:
        for x, y, _, mark in marked:
            labels.place(x + 13, y + 4, [mark.label], weight=700, anchor="start")
    for x, y, wordings, weight in to_label:
        labels.place(x, y, wordings, weight=weight)
    for x, y, number, mark in marked:
        parts.append(
            f"<g><title>{number}. {escape(mark.label)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{MARK}" stroke="#ffffff" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" font-weight="700"'
            f' fill="#ffffff">{number}</text></g>'
        )
    parts.append(
        f'<rect width="{projection.width:.0f}" height="{projection.height:.0f}" fill="none" stroke="{LAND_STROKE}"/>'
    )
    width, height = f"{projection.width:.0f}", f"{projection.height:.0f}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img" aria-labelledby="map-title map-desc" font-family="system-ui, sans-serif">'
        f'<title id="map-title">{escape(spec.title)}</title><desc id="map-desc">{escape(spec.description)}</desc>'
        + "".join(parts)
        + "".join(labels.markup)
        + "</svg>"
    )
    words = WORDS[lang]
    legend = "".join(f"<li>{key}{escape(label)}</li>" for key, label in spec.legend)
    rows = "".join(f"<tr><td>{_link(cell)}</td><td>{escape(value)}</td></tr>" for cell, value in spec.table)
    table = (
        f'<details class="map-data"><summary>{escape(words["table"])}</summary><table>'
        f'<tr><th scope="col">{escape(spec.table_head[0])}</th><th scope="col">{escape(spec.table_head[1])}</th></tr>'
        f"{rows}</table></details>"
        if rows
        else ""
    )
    return (
        f'<figure class="map-figure">{svg}<figcaption><p>{escape(spec.caption)}</p>'
        f'<ul class="map-legend">{legend}</ul>{table}<p class="map-source">{escape(words["source"])}</p>'
        f"</figcaption></figure>"
    )


def _drawn(
    shape: shapely.Geometry, projection: Projection, clip: tuple[float, ...], window: shapely.Geometry
) -> shapely.Geometry:
    """A country's shape cut to the frame's surroundings, projected, and cut to the picture."""
    try:
        projected = shapely.make_valid(projection.project(shapely.clip_by_rect(shape, *clip)))
        return shapely.simplify(shapely.intersection(projected, window), PIXEL / 2)  # no detail finer than a pixel
    except shapely.errors.GEOSException:
        return shapely.Polygon()


def _link(cell: dict) -> Markup:
    if cell.get("href"):
        return Markup('<a href="{}">{}</a>').format(cell["href"], cell["text"])
    return escape(cell["text"])


# -- the maps of each page ---------------------------------------------------------------------------------


def _shapes(found: list[Feature]) -> None:
    for feature in found:
        if feature.wkt and feature.shape is None:
            try:
                feature.shape = shapely.make_valid(shapely.from_wkt(feature.wkt))
            except shapely.errors.GEOSException:
                feature.shape = None


def _cell(feature: Feature) -> dict:
    return {"text": feature.label, "href": local_href(feature.iri)}


def _marks(found: list[Feature], roles: tuple[str, ...]) -> list[Feature]:
    return sorted((f for f in found if f.role in roles and f.shape is not None), key=lambda f: f.label)


def _choropleth(found: list[Feature], title: str, lang: str, *, what: str) -> Map | None:
    """Range states shaded by their number of activities (the entry page, a taxon)."""
    words = WORDS[lang]
    states = sorted((f for f in found if f.role == "country" and f.shape is not None), key=lambda f: -(f.count or 0))
    if not states:
        return None
    bounds = classes([f.count or 0 for f in states])
    fills = {f.iri: CLASSES[class_of(f.count or 0, bounds)] for f in states}
    legend = [
        (
            swatch(CLASSES[i]),
            f"{low}–{high} {words['activities']}"
            if high > low
            else f"{low} {words['activity' if low == 1 else 'activities']}"
            if low
            else words["none"],
        )
        for i, (low, high) in enumerate(bounds)
    ]
    marks = _marks(found, ("landscape", "site"))
    if marks:
        legend.append(
            (
                swatch(MARK, mark=True),
                words["landscapes"] + ": " + ", ".join(f"{i}. {m.label}" for i, m in enumerate(marks, 1)),
            )
        )
    listing = ", ".join(f"{f.label} {f.count or 0}" for f in states)
    description = f"{title}: {listing}." + (
        f" {words['landscapes']}: {', '.join(m.label for m in marks)}." if marks else ""
    )
    return Map(
        CENTRAL_ASIA
        if what == "home"
        else within(frame_of(f.shape for f in states if f.shape is not None), CENTRAL_ASIA),
        title,
        description,
        title + ". " + (words["approx"] if marks else ""),
        legend,
        fills,
        {f.iri for f in states},
        table=[(_cell(f), str(f.count or 0)) for f in states],
        table_head=(words["country"], words["count"]),
    )


def render(kind: str, body: bytes, *, lang: str, name: str, back: Background | None) -> Markup:
    """The map of a page (``kind`` as :data:`KINDS`) from its query's answer, or nothing when there is
    nothing to place."""
    found = features(body)
    _shapes(found)
    words = WORDS[lang]
    countries = list(
        {
            f.iri: f for f in sorted((f for f in found if f.is_country), key=lambda f: f.role == "range", reverse=True)
        }.values()
    )
    en = lang == "en"
    spec: Map | None = None
    if kind in ("home", "taxon"):
        if kind == "home":
            title = (
                "Range states of the programmes, shaded by number of activities, with the landscapes"
                if en
                else "États de l’aire de répartition des programmes, selon le nombre d’activités, et les paysages"
            )
        else:
            title = (
                f"Range states of the programme covering {name}, shaded by number of activities targeting it there"
                if en
                else f"États de l’aire de répartition du programme couvrant {name}, par nombre d’activités le visant"
            )
        spec = _choropleth(found, title, lang, what=kind)
        if spec is not None and kind == "taxon":
            spec.caption += " " + (
                "The documents name the range states of the programme as a whole, not of each species."
                if en
                else "Les documents nomment les États de l’aire du programme dans son ensemble, non de chaque espèce."
            )
    elif kind == "country":
        spec = _country_map(found, name, lang, back)
    elif kind == "place":
        spec = _place_map(found, name, lang)
    elif kind == "activity":
        spec = _activity_map(found, name, lang)
    if spec is None:
        return Markup("")
    unplaced = sorted({f.label for f in found if f.role in ("landscape", "site") and f.shape is None})
    if unplaced:
        spec.caption += " " + (
            f"Not placed, no public source giving their extent: {', '.join(unplaced)}."
            if en
            else f"Non placés, faute de source publique donnant leur étendue : {', '.join(unplaced)}."
        )
    marks = _marks(found, ("landscape", "site")) if kind != "place" else _marks(found, ("focus",))
    del words
    return Markup(draw(spec, countries, marks, back, lang))


def _country_map(found: list[Feature], name: str, lang: str, back: Background | None) -> Map | None:
    words = WORDS[lang]
    focus = next((f for f in found if f.role == "focus" and f.shape is not None), None)
    if focus is None:
        return None
    own = focus.numeric
    neighbour_ids = set(back.neighbours.get(own, [])) if back else set()
    others = [f for f in found if f.role == "country" and f.shape is not None]
    graph_neighbours = [f for f in others if f.numeric in neighbour_ids]
    marks = _marks(found, ("landscape", "site"))
    fills = {f.iri: CONTEXT for f in others} | {f.iri: NEIGHBOUR for f in graph_neighbours} | {focus.iri: FOCUS}
    other_names = sorted(
        [f.label for f in graph_neighbours]
        + (
            [
                back.names[back.ids.index(i)]
                for i in neighbour_ids
                if i in back.ids and i not in {f.numeric for f in others}
            ]
            if back
            else []
        )
    )
    en = lang == "en"
    title = f"{name}, its neighbours and its landscapes" if en else f"{name}, ses voisins et ses paysages"
    description = (
        f"{'Map of' if en else 'Carte de'} {name}. "
        + (f"{'Neighbours' if en else 'Voisins'}: {', '.join(other_names)}. " if other_names else "")
        + (f"{words['landscapes']}: {', '.join(m.label for m in marks)}." if marks else "")
    )
    legend = [
        (swatch(FOCUS), name),
        (swatch(NEIGHBOUR), words["neighbour"]),
        (swatch(CONTEXT), words["graph"]),
    ]
    if marks:
        legend.append(
            (
                swatch(MARK, mark=True),
                words["landscapes"] + ": " + ", ".join(f"{i}. {m.label}" for i, m in enumerate(marks, 1)),
            )
        )
    table = (
        [(_cell(focus), words["country"])]
        + [(_cell(f), words["neighbour"]) for f in graph_neighbours]
        + [(_cell(m), words["place"]) for m in marks]
    )
    return Map(
        frame_of([shape for shape in (focus.shape, *(m.shape for m in marks)) if shape is not None]),
        title,
        description,
        title + ". " + (words["approx"] if marks else ""),
        legend,
        fills,
        {focus.iri, *(f.iri for f in graph_neighbours)},
        neighbours=neighbour_ids,
        table=table,
        table_head=(words["place"], ""),
    )


def _place_map(found: list[Feature], name: str, lang: str) -> Map | None:
    words = WORDS[lang]
    en = lang == "en"
    focus = next((f for f in found if f.role == "focus" and f.shape is not None), None)
    countries = sorted((f for f in found if f.role == "country" and f.shape is not None), key=lambda f: f.label)
    if focus is None and not countries:
        return None
    names = ", ".join(f.label for f in countries)
    if focus and countries:
        title = (
            f"{name}: its approximate extent and its countries"
            if en
            else f"{name} : son étendue approximative et ses pays"
        )
    elif focus:
        title = f"{name}: its approximate extent" if en else f"{name} : son étendue approximative"
    else:
        title = f"{name}: its countries" if en else f"{name} : ses pays"
    if focus is not None and focus.shape is not None:
        frame = frame_of([focus.shape], pad=0.6, min_span=26)
    else:
        frame = within(frame_of([f.shape for f in countries if f.shape is not None]), CENTRAL_ASIA)
    description = (
        f"{'Map of' if en else 'Carte de'} {name}"
        + (f" ({'approximate position' if en else 'position approximative'})" if focus else "")
        + (f"; {'countries' if en else 'pays'}: {names}." if names else ".")
    )
    caption = (
        title
        + ". "
        + (
            words["approx"]
            if focus
            else (
                "No public source gives its extent: only its countries are shown."
                if en
                else "Aucune source publique ne donne son étendue : seuls ses pays sont montrés."
            )
        )
    )
    legend = []
    if focus is not None:
        legend.append((swatch(MARK, mark=True, box=shapely.get_type_id(focus.shape) == 3), f"1. {name}"))
    if countries:
        legend.append(
            (swatch(FOCUS), f"{'countries the documents give' if en else 'pays que donnent les documents'}: {names}")
        )
    return Map(
        frame,
        title,
        description,
        caption,
        legend,
        {f.iri: FOCUS for f in countries},
        {f.iri for f in countries},
        table=[(_cell(f), words["country"]) for f in countries],
        table_head=(words["place"], ""),
        label_context=not countries,
    )


def _activity_map(found: list[Feature], name: str, lang: str) -> Map | None:
    words = WORDS[lang]
    en = lang == "en"
    named = sorted((f for f in found if f.role == "country" and f.shape is not None), key=lambda f: f.label)
    context = [f for f in found if f.role == "range" and f.shape is not None]
    marks = _marks(found, ("landscape", "site"))
    if not named and not marks and not context:
        return None
    fills = {f.iri: CONTEXT for f in context} | {f.iri: FOCUS for f in named}
    if named or marks:
        title = f"Where {name} takes place" if en else f"Où se déroule {name}"
        shapes = [f.shape for f in named if f.shape is not None] + [m.shape for m in marks if m.shape is not None]
        frame = within(frame_of(shapes), CENTRAL_ASIA) if context else frame_of(shapes)
    else:
        title = (
            f"{name} names no place: the range states of its programme"
            if en
            else f"{name} ne nomme aucun lieu : les États de l’aire de répartition de son programme"
        )
        frame = CENTRAL_ASIA
    description = (
        f"{title}. "
        + (f"{'Countries' if en else 'Pays'}: {', '.join(f.label for f in named)}. " if named else "")
        + (f"{words['landscapes']}: {', '.join(m.label for m in marks)}. " if marks else "")
        + (
            f"{'Range states of its programme' if en else 'États de l’aire de son programme'}: "
            f"{', '.join(sorted(f.label for f in context))}."
            if context
            else ""
        )
    )
    legend = []
    if named:
        legend.append((swatch(FOCUS), "countries the activity concerns" if en else "pays que concerne l’activité"))
    if context:
        legend.append((swatch(CONTEXT), "range states of its programme" if en else "États de l’aire de son programme"))
    if marks:
        legend.append(
            (
                swatch(MARK, mark=True),
                words["landscapes"] + ": " + ", ".join(f"{i}. {m.label}" for i, m in enumerate(marks, 1)),
            )
        )
    return Map(
        frame,
        title,
        description,
        title + ". " + (words["approx"] if marks else ""),
        legend,
        fills,
        {f.iri for f in named} or {f.iri for f in context},
        table=[(_cell(f), words["country"]) for f in named] + [(_cell(m), words["place"]) for m in marks],
        table_head=(words["place"], ""),
    )


def background_path(store_dir: Path) -> Path | None:
    """The current release's background document (None in front of a remote store: no local release)."""
    from .. import store

    release = store.current_release(store_dir)
    return release / geo.BACKGROUND if release is not None else None


# -- a cache of drawn maps, per dataset version --------------------------------------------------------------

_DRAWN: OrderedDict[tuple[str, ...], Markup] = OrderedDict()
CACHE_SIZE = 512


def cached(key: tuple[str, ...]) -> Markup | None:
    found = _DRAWN.get(key)
    if found is not None:
        _DRAWN.move_to_end(key)
    return found


def remember(key: tuple[str, ...], drawn: Markup) -> Markup:
    _DRAWN[key] = drawn
    while len(_DRAWN) > CACHE_SIZE:
        _DRAWN.popitem(last=False)
    return drawn
