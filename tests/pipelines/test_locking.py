import subprocess
import sys

import pytest

from corpora.errors import StoreLockedError
from pipelines.flows.locking import store_lock


def test_second_run_is_refused_with_the_holders_pid(tmp_path):
    db = tmp_path / "lm.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pipelines.flows.locking import store_lock\n"
         "with store_lock(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(30)\n",
         str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLockedError, match=f"pid {holder.pid}"), \
                store_lock(db, wait_seconds=0.6):
            pass
    finally:
        holder.kill()
        holder.wait()
    # the kernel released the lock of the killed process
    with store_lock(db) as path:
        assert path.read_text() != ""


def test_lock_is_reentrant_after_release(tmp_path):
    db = tmp_path / "lm.duckdb"
    with store_lock(db):
        pass
    with store_lock(db):
        pass
