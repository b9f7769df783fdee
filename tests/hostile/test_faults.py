"""Issue 14 item 9 (and #15 item 6): signals, stale runs, the store lock for every writer, and
one-line errors for broken stores, output paths and lock files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from typer.testing import CliRunner

from corpora.errors import StoreLockedError
from corpora.store import Store
from pipelines.cli.app import app
from tests.hostile.helpers import front_matter, ingest


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "ken.txt").write_text(front_matter())
    return folder


def test_a_corrupt_store_is_a_one_line_error(tmp_path, corpus, prefect_harness):
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"DUCK" + os.urandom(4096))
    _one_line_error(CliRunner().invoke(app, ["status", "--db", str(db)]), str(db))
    _one_line_error(CliRunner().invoke(app, ["ingest", str(corpus), "--db", str(db)]), str(db))
    # a valid store whose blocks were damaged afterwards
    from corpora.ingest import ingest_folder

    damaged = tmp_path / "damaged.duckdb"
    with Store(damaged) as store:
        ingest_folder(corpus, store, run_id="before")
    data = bytearray(damaged.read_bytes())
    for offset in range(12288, len(data) - 200, 4096):
        data[offset + 100:offset + 140] = b"\xff" * 40
    damaged.write_bytes(bytes(data))
    _one_line_error(CliRunner().invoke(app, ["status", "--db", str(damaged)]), "corrupt")


def test_out_pointing_at_a_file_fails_before_any_work(tmp_path, corpus):
    target = tmp_path / "a-file"
    target.write_text("x")
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["run", "--corpus", str(corpus), "--db",
                                      str(tmp_path / "lm.duckdb"), "--out", str(target)])
    _one_line_error(result, "is a file, not a folder")
    assert time.perf_counter() - started < 5 and not (tmp_path / "lm.duckdb").exists()
    _one_line_error(CliRunner().invoke(app, ["report", "--db", str(tmp_path / "lm.duckdb"),
                                             "--out", str(target / "report")]), "is a file")


def test_the_lock_file_never_follows_a_symbolic_link(tmp_path, corpus):
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me")
    db = tmp_path / "lm.duckdb"
    (tmp_path / "lm.duckdb.lock").symlink_to(victim)
    result = CliRunner().invoke(app, ["ingest", str(corpus), "--db", str(db)])
    _one_line_error(result, "is a symbolic link; refused")
    assert victim.read_text() == "do not truncate me"


def test_runs_left_running_are_marked_interrupted_on_the_next_lock(tmp_path, corpus,
                                                                    prefect_harness):
    db = tmp_path / "lm.duckdb"
    with Store(db) as store:
        store.start_run("ingest-killed", "ingest", {})
    code, _, stderr = ingest(corpus, db)
    assert code == 0, stderr
    with Store(db, read_only=True) as store:
        runs = {r["run_id"]: r for r in store.runs()}
    assert runs["ingest-killed"]["status"] == "interrupted"
    assert "process ended before the run finished" in runs["ingest-killed"]["message"]


@pytest.fixture
def held_lock(tmp_path):
    """Another process holding the store lock."""
    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pipelines.flows.locking import store_lock\n"
         "with store_lock(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(60)\n",
         str(db)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield db
    finally:
        holder.kill()
        holder.wait()


def test_every_writer_takes_the_store_lock(held_lock, tmp_path, corpus, prefect_harness):
    db = held_lock
    Store(db).close()  # DuckDB's own file lock is free: only the run lock is held
    ungdc = tmp_path / "ungdc"
    ungdc.mkdir()
    (ungdc / "KEN_79_2024.txt").write_text("A General Debate speech about cyber norms. " * 5)
    for args in (["ingest", str(corpus)], ["ingest-ungdc", str(ungdc)],
                 ["retire", "abcdefabcdef"], ["analyze-text"],
                 ["validate-votes", str(tmp_path / "votes.csv")],
                 ["validate-votes", str(tmp_path / "votes.csv"), "--per-session", "--groups",
                  str(tmp_path / "groups.csv")]):
        result = CliRunner().invoke(app, [*args, "--db", str(db)], input="capacity building\n")
        _one_line_error(result, "being updated by another likeminded run")
    # the flows lock too, so a scheduled run (likeminded serve) cannot interleave either
    from pipelines.flows.pipeline import ingest_flow

    with pytest.raises(StoreLockedError):
        ingest_flow([str(corpus)], str(db))


def test_sigterm_stops_an_ingest_promptly_and_marks_the_run_interrupted(tmp_path,
                                                                        prefect_harness):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(3000):
        (folder / f"s{n:04d}.txt").write_text(front_matter(f"Statement {n} on capacity "
                                                           "building and cyber norms."))
    db = tmp_path / "lm.duckdb"

    def reading() -> bool:
        try:
            # a statement file open (not the folder itself, which listing it opens)
            return any(os.readlink(f"/proc/self/fd/{fd}").startswith(f"{folder}/")
                       for fd in os.listdir("/proc/self/fd"))
        except OSError:
            return False

    def terminate_when_reading() -> None:
        deadline = time.monotonic() + 60
        while not reading() and time.monotonic() < deadline:
            time.sleep(0.005)
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGTERM)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to see when the ingest reads")
    sent: list[float] = []
    previous = signal.getsignal(signal.SIGTERM)
    killer = threading.Thread(target=terminate_when_reading)
    killer.start()
    try:
        result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db)])
        stopped = time.monotonic()
    finally:
        killer.join()
        signal.signal(signal.SIGTERM, previous)
    assert result.exit_code == 130 and "interrupted" in result.stderr, result.output
    assert stopped - sent[0] < 10
    with Store(db, read_only=True) as store:
        runs = store.runs()
        assert [r["status"] for r in runs] == ["interrupted"]
        assert store.count_statements() == 0  # one transaction: nothing half-stored


def test_usage_errors_keep_exit_status_2_under_the_error_handler(tmp_path):
    db = tmp_path / "lm.duckdb"
    Store(db).close()
    result = CliRunner().invoke(app, ["export", "--db", str(db), "--what", "nope", "--out",
                                      str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "Invalid value for --what" in result.stderr
