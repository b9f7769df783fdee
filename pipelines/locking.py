"""One writer per store: a lock file beside the DuckDB file, held for a whole command.

DuckDB already refuses a second process that opens the file for writing, but a pipeline run
opens the store once per task; without a run-level lock two runs could interleave between
tasks. The lock is ``flock`` on ``<db>.lock``, released by the kernel if the process dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corpora.errors import StoreLockedError


@contextmanager
def store_lock(db: str | Path, *, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the store's run lock, waiting up to ``wait_seconds`` for another run to finish.

    Raises:
        StoreLockedError: another likeminded process holds the lock (its pid is named).
    """
    path = Path(f"{db}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    with open(path, "a+", encoding="ascii") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise StoreLockedError(
                        f"store {db} is being updated by another likeminded run (pid {holder});"
                        " wait for it to finish or use --wait SECONDS") from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield path
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
