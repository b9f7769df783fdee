"""``likeminded forecast``: place a draft paragraph on the taxonomy and tell who would back it.

The draft is tagged and scored with the same fitted tagger and stance model the pipeline uses
(:func:`pipelines.stages.text.fitted_models`); the states' camps come from the stored pooled
positions and their closest paragraphs from the same tagged rows the positions were computed from
(:func:`pipelines.stages.analysis_inputs.load_analysis_inputs`, analyst corrections applied). The
camp logic itself is :func:`nlp.forecast.forecast_issue`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from corpora.countries import country_name
from corpora.store import Store
from nlp.annotate import annotate_texts
from nlp.forecast import OPPOSE, SUPPORT, SWING, UNKNOWN, Outlook, draft_side, forecast_issue
from nlp.language import detect_language
from nlp.positions import WINDOW
from nlp.stance_reading import read_paragraphs
from pipelines.settings import PipelineConfig
from pipelines.stages.analysis_inputs import AnalysisInputs, load_analysis_inputs
from pipelines.stages.text import fitted_models, get_embedder, get_taxonomy
from pipelines.store.storage import open_store


def place_draft(text: str, *, db: str, config: PipelineConfig) -> dict[str, Any]:
    """The draft's issue scores, tags and stance on every contested issue, and its vector.

    Read as the annotation stage reads a paragraph (:func:`nlp.annotate.annotate_texts`, clause
    by clause), as a text of the negotiation (in the taxonomy's domain).

    Returns:
        ``{"tags": [ids], "scores": {id: score}, "stance": {id: value or None},
        "vector": (d,) array}``; stance is given for every contested issue (tagged or not) so
        that ``--issue`` can force one.
    """
    tagger, stance_model = fitted_models(config, db)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    embedder = get_embedder(config.embedding)
    vectors = embedder.encode([text])
    languages = [detect_language(text)]
    note = annotate_texts([text], vectors, tagger=tagger, stance_model=stance_model,
                          embedder=embedder, languages=languages, venue=[True],
                          stance_relevance=config.analysis.stance_relevance,
                          clause_relevance=config.analysis.clause_relevance,
                          named_relevance=config.analysis.named_clause_relevance,
                          focus_floor=config.analysis.issue_focus_floor,
                          off_topic_gate=config.analysis.off_topic_gate)[0]
    forced = read_paragraphs([text], [[i.id for i in taxonomy.contested]], tagger=tagger,
                             stance_model=stance_model, embedder=embedder,
                             languages=languages)[0]
    stance = {}
    for issue in taxonomy.contested:
        reading = note.stances.get(issue.id) or forced.get(issue.id)
        value = None if reading is None else reading.stance
        stance[issue.id] = None if value is None or math.isnan(value) else round(value, 4)
    return {"tags": list(note.tags),
            "scores": {i: round(note.scores[j], 4) for j, i in enumerate(tagger.issue_ids_)},
            "stance": stance, "vector": vectors[0]}


def _pooled_positions(store: Store, issue: str) -> pd.DataFrame:
    return store.con.execute(
        "SELECT state, stance, stance_lo, stance_hi, n_own, n_group FROM positions "
        "WHERE issue = ? AND session = ? ORDER BY state", [issue, WINDOW]).df()


def _moves(store: Store, issue: str) -> dict[str, tuple[float | None, float | None]]:
    """State -> (stance before, after) of its latest recorded move on ``issue``."""
    rows = store.con.execute(
        'SELECT m.state, m.stance_from, m.stance_to FROM movers m JOIN dispersion d ON '
        'd.issue = m.issue AND d.session = m.to_session WHERE m.issue = ? '
        'ORDER BY m.state, d."order"', [issue]).fetchall()
    return {state: (_finite(before), _finite(after)) for state, before, after in rows}


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _states(store: Store) -> list[str]:
    return store.current_states()


def _segments_by_key(inputs: AnalysisInputs, keys: set[tuple[str, int]]) -> set[int]:
    if not keys:
        return set()
    frame = inputs.segments
    mask = [(s, int(i)) in keys for s, i in zip(frame["statement_id"], frame["idx"],
                                                  strict=True)]
    return set(frame.loc[mask, "seg"].astype(int))


def _entry(outlook: Outlook, inputs: AnalysisInputs) -> dict[str, Any]:
    item: dict[str, Any] = {
        "state": outlook.state, "name": country_name(outlook.state), "camp": outlook.camp,
        "stance": outlook.stance, "lo": outlook.lo, "hi": outlook.hi, "lean": outlook.lean,
        "voice": outlook.voice, "both_sides": outlook.both_sides, "reason": outlook.reason,
        "closest": None}
    if outlook.closest_seg is not None:
        seg = inputs.segments.iloc[outlook.closest_seg]
        behalf = str(seg["on_behalf_of"] or "")
        item["closest"] = {
            "statement_id": str(seg["statement_id"]), "idx": int(seg["idx"]),
            "segment_id": f"{seg['statement_id']}#{int(seg['idx'])}",
            "text": str(seg["text"]), "session": str(seg["session"]),
            "speaker": str(seg["state"]), "on_behalf_of": behalf,
            "voice": "group" if outlook.closest_kind == "group" or behalf else "own",
            "similarity": outlook.closest_similarity,
            "source": str(seg["url"] or seg["source"])}
    return item


def forecast_document(text: str, *, db: str, config: PipelineConfig, issue: str | None = None,
                      top: int = 10) -> dict[str, Any]:
    """Who would back ``text``: per contested issue it takes a side on, states by camp.

    Args:
        text: the draft paragraph.
        db: the analysed store.
        issue: forecast this contested issue only (even if the draft is not tagged with it).
        top: supporters and opponents listed per issue (swing and unknown states: all).

    Raises:
        ValueError: ``issue`` is consensual, or the store holds no analysis.
    """
    from pipelines.store.corrections import quote_corrections
    from pipelines.store.queries import latest_provenance

    text = " ".join(text.split())
    if not text:
        raise ValueError("--text: the draft is empty")
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    if issue is not None and not taxonomy[issue].contested:
        raise ValueError(f"--issue: {issue!r} is a consensual issue (no sides to take); "
                         "contested issues: " + ", ".join(i.id for i in taxonomy.contested))
    placed = place_draft(text, db=db, config=config)
    wanted = [issue] if issue else [t for t in placed["tags"] if t in placed["stance"]]
    embedder = get_embedder(config.embedding)
    with open_store(db, read_only=True) as store:
        if not store.con.execute("SELECT count(*) FROM positions").fetchall()[0][0]:
            raise ValueError("no analysis stored yet; run 'likeminded run' first")
        inputs = load_analysis_inputs(store, embedder.model_key, embedder.dimension,
                                      group_weight=config.analysis.group_weight)
        states = _states(store)
        positions = {i: _pooled_positions(store, i) for i in wanted}
        moves = {i: _moves(store, i) for i in wanted}
        rejected, pinned = quote_corrections(store)
        provenance = latest_provenance(store)
    excluded = _segments_by_key(inputs, rejected)
    pinned_segs = _segments_by_key(inputs, pinned)
    draft_vector = np.asarray(placed["vector"], dtype=np.float32)
    parts = []
    for issue_id in wanted:
        info = taxonomy[issue_id]
        value = placed["stance"][issue_id]
        side = draft_side(value)
        part: dict[str, Any] = {
            "issue": issue_id, "label": info.label, "tagged": issue_id in placed["tags"],
            "draft_stance": value, "draft_side": side,
            "draft_pole": (info.plus.label if side > 0 else info.minus.label)
            if side and info.plus and info.minus else None,
            SUPPORT: [], OPPOSE: [], SWING: [], UNKNOWN: []}
        if side:
            rows = inputs.rows[inputs.rows["issue"] == issue_id]
            outlooks = forecast_issue(side, positions[issue_id], rows, inputs.vectors,
                                      draft_vector, states, excluded=excluded,
                                      pinned=pinned_segs, moves=moves[issue_id])
            for camp in (SUPPORT, OPPOSE, SWING):
                chosen = [o for o in outlooks if o.camp == camp]
                part[camp] = [_entry(o, inputs) for o in
                              (chosen[:top] if camp != SWING else chosen)]
            part[UNKNOWN] = [{"state": o.state, "name": country_name(o.state),
                              "reason": o.reason} for o in outlooks if o.camp == UNKNOWN]
            part["counts"] = {camp: sum(o.camp == camp for o in outlooks)
                              for camp in (SUPPORT, OPPOSE, SWING, UNKNOWN)}
        parts.append(part)
    note = "" if parts else (
        "the draft is tagged with no contested issue (tags: "
        f"{', '.join(placed['tags']) or 'none'}); pass --issue ID to forecast one")
    return {"draft": text, "tags": placed["tags"], "issue_scores": placed["scores"],
            "issues": parts, "note": note, "top": top, "provenance": provenance}
