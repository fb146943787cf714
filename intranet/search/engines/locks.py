"""An inter-process file lock that is re-entrant inside one process."""

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path


class FileLock:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.RLock()
        self._depth = 0
        self._fd = None

    @contextmanager
    def hold(self, timeout: float):
        """Yield True once the lock is ours, False if it stayed taken for timeout seconds."""
        deadline = time.monotonic() + timeout
        if not self._local.acquire(timeout=max(timeout, 0)):
            yield False
            return
        try:
            if self._depth == 0 and not self._take(deadline):
                yield False
                return
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()
        finally:
            self._local.release()

    def _take(self, deadline: float) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o640)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)

    def _release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
