"""Small hand-made inputs for the report tests: a :class:`ReportData` and a DuckDB store.

Six states, two sessions, one contested and one consensual issue. Kenya moves from the
"new convention" pole toward "existing law suffices"; its later paragraph (and a quarantine
reason) carry an XSS payload that must always render as text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.store.storage import open_store
from reports import ReportData

XSS = "<script>window.__xss=1</script><img src=x onerror=alert(1)>"
URL = "https://example.org/statements/ken-2024.pdf?a=1&b=2"
S1, S2, WINDOW = "OEWG-2023-5", "OEWG-2024-8", "*"
SESSIONS = (S1, S2)
BINDING, CAPACITY = "binding_instrument", "capacity_building"
STATES = ("CHN", "FRA", "GBR", "KEN", "RUS", "USA")
NAMES = {"CHN": "China", "FRA": "France", "GBR": "United Kingdom", "KEN": "Kenya",
         "RUS": "Russian Federation", "USA": "United States", "DEU": "Germany"}
STANCE = {("CHN", S1): 0.7, ("CHN", S2): 0.8, ("FRA", S1): -0.5, ("FRA", S2): -0.6,
          ("GBR", S1): -0.6, ("GBR", S2): -0.7, ("KEN", S1): 0.5, ("KEN", S2): -0.3,
          ("RUS", S1): 0.8, ("RUS", S2): 0.9, ("USA", S1): -0.7, ("USA", S2): -0.6}
COALITION = {"CHN": 0, "RUS": 0, "FRA": 1, "GBR": 1, "KEN": 1, "USA": 1}
GROUPS = {"EU": {"name": "European Union", "members": ["DEU", "FRA"]},
          "FIVE_EYES": {"name": "Five Eyes", "members": ["GBR", "USA"]},
          "SCO": {"name": "Shanghai Cooperation Organisation", "members": ["CHN", "RUS"]},
          "AFRICAN_GROUP": {"name": "Group of African States", "members": ["KEN"]}}
ISSUE_INFO = {
    BINDING: {"label": "Legally binding instrument", "kind": "contested",
              "description": "Existing law or a new convention.",
              "minus": "Existing international law suffices",
              "plus": "A new legally binding convention is needed"},
    CAPACITY: {"label": "Capacity building", "kind": "consensual",
               "description": "Help to build national capacities.", "minus": "", "plus": ""},
}
DATES = {S1: dt.date(2023, 7, 24), S2: dt.date(2024, 7, 8)}
FINISHED = dt.datetime(2024, 7, 20, 12, 0, 0)
MODEL_KEY = "test-model@0000000000000000/fp32"


def stance(state: str, session: str) -> float:
    if session == WINDOW:
        return round((STANCE[state, S1] + STANCE[state, S2]) / 2, 4)
    return STANCE[state, session]


def text(state: str, session: str) -> str:
    if (state, session) == ("KEN", S2):
        return f"Kenya now sees no need for a new treaty. {XSS} Existing law applies."
    side = "a new convention is needed" if stance(state, session) > 0 else \
        "existing international law suffices"
    return f"{NAMES[state]} believes that {side} ({session})."


def score(a: str, b: str, session: str) -> float:
    return round(1 - abs(stance(a, session) - stance(b, session)), 4)


def _positions() -> pd.DataFrame:
    rows = []
    for state in STATES:
        for session in (*SESSIONS, WINDOW):
            s = stance(state, session)
            rows.append({"state": state, "issue": BINDING, "session": session, "n_own": 2,
                         "n_group": 1, "weight": 2.5, "stance": s, "stance_lo": s - 0.1,
                         "stance_hi": s + 0.1, "n_stance": 2, "thin": False})
            thin = state == "CHN"
            rows.append({"state": state, "issue": CAPACITY, "session": session,
                         "n_own": 0 if thin else 1, "n_group": 0, "weight": 0.5 if thin else 1,
                         "stance": np.nan, "stance_lo": np.nan, "stance_hi": np.nan,
                         "n_stance": 0, "thin": thin})
    return pd.DataFrame(rows)


def _alignment(all_issues: bool = False) -> pd.DataFrame:
    rows = []
    for i, a in enumerate(STATES):
        for b in STATES[i + 1:]:
            for session in (*SESSIONS, WINDOW):
                value = score(a, b, session)
                lo, hi = (value - 0.1, min(1.0, value + 0.1)) if session == WINDOW else (
                    np.nan, np.nan)
                rows.append({"state_a": a, "state_b": b, "issue": "*", "session": session,
                             "score": value, "lo": lo, "hi": hi, "basis": "issues"})
                if all_issues and session == WINDOW:
                    rows.append({"state_a": a, "state_b": b, "issue": BINDING,
                                 "session": session, "score": value, "lo": lo, "hi": hi,
                                 "basis": "issues"})
    return pd.DataFrame(rows)


def _dispersion() -> pd.DataFrame:
    return pd.DataFrame([
        {"issue": issue, "session": s, "order": k, "n_states": 6,
         "stance_sd": (0.7 - 0.2 * k) if issue == BINDING else np.nan,
         "stance_sd_lo": (0.6 - 0.2 * k) if issue == BINDING else np.nan,
         "stance_sd_hi": (0.8 - 0.2 * k) if issue == BINDING else np.nan,
         "semantic_spread": 0.5, "spread_lo": 0.4, "spread_hi": 0.6,
         "centre": (0.1 * k) if issue == BINDING else np.nan,
         "centre_lo": (0.1 * k - 0.1) if issue == BINDING else np.nan,
         "centre_hi": (0.1 * k + 0.1) if issue == BINDING else np.nan}
        for issue in (BINDING, CAPACITY) for k, s in enumerate(SESSIONS)])


TRENDS = pd.DataFrame([
    {"issue": BINDING, "measure": "stance_sd", "slope": -0.2, "lo": -0.3, "hi": -0.1,
     "sessions": 2, "direction": "converging"},
    {"issue": BINDING, "measure": "semantic_spread", "slope": 0.0, "lo": -0.1, "hi": 0.1,
     "sessions": 2, "direction": "stable"},
    {"issue": CAPACITY, "measure": "semantic_spread", "slope": 0.0, "lo": -0.1, "hi": 0.1,
     "sessions": 2, "direction": "stable"},
    {"issue": BINDING, "measure": "centre", "slope": 0.1, "lo": 0.02, "hi": 0.2,
     "sessions": 2, "direction": "toward_plus"}])
MOVERS = pd.DataFrame([{"state": "KEN", "issue": BINDING, "from_session": S1,
                        "to_session": S2, "shift": -0.8, "shift_lo": -1.0, "shift_hi": -0.6,
                        "stance_from": 0.5, "stance_to": -0.3, "pole": "minus", "camp": 1,
                        "toward": ["USA", "GBR"]}])
COALITION_POSITIONS = pd.DataFrame([
    {"coalition": 0, "issue": BINDING, "pole": "plus", "share": 1.0, "states": 3,
     "mean_stance": 0.6},
    {"coalition": 1, "issue": BINDING, "pole": "minus", "share": 1.0, "states": 3,
     "mean_stance": -0.6}])


def _pair_changes() -> pd.DataFrame:
    rows = []
    for i, a in enumerate(STATES):
        for b in STATES[i + 1:]:
            before, after = score(a, b, S1), score(a, b, S2)
            rows.append({"state_a": a, "state_b": b, "from_session": S1, "to_session": S2,
                         "before": before, "after": after, "delta": after - before,
                         "delta_lo": after - before - 0.2, "delta_hi": after - before + 0.2})
    return pd.DataFrame(rows)
VALIDATION = pd.DataFrame([
    {"measure": m, "spearman": r, "spearman_lo": r - 0.1, "spearman_hi": r + 0.1,
     "pearson": r, "pearson_lo": r - 0.1, "pearson_hi": r + 0.1, "n_pairs": 15, "n_states": 6,
     "n_roll_calls": 40, "votes_source": "votes.csv", "selection": json.dumps(
         {"ids": [], "sessions": [73], "keywords": [], "years": []}),
     "text_issue": "*", "text_session": "*"}
    for m, r in (("kappa", 0.5), ("s_score", 0.6), ("agreement", 0.55))])
COALITIONS = pd.DataFrame([{"issue": "*", "state": s, "coalition": c, "silhouette": 0.5,
                            "nearest_other": 1 - c, "attached": True, "nearest": c,
                            "nearest_alignment": 0.6} for s, c in sorted(COALITION.items())])
COHESION = pd.DataFrame([
    {"issue": "*", "group": "FIVE_EYES", "members_present": 2, "pairs": 1, "cohesion": 0.9,
     "main_coalition": 1, "share_in_main": 1.0},
    {"issue": "*", "group": "SCO", "members_present": 2, "pairs": 1, "cohesion": 0.9,
     "main_coalition": 0, "share_in_main": 1.0},
    {"issue": "*", "group": "EU", "members_present": 1, "pairs": 0, "cohesion": np.nan,
     "main_coalition": 1, "share_in_main": 1.0}])
TOPICS = pd.DataFrame([
    {"topic_id": 0, "size": 8, "label": "law, treaty", "keywords": ["law", "treaty"]},
    {"topic_id": 1, "size": 4, "label": "capacity, training", "keywords": ["capacity"]}])


def _quotes() -> pd.DataFrame:
    rows = [{"statement_id": f"{state.lower()}-{session}", "idx": 1, "state": state,
             "session": session, "issue": BINDING, "stance": stance(state, session),
             "score": 0.8, "text": text(state, session), "source": f"{session}/{state}.txt",
             "url": URL if state == "KEN" else "", "on_behalf_of": "", "joint": False}
            for state in ("KEN",) for session in SESSIONS]
    rows.append({"statement_id": f"eu-{S2}", "idx": 1, "state": "FRA", "session": S2,
                 "issue": BINDING, "stance": -0.4, "score": 0.9,
                 "text": "The EU sees no need for a new legally binding instrument.",
                 "source": f"{S2}/eu_fra.txt", "url": "", "on_behalf_of": "EU",
                 "joint": False})
    for state, side, words in (("CHN", 0.5, "call for a new treaty"),
                               ("GBR", -0.5, "see no need for a new treaty")):
        rows.append({"statement_id": f"joint-{state.lower()}-{S2}", "idx": 1, "state": state,
                     "session": S2, "issue": BINDING, "stance": side, "score": 0.9,
                     "text": f"We, a cross-regional group of states, {words}.",
                     "source": f"{S2}/joint_{state.lower()}.txt", "url": "", "on_behalf_of": "",
                     "joint": True})
    return pd.DataFrame(rows)


def _partners() -> dict:
    def evidence(partner: str) -> dict:
        return {"issue": BINDING, "similarity": 0.71, "state": "KEN", "session": S2,
                "quote": text("KEN", S2), "source": URL, "partner": partner,
                "partner_session": S2, "partner_quote": text(partner, S2),
                "partner_source": f"{S2}/{partner}.txt", "on_behalf_of": "",
                "partner_on_behalf_of": ""}

    def entry(partner: str, with_evidence: bool) -> dict:
        value = score("KEN", partner, WINDOW)
        return {"state": partner, "score": value, "lo": value - 0.1, "hi": value + 0.1,
                "drivers": [{"issue": BINDING, "score": value}],
                "evidence": [evidence(partner)] if with_evidence else []}

    others = sorted((s for s in STATES if s != "KEN"), key=lambda s: -score("KEN", s, WINDOW))
    return {"KEN": {issue: {"partners": [entry(p, True) for p in others[:3]],
                            "opposed": [entry(p, False) for p in others[::-1][:2]]}
                    for issue in ("*", BINDING)}}


def make_report_data() -> ReportData:
    """The hand-made :class:`ReportData` of the build and HTML tests."""
    statements = pd.DataFrame([
        {"id": f"{s.lower()}-{session}", "state": s, "on_behalf_of": "", "forum": "OEWG",
         "session": session, "date": DATES[session], "language": "en",
         "source": f"{session}/{s}.txt", "url": URL if s == "KEN" else ""}
        for s in STATES for session in SESSIONS]
        + [{"id": f"ken-extra-{S2}", "state": "KEN", "on_behalf_of": "", "forum": "OEWG",
            "session": S2, "date": DATES[S2], "language": "fr", "source": "extra.txt",
            "url": ""}])
    status = {"statements": len(statements), "states": len(STATES),
              "sessions": [{"forum": "OEWG", "session": s, "from": str(DATES[s]),
                            "to": str(DATES[s]), "statements": 6, "states": 6}
                           for s in SESSIONS],
              "languages": {"en": 12, "fr": 1},
              "quarantine": [{"source": "bad.txt", "field": "state",
                              "reason": f"bad.txt: unknown state {XSS!r}"}]}
    provenance = {"run_id": "update-0123456789ab", "finished_at": str(FINISHED),
                  "corpus_hash": "c" * 64, "config_hash": "d" * 64, "model": "test-model",
                  "weights_sha256": "e" * 64, "precision": "fp32",
                  "versions": {"python": "3.11", "likeminded": "0.1.0"}}
    return ReportData(
        status=status, provenance=provenance, session_order=SESSIONS, issue_info=ISSUE_INFO,
        groups=GROUPS, names=NAMES, partners=_partners(), statements=statements,
        alignment=_alignment(), positions=_positions(), coalitions=COALITIONS,
        group_cohesion=COHESION, dispersion=_dispersion(), trends=TRENDS, movers=MOVERS,
        coalition_positions=COALITION_POSITIONS, pair_changes=_pair_changes(),
        vote_validation=VALIDATION, topics=TOPICS,
        topic_counts=pd.DataFrame([{"topic_id": t, "session": s, "n": n}
                                   for t, s, n in ((0, S1, 6), (0, S2, 4), (1, S1, 2),
                                                   (1, S2, 4))]),
        quotes=_quotes(), duplicates=1)


def _vector(seed: str) -> list[float]:
    digest = hashlib.sha256(seed.encode()).digest()
    values = np.frombuffer(digest[:16], dtype=np.uint8).astype(np.float32)[:4] - 127.5
    return (values / np.linalg.norm(values)).round(5).tolist()


def _insert(con, table: str, frame: pd.DataFrame) -> None:
    con.register("incoming", frame)
    try:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM incoming')
    finally:
        con.unregister("incoming")


def make_store(path: Path) -> Path:
    """A store with every table the report reads filled from the same small story."""
    with open_store(path) as store:
        con = store.con
        statements, segments, tags, annotations, embeddings = [], [], [], [], {}
        docs = [(s, session, "", text(s, session)) for s in STATES for session in SESSIONS]
        docs.append(("FRA", S2, "EU", "The EU sees no need for a new legally binding "
                     "instrument, and supports capacity building."))
        for state, session, group, body in docs:
            sid = f"{(group or state).lower()}-{session.lower()}"
            statements.append({
                "id": sid, "document": f"{session}/{sid}.txt", "version": 1, "state": state,
                "on_behalf_of": group, "aligned_with": "", "forum": "OEWG", "session": session,
                "date": DATES[session], "agenda_item": "", "language": "en",
                "title": f"Statement {sid}", "source": f"{session.lower()}/{sid}.txt",
                "url": URL if state == "KEN" and session == S2 else "", "text": body,
                "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                "encoding": "utf-8", "ingested_at": FINISHED})
            annotations.append({"statement_id": sid, "language_detected": "en",
                                "on_behalf_detected": group, "aligned_detected": "",
                                "n_segments": 2, "n_procedural": 1, "segment_config": "x"})
            for idx, (kind, part) in enumerate((("procedural", "Thank you, Chair."),
                                                ("substantive", body))):
                digest = hashlib.sha256(part.encode()).hexdigest()
                segments.append({"statement_id": sid, "idx": idx, "paragraph": idx,
                                 "kind": kind, "text": part, "n_sentences": 1,
                                 "text_hash": digest})
                embeddings[digest] = _vector(part)
            s = -0.4 if group else stance(state, session)
            tags.append({"statement_id": sid, "idx": 1, "issue": BINDING, "score": 0.8,
                         "stance": s})
            tags.append({"statement_id": sid, "idx": 1, "issue": CAPACITY, "score": 0.5,
                         "stance": None})
        _insert(con, "statements", pd.DataFrame(statements))
        _insert(con, "statement_annotations", pd.DataFrame(annotations))
        _insert(con, "segments", pd.DataFrame(segments))
        _insert(con, "segment_issues", pd.DataFrame(tags))
        _insert(con, "embeddings", pd.DataFrame({"model_key": MODEL_KEY,
                                                 "text_hash": list(embeddings),
                                                 "vector": list(embeddings.values())}))
        con.execute("INSERT INTO models VALUES (?, 'sentence-transformers', 'test-model', ?, "
                    "'fp32', 4, ?)", [MODEL_KEY, "e" * 64, FINISHED])
        con.execute("INSERT INTO analysis_state VALUES ('annotate', 'f', ?, ?)",
                    [FINISHED, json.dumps({"model_key": MODEL_KEY})])
        positions = _positions()
        positions["direction"] = [_vector(f"{r.state}{r.issue}{r.session}")
                                  for r in positions.itertuples()]
        _insert(con, "positions", positions)
        _insert(con, "alignment", _alignment(all_issues=True))
        _insert(con, "coalitions", COALITIONS)
        _insert(con, "coalition_summary", pd.DataFrame([{"issue": "*", "k": 2,
                                                         "k_scores": '{"2": 0.5}'}]))
        _insert(con, "group_cohesion", COHESION)
        _insert(con, "dispersion", _dispersion())
        _insert(con, "trends", TRENDS)
        _insert(con, "movers", MOVERS)
        _insert(con, "coalition_positions", COALITION_POSITIONS)
        _insert(con, "pair_changes", _pair_changes())
        _insert(con, "vote_validation", VALIDATION)
        _insert(con, "topics", TOPICS.assign(representative_statement="usa-oewg-2023-5",
                                             representative_idx=1))
        _insert(con, "segment_topics", pd.DataFrame([
            {"statement_id": r["id"], "idx": 1, "topic_id": k % 2}
            for k, r in enumerate(statements)]))
        con.execute("INSERT INTO quarantine VALUES ('bad.txt', 'state', ?, 'ingest-1', ?, ?)",
                    [f"bad.txt: unknown state {XSS!r}", FINISHED, FINISHED])
        provenance = {"corpus_hash": store.corpus_hash(), "config_hash": "d" * 64,
                      "versions": {"python": "3.11", "likeminded": "0.1.0"}}
        con.execute("INSERT INTO runs VALUES ('update-0123456789ab', 'update', ?, ?, "
                    "'completed', ?, '{}', '')",
                    [FINISHED - dt.timedelta(minutes=5), FINISHED, json.dumps(provenance)])
    return path
