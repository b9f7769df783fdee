"""Stance on contested issues: a classifier over embeddings, trained from the taxonomy's seeds.

For each contested issue a multinomial logistic regression separates three classes: the
``minus`` pole (-1), neutral mentions (0) and the ``plus`` pole (+1), trained on the poles' seed
sentences, the neutral seeds and any labelled ``examples`` users add. A segment's stance is
``P(plus) - P(minus)`` in [-1, 1]; it is ``None`` ("takes no side") when the neutral class is
the most probable or ``|stance| < margin`` (``single_margin`` for a text read as a single clause:
the margin guards the strongest of several clauses, which one clause alone does not need). (A
fixed threshold on ``P(neutral)`` instead of the argmax was measured at 0.5-0.7: more coverage,
fewer neutral texts left alone; not kept.)

This scores one text as a whole; :mod:`nlp.stance_reading` reads a paragraph sentence by sentence
with it, which is what the pipeline does.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from nlp.embeddings import Embedder
from nlp.errors import NotFittedError
from nlp.taxonomy import Taxonomy

CLASSES = (-1, 0, 1)


class StanceModel:
    """Per-issue stance classifiers.

    Args:
        C: inverse regularisation strength of the logistic regressions.
        margin: stances with ``|P(plus) - P(minus)|`` below this are reported as no side.
        single_margin: the margin for a text of one clause (``is_neutral(..., single=True)``);
            ``None``: ``margin``. A paragraph's side is the strongest of its clauses' readings,
            so its margin also guards against the largest of several noisy values; a sentence
            alone is one reading. Development set: 0.1 against 0.2, accuracy +0.026 at
            precision -0.008 (sentences 0.72 -> 0.76), neutral abstention unchanged.
        random_state: seed for the solver (results are deterministic for a fixed seed).
        consensual_neutral: the seeds of the taxonomy's consensual issues (capacity building,
            voluntary norms, ...) are neutral examples for every contested issue too. Measured:
            on the development set (``benchmarks/data/stance_dev.yaml``) accuracy +0.014 to
            +0.024 and precision -0.01, but on the sample corpus the pooled stance of the UK,
            Germany and Australia on a binding instrument falls to about 0 (from -0.0 to -0.6):
            "implement the framework we have" is how those states say no to a treaty, and the
            voluntary-norms seeds say it too. Off by default.

    Attributes (after :meth:`fit`):
        issue_ids_: contested issues with a model.
        n_examples_: training examples per issue.
    """

    def __init__(self, *, C: float = 4.0, margin: float = 0.0, random_state: int = 0,
                 consensual_neutral: bool = False, single_margin: float | None = None) -> None:
        self.C = C
        self.margin = margin
        self.single_margin = single_margin
        self.random_state = random_state
        self.consensual_neutral = consensual_neutral

    def fit(self, taxonomy: Taxonomy, embedder: Embedder) -> StanceModel:
        """Train one classifier per contested issue."""
        if self.C <= 0:
            raise ValueError(f"C must be positive; got {self.C}")
        if not 0 <= self.margin < 1:
            raise ValueError(f"margin must be in [0, 1); got {self.margin}")
        if self.single_margin is not None and not 0 <= self.single_margin < 1:
            raise ValueError(f"single_margin must be in [0, 1); got {self.single_margin}")
        self.models_: dict[str, LogisticRegression] = {}
        self.n_examples_: dict[str, int] = {}
        shared = ([(s, 0) for i in taxonomy.issues if not i.contested for s in i.topic_seeds()]
                  if self.consensual_neutral else [])
        pairs_by_issue = {i.id: i.stance_examples() + shared for i in taxonomy.contested}
        index: dict[str, int] = {}
        for pairs in pairs_by_issue.values():
            for text, _ in pairs:
                index.setdefault(text, len(index))
        vectors = embedder.encode(list(index))
        for issue_id, pairs in pairs_by_issue.items():
            x = vectors[[index[t] for t, _ in pairs]]
            y = np.array([label for _, label in pairs])
            model = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state,
                                       class_weight="balanced")
            model.fit(x, y)
            self.models_[issue_id] = model
            self.n_examples_[issue_id] = len(pairs)
        self.issue_ids_ = list(self.models_)
        return self

    def _model(self, issue_id: str) -> LogisticRegression:
        if not hasattr(self, "models_"):
            raise NotFittedError("StanceModel is not fitted; call fit(taxonomy, embedder) first")
        try:
            return self.models_[issue_id]
        except KeyError:
            raise ValueError(f"issue_id must be a contested issue ({', '.join(self.issue_ids_)});"
                             f" got {issue_id!r}") from None

    def predict_proba(self, issue_id: str, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities ``(n, 3)`` in the order minus, neutral, plus."""
        model = self._model(issue_id)
        proba = model.predict_proba(vectors)
        order = [list(model.classes_).index(c) for c in CLASSES]
        return proba[:, order]

    def is_neutral(self, proba: np.ndarray, *, single: bool = False) -> np.ndarray:
        """Rows of :meth:`predict_proba` output that take no side, shape ``(n,)`` bool.

        ``single``: the rows are texts read as one clause (``single_margin`` applies).
        """
        margin = self.single_margin if single and self.single_margin is not None else self.margin
        neutral = proba[:, 1] >= np.maximum(proba[:, 0], proba[:, 2])
        return neutral | (np.abs(proba[:, 2] - proba[:, 0]) < margin)

    def stance(self, issue_id: str, vectors: np.ndarray) -> np.ndarray:
        """Stance per row in [-1, 1], NaN where the segment takes no side. Shape ``(n,)``."""
        proba = self.predict_proba(issue_id, vectors)
        return np.where(self.is_neutral(proba), np.nan, proba[:, 2] - proba[:, 0])

    def predict(self, issue_id: str, vectors: np.ndarray) -> np.ndarray:
        """Class labels -1, 0 or +1 per row (0 where :meth:`stance` is NaN)."""
        values = self.stance(issue_id, vectors)
        return np.where(np.isnan(values), 0, np.sign(values)).astype(int)
