"""Where a run's time goes: every stage's seconds in the result, the runs record and the
``run_timings`` table (no wall-clock thresholds: only their consistency is checked)."""

from __future__ import annotations

import json

import pytest

from pipelines.flows.summary import timing_lines
from pipelines.flows.timings import STAGES, StageClock, other_seconds, timing_rows
from pipelines.store.storage import open_store, run_timings

UPDATE_STAGES = ["ingest", "segment", "embed", "annotate", "topics", "analyze"]


def check_timings(timings: dict, stages: list[str], *, startup: bool) -> None:
    assert list(timings["stages"]) == stages
    assert all(seconds >= 0 for seconds in timings["stages"].values())
    assert (timings["startup"] is not None) == startup
    spent = sum(timings["stages"].values()) + (timings["startup"] or 0.0)
    assert 0 < spent <= timings["total"]


def test_update_run_times_every_stage_in_result_runs_and_table(analysed):
    first = analysed["first"]
    check_timings(first["timings"], UPDATE_STAGES, startup=False)
    with open_store(analysed["db"], read_only=True) as store:
        table = run_timings(store, first["run_id"])
        counts = json.loads(store.con.execute(
            "SELECT counts FROM runs WHERE run_id = ?", [first["run_id"]]).fetchone()[0])
    assert list(table) == [*UPDATE_STAGES, "total"]
    assert table == pytest.approx({**first["timings"]["stages"],
                                   "total": first["timings"]["total"]})
    assert counts["timings"]["stages"] == pytest.approx(first["timings"]["stages"])
    assert counts["timings"]["total"] == pytest.approx(first["timings"]["total"])
    # the second run found nothing new: its stages are timed all the same
    check_timings(analysed["second"]["timings"], UPDATE_STAGES, startup=False)


def test_stage_clock_moves_a_part_timed_inside_a_stage_and_keeps_order():
    clock = StageClock(called_at=None)
    with clock.stage("analyze"):
        pass
    clock.seconds["analyze"] = 2.0  # a known figure instead of a measured one
    clock.move(0.5, "analyze", "validate")
    clock.move(9.0, "analyze", "validate")  # never more than the stage had
    assert clock.seconds == {"analyze": 0.0, "validate": 2.0}
    with clock.stage("segment"):
        pass
    timings = clock.timings()
    assert list(timings["stages"]) == ["segment", "analyze", "validate"]
    assert timings["startup"] is None
    with (pytest.raises(ValueError, match="stage 'embedding': expected one of ingest, segment"),
          clock.stage("embedding")):
        pass


def test_startup_rows_markdown_and_other():
    timings = {"startup": 1.5, "stages": {"segment": 1.0, "embed": 4.0}, "total": 8.0}
    assert timing_rows("r1", timings) == [["r1", 0, "startup", 1.5], ["r1", 1, "segment", 1.0],
                                          ["r1", 2, "embed", 4.0], ["r1", 3, "total", 8.0]]
    assert other_seconds(timings) == pytest.approx(1.5)
    text = "\n".join(timing_lines(timings))
    assert "## Where the time went (8.0 s)" in text
    assert "| Prefect start-up | 1.50 | 19% |" in text and "| embed | 4.00 | 50% |" in text
    assert StageClock(called_at=0.0).startup > 0  # the epoch is long past
    assert set(STAGES) >= {"validate", "report"}
