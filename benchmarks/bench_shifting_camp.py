"""Does the movers list find a camp that really shifts, and only that camp?

An independent, simulated debate (not the sample corpus): three camps of states speak on three
contested issues in two sessions; between the sessions one camp really crosses from the minus
to the plus side of one issue, everything else stays put. Each state says a few paragraphs per
issue and session (as thin as real statements: 1 + Poisson(2.5)), each paragraph's stance is
its camp's position plus noise, and a share of the paragraphs is misread (the stance reader's
errors: a random stance instead). The positions and movers are those of the pipeline
(:func:`nlp.positions.estimate_positions`, :func:`nlp.convergence.find_movers`).

Measures, over several independent draws:

* ``recall``: share of the shifting camp's states named as movers on the shifted issue toward
  the right pole (issue 12 found "a quarter of that camp" with the earlier rule);
* ``false_mover_rate``: share of the (state, issue) pairs that did not shift that are named;
* ``false_movers_per_draw``: how many such false moves a list shows;
* ``precision``: share of the named moves that are the real one.

Run: ``python benchmarks/bench_shifting_camp.py`` (part of ``make bench``). Before/after: the
earlier rule (no prior on stance intervals) against the current defaults; both ask for two
paragraphs per session (the default of ``analysis.movers.min_paragraphs``; three is shown too).
Every simulated paragraph is about its issue, so the rule that counts only such paragraphs
(:func:`nlp.convergence.mover_evidence`) is not exercised here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ISSUES = ("treaty", "ihl", "stakeholders")
SHIFTED = "treaty"
SESSIONS = ("S1", "S2")
CAMPS = {"shifters": ({"treaty": (-0.6, 0.5), "ihl": (0.5, 0.5), "stakeholders": (0.4, 0.4)}),
         "west": ({"treaty": (-0.7, -0.7), "ihl": (0.7, 0.7), "stakeholders": (0.6, 0.6)}),
         "east": ({"treaty": (0.7, 0.7), "ihl": (-0.6, -0.6), "stakeholders": (-0.5, -0.5)})}


def simulate(seed: int, *, per_camp: int = 12, misread: float = 0.2, noise: float = 0.25,
             mean_paragraphs: float = 2.5) -> tuple[pd.DataFrame, np.ndarray, set[str]]:
    """One simulated debate: tag rows, segment vectors and the states of the shifting camp."""
    rng = np.random.default_rng(seed)
    rows, seg = [], 0
    shifters = set()
    for camp, truth in CAMPS.items():
        for i in range(per_camp):
            state = f"{camp[:3].upper()}{i:02d}"
            if camp == "shifters":
                shifters.add(state)
            for issue in ISSUES:
                for s, session in enumerate(SESSIONS):
                    for _ in range(1 + rng.poisson(mean_paragraphs)):
                        stance = truth[issue][s] + rng.normal(0, noise)
                        if rng.random() < misread:
                            stance = rng.uniform(-1, 1)
                        rows.append({"seg": seg, "state": state, "session": session,
                                     "issue": issue, "weight": 1.0, "kind": "own",
                                     "statement_id": f"{state}-{session}",
                                     "stance": float(np.clip(stance, -0.95, 0.95))})
                        seg += 1
    vectors = rng.normal(size=(seg, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return pd.DataFrame(rows), vectors, shifters


def score(movers: pd.DataFrame, shifters: set[str], n_states: int) -> dict[str, float]:
    """Recall of the shifting camp and the false moves of one movers list."""
    true = movers[(movers["issue"] == SHIFTED) & movers["state"].isin(shifters)
                  & (movers["pole"] == "plus")]
    false = len(movers) - len(true)
    negatives = n_states * len(ISSUES) - len(shifters)
    return {"recall": len(set(true["state"])) / len(shifters),
            "false_mover_rate": false / negatives, "false_movers": float(false),
            "precision": len(true) / len(movers) if len(movers) else np.nan}


def shifting_camp_metrics(*, draws: int = 10, stance_prior: float = 1.0,
                          min_paragraphs: int = 2, n_boot: int = 100) -> dict[str, Any]:
    """Mean recall and false-mover rate of the movers list over ``draws`` simulated debates."""
    from nlp.convergence import find_movers
    from nlp.positions import PositionConfig, estimate_positions

    config = PositionConfig(n_boot=n_boot, components=8, stance_prior=stance_prior)
    scores = []
    for seed in range(draws):
        rows, vectors, shifters = simulate(seed)
        positions = estimate_positions(rows, vectors, session_order=SESSIONS, config=config)
        movers = find_movers(positions, from_session="S1", to_session="S2",
                             contested=ISSUES, min_paragraphs=min_paragraphs)
        scores.append(score(movers, shifters, rows["state"].nunique()))
    frame = pd.DataFrame(scores)
    return {"draws": draws, "stance_prior": stance_prior, "min_paragraphs": min_paragraphs,
            "recall": round(float(frame["recall"].mean()), 3),
            "recall_min": round(float(frame["recall"].min()), 3),
            "false_mover_rate": round(float(frame["false_mover_rate"].mean()), 4),
            "false_movers_per_draw": round(float(frame["false_movers"].mean()), 2),
            "precision": round(float(frame["precision"].mean()), 3)}


def before_after(draws: int = 10) -> dict[str, Any]:
    """The earlier rule (no prior, two paragraphs) against the current defaults (prior, two
    paragraphs) and a stricter setting (three paragraphs in each session)."""
    return {"before": shifting_camp_metrics(draws=draws, stance_prior=0.0, min_paragraphs=2),
            "after": shifting_camp_metrics(draws=draws),
            "after_three_paragraphs": shifting_camp_metrics(draws=draws, min_paragraphs=3)}


def main() -> None:
    from benchmarks.common import format_table, write_result

    results = before_after()
    keys = ("stance_prior", "min_paragraphs", "recall", "false_mover_rate",
            "false_movers_per_draw", "precision")
    print(format_table([[name, *(r[k] for k in keys)] for name, r in results.items()],
                       ["rule", *keys]))
    write_result("shifting_camp", results)


if __name__ == "__main__":
    main()
