"""Index folders kept as generations beside each other, for the engines with a file index.

`root/CURRENT` names the live generation (`gen-<time>-<random>`); a rebuild fills a new
generation beside it, catches up with what changed meanwhile under the indexer lock, then
replaces CURRENT atomically, so searches keep working during a rebuild.
"""

import os
import shutil
import uuid
from pathlib import Path

from django.utils import timezone

from intranet.search.engines.locks import FileLock


class Generations:
    """Mixin for Whoosh and Tantivy: the live generation, the indexer lock, the swap."""

    def _init_generations(self, place: str) -> None:
        self.root = Path(place)
        self.lock = FileLock(self.root / "indexer.lock")

    def _generation(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def writer_lock(self, timeout: float):
        return self.lock.hold(timeout)

    def _new_generation(self) -> tuple[str, Path]:
        generation = f"gen-{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        path = self.root / generation
        path.mkdir(parents=True)
        return generation, path

    def _go_live(self, generation: str, path: Path, catch_up, write) -> None:
        """Apply what changed during the build (under the lock), then swap generations."""
        with self.writer_lock(timeout=600) as locked:
            if not locked:
                shutil.rmtree(path, ignore_errors=True)
                raise RuntimeError("the indexer lock stayed taken: rebuild abandoned")
            catch_up(write)
            self._swap(generation)

    def _swap(self, generation: str) -> None:
        tmp = self.root / f"CURRENT.{uuid.uuid4().hex}"
        tmp.write_text(generation)
        os.replace(tmp, self.root / "CURRENT")
        for old in self.root.glob("gen-*"):
            if old.name != generation:
                # Open files stay readable after unlinking: searchers move on at next query.
                shutil.rmtree(old, ignore_errors=True)
