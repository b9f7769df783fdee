"""The stance evaluation scorer (benchmarks/stance_eval.py) on hand-made items and predictions,
and the shipped independent evaluation set against the quantity floors of issue 11."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from benchmarks.bench_stance_independent import predictions_from_answers
from benchmarks.stance_eval import (
    CONTESTED_ISSUES,
    DEFAULT_PATH,
    EvalItem,
    EvalSetError,
    format_counts,
    format_table,
    load_items,
    score_predictions,
)


def _item(item_id: str, *, issue: str | None = "binding_instrument", side: int = -1,
          lang: str = "en", phenomena: tuple[str, ...] = ("direct",)) -> EvalItem:
    unit = "sentence" if item_id.startswith("s-") else "paragraph"
    return EvalItem(id=item_id, unit=unit, lang=lang, issue=issue, side=side,
                    phenomena=phenomena, text=f"text of {item_id}")


@pytest.fixture
def items() -> list[EvalItem]:
    return [
        _item("s-bi-001", side=-1, phenomena=("negation",)),
        _item("s-bi-002", side=1),
        _item("p-bi-001", side=1, lang="es", phenomena=("negation", "group")),
        _item("s-at-001", issue="attribution", side=-1, lang="fr"),
        _item("s-nn-001", issue=None, side=0, phenomena=("procedural",)),
        _item("p-bi-002", side=0, phenomena=("summary_of_debate",)),
    ]


def test_overall_metrics_separate_accuracy_coverage_and_abstention(items):
    preds = {"s-bi-001": -1, "s-bi-002": None, "p-bi-001": -1, "s-at-001": -1,
             "s-nn-001": None, "p-bi-002": 1}
    m = score_predictions(items, preds)["overall"]
    # positioned: s-bi-001 right, s-bi-002 no side (wrong), p-bi-001 wrong side, s-at-001 right
    assert (m["n_positioned"], m["n_correct"], m["n_covered"]) == (4, 2, 3)
    assert m["accuracy"] == pytest.approx(0.5)
    assert m["coverage"] == pytest.approx(0.75)
    assert m["accuracy_covered"] == pytest.approx(2 / 3)
    assert (m["n_neutral"], m["n_abstained"]) == (2, 1)
    assert m["neutral_abstention"] == pytest.approx(0.5)


def test_zero_and_none_both_mean_no_side(items):
    with_none = {it.id: None for it in items}
    with_zero = {it.id: 0 for it in items}
    assert score_predictions(items, with_none) == score_predictions(items, with_zero)
    m = score_predictions(items, with_zero)["overall"]
    assert m["accuracy"] == 0.0 and m["coverage"] == 0.0 and m["accuracy_covered"] is None
    assert m["neutral_abstention"] == 1.0


def test_breakdowns_by_unit_issue_language_and_phenomenon(items):
    preds = {"s-bi-001": -1, "s-bi-002": 1, "p-bi-001": -1, "s-at-001": 1,
             "s-nn-001": -1, "p-bi-002": 0}
    m = score_predictions(items, preds)
    assert m["by_unit"]["sentence"]["n_positioned"] == 3
    assert m["by_unit"]["sentence"]["accuracy"] == pytest.approx(2 / 3)
    assert m["by_unit"]["paragraph"]["accuracy"] == 0.0
    assert m["by_unit"]["paragraph"]["neutral_abstention"] == 1.0
    assert m["by_issue"]["none"]["n_positioned"] == 0
    assert m["by_issue"]["none"]["accuracy"] is None
    assert m["by_issue"]["none"]["neutral_abstention"] == 0.0
    assert m["by_issue"]["attribution"]["accuracy"] == 0.0
    assert m["by_lang"]["es"]["n_positioned"] == 1 and m["by_lang"]["es"]["accuracy"] == 0.0
    assert m["by_lang"]["en"]["accuracy"] == pytest.approx(1.0)
    # an item counts under each of its phenomena
    assert m["by_phenomenon"]["negation"]["n_positioned"] == 2
    assert m["by_phenomenon"]["negation"]["accuracy"] == pytest.approx(0.5)
    assert m["by_phenomenon"]["group"]["n"] == 1


def test_prediction_errors_name_the_item(items):
    full = {it.id: 0 for it in items}
    with pytest.raises(EvalSetError, match="s-xx-999"):
        score_predictions(items, {**full, "s-xx-999": 1})
    with pytest.raises(EvalSetError, match=r"s-bi-001.*got 2"):
        score_predictions(items, {**full, "s-bi-001": 2})
    partial = {k: v for k, v in full.items() if k != "s-at-001"}
    with pytest.raises(EvalSetError, match="s-at-001"):
        score_predictions(items, partial)
    m = score_predictions(items, partial, allow_missing=True)["overall"]
    assert m["n_covered"] == 0 and m["n_positioned"] == 4


def test_format_table_has_a_row_per_group(items):
    table = format_table(score_predictions(items, {it.id: it.side for it in items}))
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["group", "value", "n_pos", "accuracy"]
    assert any(line.split()[:2] == ["issue", "attribution"] for line in lines)
    assert any(line.split()[:2] == ["phenomenon", "summary_of_debate"] for line in lines)
    overall = next(line for line in lines if line.startswith("overall"))
    assert overall.split()[2:5] == ["4", "1.000", "1.000"]


def _write(tmp_path: Path, raw_items: list[dict]) -> Path:
    path = tmp_path / "eval.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "items": raw_items}, allow_unicode=True))
    return path


GOOD = {"id": "s-bi-001", "unit": "sentence", "lang": "en", "issue": "binding_instrument",
        "side": -1, "phenomena": ["negation"], "text": "No new treaty is required."}


@pytest.mark.parametrize(("change", "field"), [
    ({"side": 2}, "side"),
    ({"side": True}, "side"),
    ({"lang": "de"}, "lang"),
    ({"issue": "capacity_building"}, "issue"),
    ({"issue": None, "side": 1}, "side"),
    ({"unit": "paragraph"}, "unit"),
    ({"phenomena": ["sarcasm"]}, "phenomena"),
    ({"text": "  "}, "text"),
])
def test_schema_errors_name_item_and_field(tmp_path, change, field):
    path = _write(tmp_path, [{**GOOD, **change}])
    with pytest.raises(EvalSetError, match=rf"'s-bi-001' field '{field}'"):
        load_items(path)


def test_schema_rejects_missing_fields_bad_ids_and_duplicates(tmp_path):
    lacking = {k: v for k, v in GOOD.items() if k != "phenomena"}
    with pytest.raises(EvalSetError, match=r"'s-bi-001' lacks field\(s\) \['phenomena'\]"):
        load_items(_write(tmp_path, [lacking]))
    with pytest.raises(EvalSetError, match="field 'id'"):
        load_items(_write(tmp_path, [{**GOOD, "id": "bi-1"}]))
    with pytest.raises(EvalSetError, match="'id' repeated"):
        load_items(_write(tmp_path, [GOOD, {**GOOD, "text": "Another text."}]))
    loaded = load_items(_write(tmp_path, [GOOD, {**GOOD, "id": "s-bi-002", "side": 0,
                                                 "text": "Views differed."}]))
    assert [it.positioned for it in loaded] == [True, False]


def _sentences(text: str) -> int:
    # Rough count: a stop followed by a capital, not after an honorific such as "Mr."
    return len(re.split(r"(?<!Mr\.)(?<!Mrs\.)(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÀÈÇ¿¡])", text))


def test_shipped_set_loads_and_meets_the_quantity_floors():
    items = load_items(DEFAULT_PATH)
    units = Counter(it.unit for it in items)
    assert units["sentence"] >= 230 and units["paragraph"] >= 115
    cells = Counter((it.issue, it.side, it.unit) for it in items)
    for issue in CONTESTED_ISSUES:
        for side in (-1, 1):
            assert cells[(issue, side, "sentence")] >= 14, (issue, side)
            assert cells[(issue, side, "paragraph")] >= 7, (issue, side)
    neutral = Counter(it.unit for it in items if it.side == 0)
    assert neutral["sentence"] >= 40 and neutral["paragraph"] >= 20
    for lang in ("es", "fr"):
        in_lang = [it for it in items if it.lang == lang]
        assert len(in_lang) >= 25, lang
        assert {it.side for it in in_lang} == {-1, 0, 1}, lang
        assert {it.unit for it in in_lang} == {"sentence", "paragraph"}, lang
        assert len({it.issue for it in in_lang if it.positioned}) == len(CONTESTED_ISSUES)
    lengths = [_sentences(it.text) for it in items if it.unit == "paragraph"]
    assert min(lengths) >= 3 and max(lengths) <= 6
    table = format_counts(items)
    assert f"| {units['sentence']} | {units['paragraph']} | {len(items)} |" in table


def test_readme_counts_table_matches_the_shipped_set():
    readme = (DEFAULT_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert format_counts(load_items(DEFAULT_PATH)) in readme, (
        "benchmarks/data/README.md is stale: paste `python benchmarks/stance_eval.py` output")


def test_analyze_text_answers_become_one_side_per_item(items):
    answers = [{"stance": {"binding_instrument": -0.4, "ihl": 0.7}},
               {"stance": {"binding_instrument": None}},
               {"stance": {"binding_instrument": 0.2}},
               {"stance": {}},
               {"stance": {"binding_instrument": None, "ihl": 0.1}},  # issue null: a side
               {"stance": {"binding_instrument": 0.0}}]
    preds = predictions_from_answers(items, answers)
    assert preds == {"s-bi-001": -1, "s-bi-002": 0, "p-bi-001": 1, "s-at-001": 0,
                     "s-nn-001": 1, "p-bi-002": 0}
    with pytest.raises(ValueError, match="5 lines for 6 items"):
        predictions_from_answers(items, answers[:5])
