"""Paragraph stance read sentence by sentence, the way an analyst reads it.

A paragraph's embedding mixes everything it says: courtesy, context, the view it rejects and the
one it holds. So each paragraph is cut into sentences (and clauses at semicolons), each clause is
scored by the stance model and by the tagger's relevance to the issue, and the clause that carries
the speaker's position decides:

- clauses that report others' views ("Some delegations call for a treaty") carry no position of
  the speaker's; a following rejection ("We do not share that view") takes the opposite side of
  the reported clause, an endorsement ("We share that view") the same side;
- "We do not share the view that X" scores X and takes the opposite side;
- questions count half; procedural sentences not at all;
- a paragraph that does not name the issue (the taxonomy's ``anchors`` for it, in any of its
  sentences) takes no side on it, however close its sentences come to the issue's seeds;
- among the remaining clauses that are relevant to the issue (tagger score at least
  ``relevance`` times the issue's threshold) and not neutral, the one with the largest
  ``|P(plus) - P(minus)|`` times its weight decides. None qualifies: no side. A text of one
  clause is held to the stance model's ``single_margin``, a paragraph to its ``margin``.

The result names the deciding clause, so a reader can check it (``analyze-text --explain``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.embeddings import Embedder
from nlp.segment import is_procedural, pipeline_for
from nlp.stance import StanceModel
from nlp.stance_cues import (
    CONCEDED,
    CONTRAST,
    ENDORSES_CLAUSE,
    ENDORSES_PREVIOUS,
    OWN,
    PROCEDURE,
    QUESTION,
    REJECTS_CLAUSE,
    REJECTS_PREVIOUS,
    REPORTED,
    plain_form,
    sentence_role,
    split_clauses,
)
from nlp.tagging import IssueTagger

ROLE_WEIGHTS = {OWN: 1.0, QUESTION: 0.5, REJECTS_CLAUSE: 1.0, REJECTS_PREVIOUS: 1.0,
                ENDORSES_PREVIOUS: 1.0, ENDORSES_CLAUSE: 1.0, REPORTED: 0.0, CONCEDED: 0.3,
                PROCEDURE: 0.0}
REASON_WORDS = 10
"""A reaction to the clause before it ("we cannot accept that, because ...") this long also
counts as a view of its own."""


@dataclass(frozen=True, slots=True)
class Reading:
    """The stance a paragraph takes on one issue.

    Attributes:
        stance: in [-1, 1]; ``None`` when the paragraph takes no side.
        sentence: the clause that decided (for a rejection, the rejecting clause), or ``""``.
        role: what that clause does (see :mod:`nlp.stance_cues`), or ``""``.
        relevance: that clause's tagger score for the issue over the issue's threshold (1 or
            more: the clause alone would be tagged with the issue).
        on_issue: that clause is more about this issue than about any other (the tagger's
            :meth:`~nlp.tagging.IssueTagger.closest_issue`) and scores at least ``focus_floor``
            of the threshold.
        clauses: how many clauses the text was read as (0: not read).
    """

    stance: float | None
    sentence: str = ""
    role: str = ""
    relevance: float = 0.0
    on_issue: bool = False
    clauses: int = 0


def paragraph_clauses(text: str, language: str = "en") -> list[str]:
    """The substantive sentences of a paragraph, cut into clauses at semicolons and dashes."""
    doc = pipeline_for(language or "en")(text)
    sentences = [s.text.strip() for s in doc.sents if s.text.strip()]
    return [c for c in split_clauses(sentences) if not is_procedural(c)] or [text.strip()]


@dataclass(frozen=True, slots=True)
class _Clause:
    text: str
    role: str
    row: int            # vector row of the clause itself
    scored_row: int     # vector row whose stance it carries
    sign: float         # -1 when it carries the opposite of that row's stance


def _plan(texts: Sequence[str], languages: Sequence[str]) -> tuple[list[list[_Clause]], list[str]]:
    """Clauses per paragraph and the list of unique texts to embed."""
    index: dict[str, int] = {}

    def row(text: str) -> int:
        return index.setdefault(text, len(index))

    plans = []
    for text, language in zip(texts, languages, strict=True):
        clauses = []
        parts = paragraph_clauses(text, language)
        for k, clause in enumerate(parts):
            plain = plain_form(clause)
            role = sentence_role(plain)
            if role.role == OWN and not role.clause and k + 1 < len(parts) and CONTRAST.match(
                    parts[k + 1]):  # "X, but Y": X is conceded
                role = type(role)(CONCEDED)
            own = row(clause)
            scored, sign = row(plain), 1.0
            if role.clause:  # the rejected claim, or the content of a reported view
                scored, sign = row(role.clause), -1.0 if role.role == REJECTS_CLAUSE else 1.0
            clauses.append(_Clause(clause, role.role, own, scored, sign))
        plans.append(clauses)
    return plans, list(index)


def read_paragraphs(texts: Sequence[str], issues: Sequence[Sequence[str]], *,
                    tagger: IssueTagger, stance_model: StanceModel, embedder: Embedder,
                    languages: Sequence[str] | None = None,
                    relevance: float = 0.7,
                    focus_floor: float | None = None) -> list[dict[str, Reading]]:
    """Read the stance of each paragraph on each of its issues.

    Args:
        texts: paragraphs (or single sentences).
        issues: per text, the contested issue ids to read (usually its tags); other ids are
            ignored.
        tagger: a fitted tagger (clause relevance to each issue).
        stance_model: a fitted stance model.
        embedder: encodes every clause of every text in one call (wrap it in a cache).
        languages: ISO 639-1 code per text, for sentence splitting (English by default).
        relevance: a clause counts when its tagger score reaches this share of the issue's
            threshold...
        focus_floor: ...or when the issue is the one it is most about (the tagger's
            ``closest_issue``) and its score reaches this share; ``None``: no such gate.

    Returns:
        Per text, ``{issue_id: Reading}`` for its contested issues.
    """
    if len(issues) != len(texts):
        raise ValueError(f"issues has {len(issues)} entries for {len(texts)} texts")
    if not 0 < relevance <= 2:
        raise ValueError(f"relevance must be in (0, 2]; got {relevance}")
    languages = list(languages) if languages is not None else ["en"] * len(texts)
    contested = set(stance_model.issue_ids_)
    column = {issue_id: j for j, issue_id in enumerate(tagger.issue_ids_)}
    asked = [[i for i in dict.fromkeys(row) if i in contested] for row in issues]
    out: list[dict[str, Reading]] = [{} for _ in texts]
    # an issue the paragraph never names takes no side, so its clauses are not even embedded
    named = tagger.names_issue([texts[n] if row else "" for n, row in enumerate(asked)])
    wanted = [[i for i in row if named[n, column[i]]] for n, row in enumerate(asked)]
    for n, row in enumerate(asked):
        out[n].update((i, Reading(None)) for i in row if not named[n, column[i]])
    needed = [n for n, row in enumerate(wanted) if row]
    plans, unique = _plan([texts[n] for n in needed], [languages[n] for n in needed])
    if not unique:
        return [dict(sorted(d.items())) for d in out]
    vectors = embedder.encode(unique)
    scores = tagger.score(unique, vectors)
    top_issue = tagger.closest_issue(vectors)
    for issue_id in sorted({i for n in needed for i in wanted[n]}):
        j = column[issue_id]
        on_issue = ((top_issue == j) & (scores[:, j] >= focus_floor * tagger.thresholds_[j])
                    if focus_floor is not None else np.zeros(len(unique), dtype=bool))
        relevant = (scores[:, j] >= relevance * tagger.thresholds_[j]) | on_issue
        proba = stance_model.predict_proba(issue_id, vectors)
        value = proba[:, 2] - proba[:, 0]
        neutral = stance_model.is_neutral(proba)
        alone = stance_model.is_neutral(proba, single=True)
        for n, plan in zip(needed, plans, strict=True):
            if issue_id in wanted[n]:
                out[n][issue_id] = _decide(plan, value, alone if len(plan) == 1 else neutral,
                                           relevant,
                                           scores[:, j] / tagger.thresholds_[j], on_issue)
    return [dict(sorted(d.items())) for d in out]  # issue order, whichever way each was read


def _candidates(plan: list[_Clause], k: int) -> list[tuple[int, int, float]]:
    """``(row scored, row it is about, sign)`` for each reading of clause ``k``."""
    clause = plan[k]
    if clause.role in (REJECTS_PREVIOUS, ENDORSES_PREVIOUS):
        own = [(clause.row, clause.row, 1.0)]
        if k == 0:  # nothing before it to react to: read it as it stands
            return own
        before = plan[k - 1]
        sign = before.sign * (-1.0 if clause.role == REJECTS_PREVIOUS else 1.0)
        reaction = [(before.scored_row, before.row, sign)]
        # "we cannot accept that, because X": a reason that says more than the reaction
        return reaction + (own if len(clause.text.split()) >= REASON_WORDS else [])
    if clause.role == REJECTS_CLAUSE:
        return [(clause.scored_row, clause.scored_row, clause.sign)]
    return [(clause.scored_row, clause.row, clause.sign)]


def _decide(plan: list[_Clause], value: np.ndarray, neutral: np.ndarray,
            relevant: np.ndarray, rel: np.ndarray, on_issue: np.ndarray) -> Reading:
    best: tuple[float, float, _Clause, float, bool] | None = None
    for k, clause in enumerate(plan):
        weight = ROLE_WEIGHTS[clause.role]
        for row, about, sign in _candidates(plan, k):
            if not (relevant[about] or relevant[row]) or neutral[row]:
                continue
            # a clause that is plainly about the issue outweighs an equally sure one in passing
            relevance = float(max(rel[about], rel[row]))
            focused = bool(on_issue[about] or on_issue[row])
            strength = abs(value[row]) * weight * (1.0 if focused else min(1.0, relevance))
            if strength > 0 and (best is None or strength > best[0]):
                best = (strength, sign * float(value[row]), clause, relevance, focused)
    if best is None:
        return Reading(None, clauses=len(plan))
    return Reading(round(best[1], 6), best[2].text, best[2].role, round(best[3], 4), best[4],
                   len(plan))
