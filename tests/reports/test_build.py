"""Building the report model from a small hand-made ReportData (pure, no store)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from reports import build_report, classical_mds, default_focus
from reports.model import Report
from tests.reports.synthetic import BINDING, CAPACITY, S1, S2, URL, XSS


def test_default_focus_is_the_states_with_most_statements(data):
    assert default_focus(data) == ("KEN", "CHN", "FRA")
    assert [b.state for b in build_report(data).focus] == ["KEN", "CHN", "FRA"]


def test_summary_and_provenance(data):
    report = build_report(data, focus=["KEN"])
    s = report.summary
    assert (s.statements, s.states, len(s.sessions)) == (13, 6, 2)
    assert (s.date_from, s.date_to) == ("2023-07-24", "2024-07-08")
    assert s.languages == (("en", 12), ("fr", 1))
    prov = dict(s.provenance)
    assert prov["Run"] == "update-0123456789ab" and prov["Embedding model"] == "test-model"
    assert prov["Model weights SHA-256"] == "e" * 64 and prov["Configuration hash"] == "d" * 64
    assert dict(s.versions)["likeminded"] == "0.1.0"
    assert dict(s.scope)["Focus states"] == "Kenya (KEN)"


def test_data_quality_lists_quarantine_and_thin_evidence(data):
    q = build_report(data).quality
    assert [i.source for i in q.quarantined] == ["bad.txt"] and XSS in q.quarantined[0].reason
    thin = {t.issue: t for t in q.thin}
    assert thin[CAPACITY].thin == ("CHN",) and thin[CAPACITY].addressed == 5
    assert thin[BINDING].thin == () and q.duplicates == 1


def test_data_quality_shows_coverage_by_language_and_warns(data):
    from reports.html import render_report

    status = {**data.status, "annotation_by_language": {
        "en": {"segments": 40, "tag_rate": 0.9, "stance_rate": 0.5},
        "fr": {"segments": 6, "tag_rate": 0.3, "stance_rate": 0.1}},
        "annotation_warnings": ["fr: 30% of 6 paragraphs tagged with an issue, against 90% in en"]}
    report = build_report(dataclasses.replace(data, status=status))
    assert [(c.language, c.segments) for c in report.quality.languages] == [("en", 40), ("fr", 6)]
    html = render_report(report)
    assert "Coverage by language" in html and "30% of 6 paragraphs" in html
    assert build_report(data).quality.languages == ()


def test_changes_movers_pairs_and_trends(data):
    c = build_report(data).changes
    assert (c.from_session, c.to_session) == (S1, S2)
    mover = c.movers[0]
    assert (mover.state, mover.issue, mover.toward) == ("KEN", BINDING, ("USA", "GBR"))
    assert "Existing international law suffices" in mover.direction
    assert mover.before.session == S1 and mover.after.session == S2
    assert XSS in mover.after.text and mover.after.url == URL
    deltas = [abs(p.delta) for p in c.pairs]
    assert deltas == sorted(deltas, reverse=True) and deltas[0] == pytest.approx(0.9)
    assert c.trends[0].issue == BINDING and c.trends[0].direction == "converging"
    assert c.trends[0].before == pytest.approx(0.7) and c.trends[0].after == pytest.approx(0.5)


def test_no_changes_with_the_first_session(data):
    assert build_report(data, session=S1).changes is None
    assert build_report(data, session=S2).changes.to_session == S2


def test_heatmap_ordered_by_coalition_with_group_marks(data):
    report = build_report(data)
    h = report.heatmap
    assert set(h.states[:2]) == {"CHN", "RUS"} and list(h.coalitions) == [0, 0, 1, 1, 1, 1]
    i, j = h.states.index("USA"), h.states.index("GBR")
    assert h.matrix[i][j] == h.matrix[j][i] == pytest.approx(1.0)
    assert all(h.matrix[k][k] == 1.0 for k in range(len(h.states)))
    eyes = next(g for g in h.groups if g.group == "FIVE_EYES")
    assert [s for s, m in zip(h.states, eyes.members, strict=True) if m] == sorted(
        ["USA", "GBR"], key=h.states.index)
    assert len(report.state_map.points) == 6 and 0 < report.state_map.explained <= 1
    assert [(c.id, c.states) for c in report.coalitions] == [
        (0, ("CHN", "RUS")), (1, ("FRA", "GBR", "KEN", "USA"))]
    assert [c.group for c in report.cohesion][:2] == ["FIVE_EYES", "SCO"]


def test_states_between_coalitions_are_named_not_members(data):
    """A state whose silhouette is below the membership floor is in no coalition: the report
    lists it between coalitions, with the coalition it aligns with most, and leaves it out of
    the coalition's members and colours."""
    from reports.html import render_report

    frame = data.coalitions.copy()
    kenya = frame["state"] == "KEN"
    frame.loc[kenya, ["attached", "silhouette", "nearest", "nearest_alignment"]] = [
        False, 0.12, 0, 0.21]
    report = build_report(dataclasses.replace(data, coalitions=frame))
    assert [(c.id, c.states) for c in report.coalitions] == [
        (0, ("CHN", "RUS")), (1, ("FRA", "GBR", "USA"))]
    assert [(u.state, u.clustered_with, u.nearest, u.silhouette, u.nearest_alignment)
            for u in report.unattached] == [("KEN", 1, 0, 0.12, 0.21)]
    h = report.heatmap
    assert h.coalitions[h.states.index("KEN")] == -1
    html = render_report(report)
    assert "Between coalitions (unattached)" in html
    assert "silhouette +0.12, below the floor for membership (clustered with coalition B)" in html
    assert "mean alignment +0.21 with coalition A, the closest" in html
    assert build_report(data).unattached == ()


