"""Load the hand-edited sources (ontology + transcriptions) into an in-memory dataset, one named graph per file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .config import Settings
from .errors import SourceError
from .namespaces import ONTOLOGY_GRAPH, source_graph


@dataclass(frozen=True)
class SourceFile:
    path: Path
    graph: ox.NamedNode

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def source_files(settings: Settings) -> list[SourceFile]:
    """The ontology and every ``data/turtle/*.ttl`` file, in a stable order."""
    files = [SourceFile(settings.ontology_file, ONTOLOGY_GRAPH)]
    files += [SourceFile(p, source_graph(p.stem)) for p in sorted(settings.data_dir.glob("*.ttl"))]
    return files


def load(files: list[SourceFile]) -> ox.Store:
    """Parse every file into a fresh in-memory store; raise SourceError with file and line on bad input."""
    store = ox.Store()
    for source in files:
        try:
            store.load(path=source.path, format=ox.RdfFormat.TURTLE, to_graph=source.graph)
        except SyntaxError as err:
            raise SourceError(source.path, _parser_message(err), err.lineno, err.offset) from None
        except (OSError, UnicodeDecodeError) as err:
            raise SourceError(source.path, str(err)) from None
    return store


def _parser_message(err: SyntaxError) -> str:
    return str(err.msg) if err.msg else str(err)
