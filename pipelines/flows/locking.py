"""One writer per store: a lock file beside the DuckDB file, held for a whole command.

DuckDB already refuses a second process that opens the file for writing, but a pipeline run
opens the store once per task; without a run-level lock two runs could interleave between
tasks. The lock is ``flock`` on ``<db>.lock``, released by the kernel if the process dies.

Every command and flow that writes takes it: the CLI commands (so ``--wait`` applies before any
work) and the flows themselves (so a scheduled run served by ``likeminded serve`` and a manual
run never interleave). Within one process the lock is re-entrant. The lock file is opened
without following symbolic links: a link planted there is refused, never truncated through.

Whoever takes the lock first in a process also closes the books on runs that a killed process
left ``running``: they are marked ``interrupted``.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corpora.errors import StoreError, StoreLockedError

_HELD: dict[str, int] = {}
_HELD_GUARD = threading.Lock()


def _open_lock_file(path: Path) -> int:
    """Open (creating) the lock file, refusing a symbolic link or anything not a plain file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                     | os.O_NONBLOCK, 0o644)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise StoreError(f"lock file {path} is a symbolic link; refused (remove it)"
                             ) from None
        raise StoreError(f"cannot create the lock file {path}: {err.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StoreError(f"lock file {path} is not a regular file; refused (remove it)")
    return fd


def mark_stale_runs(db: str | Path) -> int:
    """Mark runs left ``running`` by a process that died as ``interrupted`` (lock held)."""
    if not Path(db).is_file():
        return 0
    from corpora.store import Store

    with Store(db) as store:
        return store.mark_interrupted_runs(
            "interrupted: the process ended before the run finished (killed, or the machine "
            "stopped); the next run resumes from what was stored")


@contextmanager
def store_lock(db: str | Path, *, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the store's run lock, waiting up to ``wait_seconds`` for another run to finish.

    Raises:
        StoreLockedError: another likeminded process holds the lock (its pid is named).
        StoreError: the lock file cannot be created, or is a symbolic link.
    """
    path = Path(f"{db}.lock")
    key = str(path.absolute())
    with _HELD_GUARD:
        nested = key in _HELD
        if nested:
            _HELD[key] += 1
    if nested:
        try:
            yield path
        finally:
            with _HELD_GUARD:
                _HELD[key] -= 1
        return
    fd = _open_lock_file(path)
    deadline = time.monotonic() + wait_seconds
    with os.fdopen(fd, "r+", encoding="ascii") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read(32).strip() or "unknown"
                    raise StoreLockedError(
                        f"store {db} is being updated by another likeminded run (pid {holder});"
                        " wait for it to finish or use --wait SECONDS") from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        with _HELD_GUARD:
            _HELD[key] = 1
        try:
            mark_stale_runs(db)
            yield path
        finally:
            with _HELD_GUARD:
                del _HELD[key]
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