def test_classical_mds_separates_camps_deterministically():
    a = np.array([[1, .9, -.8, -.9], [.9, 1, -.7, -.8], [-.8, -.7, 1, .9], [-.9, -.8, .9, 1.]])
    coords, explained = classical_mds(a)
    again, _ = classical_mds(a.copy())
    assert np.array_equal(coords, again) and explained > 0.9
    assert np.sign(coords[0, 0]) == np.sign(coords[1, 0]) != np.sign(coords[2, 0])
    assert coords[np.argmax(np.abs(coords[:, 0])), 0] > 0
    assert classical_mds(np.ones((2, 2)))[1] == 0.0


def test_focus_brief_partners_evidence_positions_and_joinable(data):
    brief = build_report(data, focus=["KEN"]).focus[0]
    assert brief.member_of == ("AFRICAN_GROUP",) and brief.coalition == 1
    top = brief.overall.partners[0]
    assert top.state == "CHN" and top.score.value == pytest.approx(0.35)
    assert top.drivers[0][:2] == (BINDING, "Legally binding instrument")
    pair = top.evidence[0]
    assert pair.mine.url == URL and pair.mine.source == ""
    assert pair.theirs.url == "" and pair.theirs.source == f"{S2}/CHN.txt"
    assert [p.state for p in brief.overall.opposed] == ["USA", "RUS"]
    assert [p.issue for p in brief.per_issue] == [BINDING]
    rows = {r.issue: r for r in brief.positions}
    columns = [g for g, _ in brief.group_columns]
    assert columns[0] == "AFRICAN_GROUP"
    eyes = rows[BINDING].group_means[columns.index("FIVE_EYES")]
    assert eyes == pytest.approx((-0.65 - 0.65) / 2)
    assert rows[CAPACITY].stance.value is None and not rows[CAPACITY].contested
    # only joint statements (not the EU's, closed to Kenya) on Kenya's side (not GBR's)
    assert [(j.group, j.session) for j in brief.joinable] == [("joint", S2)]
    assert "China" in brief.joinable[0].group_name
    assert brief.joinable[0].fit == pytest.approx(1 - abs(0.5 - 0.1))


def test_focus_state_without_scores_is_explained(data):
    brief = build_report(data, focus=["DEU"]).focus[0]
    assert brief.overall is None and "no alignment scores" in brief.missing


def test_issue_sections(data):
    sections = {s.issue: s for s in build_report(data).issues}
    b = sections[BINDING]
    assert b.contested and b.poles[0] == "Existing international law suffices"
    values = [p.stance.value for p in b.stances]
    assert values == sorted(values) and len(values) == 6
    sco = next(g for g in b.groups if g.group == "SCO")
    assert sco.mean == pytest.approx(0.8) and sco.states == ("CHN", "RUS")
    assert [p.session for p in b.timeline] == [S1, S2] and b.measure.startswith("spread of")
    assert b.trend.direction == "converging"
    c = sections[CAPACITY]
    assert not c.contested and c.stances == () and c.addressed == 5
    assert c.measure == "semantic spread (1 - mean cosine)"


def test_topics_and_validation(data):
    report = build_report(data)
    assert report.topics.sessions == (S1, S2)
    assert report.topics.rows[0].shares == (0.75, 0.5)
    assert [r.measure for r in report.validation.rows] == ["s_score", "agreement", "kappa"]
    assert report.validation.selection == "sessions: 73"
    empty = dataclasses.replace(data, vote_validation=data.vote_validation.iloc[:0])
    assert build_report(empty).validation is None


def test_issue_filter_and_errors_name_the_value(data):
    report = build_report(data, issues=[CAPACITY])
    assert [s.issue for s in report.issues] == [CAPACITY]
    assert [p.issue for p in report.focus[0].positions] == [CAPACITY]
    with pytest.raises(ValueError, match="'nope'"):
        build_report(data, issues=["nope"])
    with pytest.raises(ValueError, match="OEWG-1999"):
        build_report(data, session="OEWG-1999")
    broken = dataclasses.replace(data, movers=pd.DataFrame({"state": []}))
    with pytest.raises(ValueError, match=r"ReportData.movers: missing columns"):
        build_report(broken)


def test_deterministic_and_frozen(data):
    first, second = build_report(data), build_report(data)
    assert isinstance(first, Report) and first == second
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.title = "changed"


def test_coalition_positions_in_words_keep_one_label_whole(data):
    from reports.build import shared_words

    info = {**data.issue_info, BINDING: {**data.issue_info[BINDING],
                                         "plus": "Against accusations; evidence first"}}
    words = shared_words(dataclasses.replace(data, issue_info=info), 0)
    assert words == "Against accusations, evidence first (100 % of 3)"
    assert shared_words(data, 1) == "Existing international law suffices (100 % of 3)"
