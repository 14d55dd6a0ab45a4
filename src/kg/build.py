"""Sources → validated, reasoned dataset → new store release, swapped in atomically."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from . import __version__, docs, geometry, jsonld, links, owl, reason, sources, store, validate
from .config import Settings
from .errors import ValidationFailed
from .search import index as search_index
from .typed_query import select

Step = Callable[[str], None]


@dataclass
class BuildReport:
    release: Path
    quads: int
    inferred: int
    graphs: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    coverage: list[links.Coverage] = field(default_factory=list)
    """External identifiers found / total per scheme and kind of resource (kg.links)."""


def build(settings: Settings, *, on_step: Step = lambda _: None) -> BuildReport:
    """Build the store from the sources. Raises SourceError / ValidationFailed; the previous store stays current."""
    timer = _Timer(on_step)
    with store.build_lock(settings.store_dir):
        with timer("load"):
            files = sources.source_files(settings)
            dataset = sources.load(files)
        with timer("geometries"):
            countries, atlas_sha256 = geometry.natural_earth(settings.project_dir)
            dataset.extend(geometry.country_quads(dataset, countries))
            background = geometry.background(countries)
        with timer("validate"):
            findings = validate.validate(dataset, shapes_file=settings.shapes_file, qc_dir=settings.queries_dir / "qc")
        if findings:
            raise ValidationFailed(findings)
        with timer("reason"):
            inferred = reason.materialise(dataset)
            coverage = links.coverage(dataset)
        if settings.owl_check:
            with timer("HermiT"):
                owl.check(dataset)
        with timer("docs"):
            ontology = rdflib.Graph().parse(settings.ontology_file)
            documents: dict[str, str | bytes] = {
                store.ONTOLOGY_DOCS: docs.html(ontology),
                store.JSONLD_CONTEXT: jsonld.dumps(jsonld.context(ontology)),
                geometry.BACKGROUND: background,
            }
        with timer("search"):
            documents |= search_index.build(dataset, cache=settings.cache_dir / search_index.ENCODER_CACHE)
        with timer("store"):
            sizes = graph_sizes(dataset)
            manifest = {
                "id": store.new_release_id(),
                "kg_version": __version__,
                "pyoxigraph_version": ox.__version__,
                "sources": [
                    {"path": str(f.path.relative_to(settings.project_dir)), "graph": f.graph.value, "sha256": f.sha256}
                    for f in files
                ]
                + [{"path": str(geometry.WORLD_ATLAS), "graph": geometry.GEOMETRY_GRAPH.value, "sha256": atlas_sha256}],
                "graphs": sizes,
                "inferred": inferred,
                "seconds": timer.seconds,
            }
            release = store.publish(settings.store_dir, dataset, manifest, documents=documents)
    return BuildReport(release, len(dataset), inferred, sizes, timer.seconds, coverage)


def graph_sizes(dataset: ox.Store) -> dict[str, int]:
    rows = select(dataset, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


class _Timer:
    """Times named steps and tells ``on_step`` when each starts."""

    def __init__(self, on_step: Step):
        self.on_step = on_step
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.on_step(name)
        start = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - start, 4)
