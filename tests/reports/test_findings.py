"""Key findings (reports.findings) on the hand-made ReportData: only significant movers,
converging issues with their heading, counterparts per contested issue, quality warnings."""

import dataclasses

import pandas as pd

from reports.findings import build_findings, illustrative_note, significant_movers
from tests.reports.synthetic import BINDING, MOVERS, S1, S2


def test_findings_name_the_significant_mover_and_the_converging_issue(data):
    found = build_findings(data, focus=["KEN", "USA"])
    assert (found.from_session, found.to_session) == (S1, S2)
    assert [(m.state, m.issue, m.pole, m.crossed) for m in found.movers] == [
        ("KEN", BINDING, "minus", True)]
    assert "Existing international law suffices" in found.movers[0].sentence
    assert [(t.issue, t.direction) for t in found.trends] == [(BINDING, "converging")]
    assert "new legally binding convention" in found.trends[0].heading
    ken = found.focus[0]
    assert [i.issue for i in ken.issues] == ["*", BINDING]  # consensual issues are left out
    assert ken.issues[1].partners[0].score.lo is not None
    assert found.focus[1].missing and not found.focus[1].issues  # USA: no scores, said so


def test_a_mover_whose_interval_includes_zero_is_not_significant(data):
    noisy = pd.concat([MOVERS, MOVERS.assign(state="GBR", shift=-0.3, shift_lo=-0.7,
                                             shift_hi=0.1)], ignore_index=True)
    movers = significant_movers(dataclasses.replace(data, movers=noisy))
    assert [m.state for m in movers] == ["KEN"]


def test_quality_warnings_say_how_much_takes_no_side_and_when_data_is_illustrative(data):
    status = {**data.status, "statements": 12,
              "annotation_by_language": {"en": {"segments": 100, "tagged": 80,
                                                "with_stance": 30, "tag_rate": 0.8,
                                                "stance_rate": 0.3}},
              "illustrative": {"statements": 12, "corpora": ["sample corpus"]}}
    found = build_findings(dataclasses.replace(data, status=status))
    kinds = {w.kind: w for w in found.warnings}
    assert kinds["no_stance"].share == 0.7 and "70% of the 100" in kinds["no_stance"].text
    assert found.warnings[0].kind == "illustrative"
    assert "All 12 statements" in kinds["illustrative"].text
    assert illustrative_note(data) == ""


def test_thin_evidence_and_weaker_languages_are_named(data):
    positions = data.positions.copy()
    positions.loc[(positions["state"] == "KEN") & (positions["issue"] == BINDING), "thin"] = True
    status = {**data.status, "annotation_by_language": {
        "en": {"segments": 100, "tagged": 90, "with_stance": 50, "tag_rate": 0.9,
               "stance_rate": 0.5},
        "fr": {"segments": 20, "tagged": 10, "with_stance": 8, "tag_rate": 0.5,
               "stance_rate": 0.4}}}
    found = build_findings(dataclasses.replace(data, positions=positions, status=status),
                           focus=["KEN"])
    texts = [w.text for w in found.warnings]
    assert any(t.startswith("fr: 50% of 20 paragraphs") for t in texts)
    assert any(t.startswith("Kenya: thin evidence on Legally binding instrument") for t in texts)
    assert any("the most of any contested issue" in t or "thin evidence (" in t for t in texts)
