"""The search index of the store's current release, followed across rebuilds (the index always describes the
data of the release it was built with: a rebuild switches both at once)."""

from __future__ import annotations

import threading
from pathlib import Path

from .. import store
from ..errors import StoreMissing
from .index import SearchIndex


class CurrentIndex:
    """Loads the index of ``store_dir``'s current release, and the next one's when ``current`` moves."""

    def __init__(self, store_dir: Path):
        self.store_dir = store_dir
        self._release: Path | None = None
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchIndex:
        """The current release's index. Raises StoreMissing, StoreCorrupt (no index, or a damaged one)."""
        release = store.current_release(self.store_dir)
        if release is None:
            raise StoreMissing(f"no built store in {self.store_dir} (run `kg build`): search needs its index")
        with self._lock:
            if release != self._release or self._index is None:
                self._index, self._release = SearchIndex.of_release(release), release
            return self._index
