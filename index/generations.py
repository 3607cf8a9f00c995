"""The generation that serves: which index generation answers now, reloaded when a new one is
swapped in on disk (a rebuild, a sync), while questions already being answered finish on the
generation they started with."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from index.embedder import Embedder
from index.retrieval import Retriever
from index.store import IndexCorrupt, IndexMissing, current_generation, load_generation
from knowledge.errors import VeilederError

log = logging.getLogger(__name__)


class NoUsableIndex(VeilederError):
    """There is no index to serve (none built, or the only one can't be read); the message says how to fix it."""


class CurrentIndex:
    """The retriever of the current generation in `index_dir`.

    `on_missing()` runs once when there is no generation yet (the CLI builds one there); a new
    generation that can't be read is logged and the previous one keeps serving.
    """

    def __init__(self, index_dir: Path, embedder: Embedder, on_missing: Callable[[], None] | None = None) -> None:
        self.index_dir = index_dir
        self.embedder = embedder
        self._on_missing = on_missing
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._generation: Path | None = None

    def retriever(self) -> Retriever:
        """The retriever for the current generation, reloading when a new one has been swapped in.
        Raises NoUsableIndex when there is nothing to serve."""
        generation = current_generation(self.index_dir)
        if generation is None and self._on_missing is not None and self._retriever is None:
            self._on_missing()
            generation = current_generation(self.index_dir)
        if generation is None:
            if self._retriever is not None:
                return self._retriever  # keep serving what we have
            raise NoUsableIndex(f"no index in {self.index_dir}; build one with 'veileder index'")
        if generation != self._generation:
            with self._lock:
                # Read CURRENT again under the lock: a thread that read it before a swap must not
                # load the older generation over the newer one another thread has just loaded.
                generation = current_generation(self.index_dir) or generation
                if generation != self._generation:
                    try:
                        stored = load_generation(generation)
                        retriever = Retriever(stored, self.embedder)
                    except (IndexCorrupt, IndexMissing, ValueError) as exc:
                        if self._retriever is not None:
                            log.error("new index %s can't be used, still serving %s: %s", generation, self._generation, exc)
                            return self._retriever
                        raise NoUsableIndex(f"{exc} (to rebuild: veileder index --index {self.index_dir})") from exc
                    self._retriever, self._generation = retriever, generation
                    log.info("serving index %s", generation.name)
        assert self._retriever is not None
        return self._retriever
