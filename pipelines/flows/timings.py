"""Where a run's time goes: each stage's wall time, and Prefect's start-up before the first.

The flow body runs its stages one after the other inside :meth:`StageClock.stage`, so the
stages' seconds never overlap and their sum never exceeds the run's total. Prefect's start-up is
the time from the moment the caller invoked the flow (``called_at``, wall-clock seconds since the
epoch, passed in by the command line) to the first line of the flow body: starting the ephemeral
API server when no ``PREFECT_API_URL`` is set, creating the flow run, entering the engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypedDict

STAGES: tuple[str, ...] = ("ingest", "segment", "embed", "annotate", "topics", "analyze",
                           "validate", "report")
"""Every stage a run can time, in the order an ``update`` run goes through them."""


class Timings(TypedDict):
    """Seconds of one run: ``startup`` (Prefect, ``None`` when the caller's time is unknown),
    each stage that ran (in order) and ``total`` (from the call, or from the flow body's start
    when the call time is unknown, to the moment the timings are taken)."""

    startup: float | None
    stages: dict[str, float]
    total: float


@dataclass
class StageClock:
    """Times the stages of one flow run.

    Args:
        called_at: ``time.time()`` when the caller invoked the flow, or ``None`` (a served
            deployment, a test calling the flow directly without it).
    """

    called_at: float | None = None
    _body_wall: float = field(default_factory=time.time)
    _body_start: float = field(default_factory=time.perf_counter)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def startup(self) -> float | None:
        """Seconds from the call to the flow body's start (never negative)."""
        if self.called_at is None:
            return None
        return max(0.0, self._body_wall - self.called_at)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the wall time of the ``with`` block to stage ``name`` (also when it raises)."""
        if name not in STAGES:
            raise ValueError(f"stage {name!r}: expected one of {', '.join(STAGES)}")
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def move(self, seconds: float, source: str, target: str) -> None:
        """Count ``seconds`` of stage ``source`` as stage ``target`` (a part timed inside it)."""
        seconds = min(max(0.0, seconds), self.seconds.get(source, 0.0))
        self.seconds[source] = self.seconds.get(source, 0.0) - seconds
        self.seconds[target] = self.seconds.get(target, 0.0) + seconds

    def timings(self) -> Timings:
        """The run's timings so far, stages in :data:`STAGES` order."""
        body = time.perf_counter() - self._body_start
        startup = self.startup
        return {"startup": startup,
                "stages": {s: self.seconds[s] for s in STAGES if s in self.seconds},
                "total": body + (startup or 0.0)}


def timing_rows(run_id: str, timings: Timings | dict[str, Any]) -> list[list[Any]]:
    """Rows ``(run_id, position, step, seconds)`` of the ``run_timings`` table: ``startup``
    (when known), each stage, then ``total``."""
    steps: list[tuple[str, float]] = []
    startup = timings.get("startup")
    if startup is not None:
        steps.append(("startup", float(startup)))
    steps += [(name, float(value)) for name, value in timings["stages"].items()]
    steps.append(("total", float(timings["total"])))
    return [[run_id, position, name, value] for position, (name, value) in enumerate(steps)]


def other_seconds(timings: Timings | dict[str, Any]) -> float:
    """What no stage accounts for: recording the run, publishing artifacts, task overhead."""
    return max(0.0, timings["total"] - (timings.get("startup") or 0.0)
               - sum(timings["stages"].values()))
