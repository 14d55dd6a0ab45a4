"""The built store on disk: immutable releases and an atomically swapped ``current`` link.

Layout of a store directory::

    current -> releases/<id>       symlink, replaced with one rename (atomic)
    releases/<id>/dataset.nq       every graph, N-Quads
    releases/<id>/manifest.json    sources, counts, timings (written last)
    .lock                          held by a running build

A reader only ever follows ``current``, so it sees the previous release or the new one, never a
half-written one. Queries run on an in-memory pyoxigraph store loaded from the release (measured
faster than querying an on-disk RocksDB store for a graph of this size; see bench/).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from .errors import BuildLocked, StoreCorrupt, StoreMissing
from .namespaces import PREFIXES

DATASET = "dataset.nq"
MANIFEST = "manifest.json"
DUMPS = {"mea-kg.ttl": ox.RdfFormat.TURTLE, "mea-kg.nt.gz": ox.RdfFormat.N_TRIPLES, "mea-kg.jsonld": ox.RdfFormat.JSON_LD,
         "mea-kg.nq.gz": ox.RdfFormat.N_QUADS}
"""Downloadable dumps written into every release: the merged graph (all named graphs, inferences included)
as Turtle, gzipped N-Triples and JSON-LD, and the dataset with its named graphs as gzipped N-Quads."""
KEEP_RELEASES = 3


def current_release(store_dir: Path) -> Path | None:
    """The release ``current`` points to, or None when nothing was ever built."""
    link = store_dir / "current"
    if not link.is_symlink():
        return None
    return (store_dir / os.readlink(link)).resolve()


def read_manifest(release: Path) -> dict:
    try:
        return json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StoreCorrupt(f"{release}: unreadable manifest ({err})") from None


def open_store(store_dir: Path) -> tuple[ox.Store, dict]:
    """Load the current release into an in-memory store; return it with its manifest."""
    release = current_release(store_dir)
    if release is None:
        raise StoreMissing(f"no built store in {store_dir} (run `kg build`)")
    manifest = read_manifest(release)
    store = ox.Store()
    try:
        store.bulk_load(path=release / DATASET, format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError) as err:
        raise StoreCorrupt(f"{release / DATASET}: {err}") from None
    if len(store) != manifest.get("quads"):
        raise StoreCorrupt(f"{release}: {len(store)} quads loaded, manifest says {manifest.get('quads')}")
    return store, manifest


def write_dumps(dataset: ox.Store, directory: Path) -> None:
    """Write every dump of DUMPS into ``directory``."""
    merged = list(dataset.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
    for name, fmt in DUMPS.items():
        opener = gzip.open if name.endswith(".gz") else open
        with opener(directory / name, "wb") as out:
            if fmt is ox.RdfFormat.N_QUADS:
                dataset.dump(out, format=fmt)
            else:
                ox.serialize(merged, out, format=fmt, prefixes=PREFIXES if fmt is ox.RdfFormat.TURTLE else None)


def verify(store_dir: Path) -> dict:
    """Check the current release without loading it (its dataset file matches the manifest's digest)."""
    release = current_release(store_dir)
    if release is None:
        raise StoreMissing(f"no built store in {store_dir} (run `kg build`)")
    manifest = read_manifest(release)
    try:
        digest = _sha256(release / DATASET)
    except OSError as err:
        raise StoreCorrupt(f"{release / DATASET}: {err}") from None
    if digest != manifest.get("sha256"):
        raise StoreCorrupt(f"{release / DATASET} does not match its manifest (damaged?); run `kg build`")
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def build_lock(store_dir: Path) -> Iterator[None]:
    """Exclusive lock on the store directory for the duration of a build."""
    store_dir.mkdir(parents=True, exist_ok=True)
    with open(store_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"another build is running on {store_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_release_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def publish(store_dir: Path, dataset: ox.Store, manifest: dict) -> Path:
    """Write ``dataset`` as a new release and make it current in one atomic rename.

    Anything that fails before the rename leaves ``current`` untouched; a staging directory left by
    a crash is removed by the next publish.
    """
    releases = store_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    _remove_staging(releases)
    release_id = manifest["id"]
    staging = releases / f".staging-{release_id}"
    staging.mkdir()
    try:
        with open(staging / DATASET, "wb") as out:
            dataset.dump(out, format=ox.RdfFormat.N_QUADS)
            out.flush()
            os.fsync(out.fileno())
        write_dumps(dataset, staging)
        manifest = {**manifest, "quads": len(dataset), "sha256": _sha256(staging / DATASET)}
        _write_synced(staging / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        final = releases / release_id
        os.rename(staging, final)
        _fsync_dir(releases)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current(store_dir, final)
    _prune(releases, keep=final)
    return final


def _point_current(store_dir: Path, release: Path) -> None:
    tmp_link = store_dir / f".current-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    os.symlink(os.path.relpath(release, store_dir), tmp_link)
    os.replace(tmp_link, store_dir / "current")
    _fsync_dir(store_dir)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_staging(releases: Path) -> None:
    for leftover in releases.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _prune(releases: Path, *, keep: Path) -> None:
    """Delete all but the newest KEEP_RELEASES releases (never the current one)."""
    done = sorted((p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    for old in done[KEEP_RELEASES:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
