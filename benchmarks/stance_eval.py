"""Scoring stance predictions against the independent evaluation set, whatever produced them.

The evaluation set (``benchmarks/data/stance_independent.yaml``) was written apart from the
taxonomy's seeds and must never be used to fit or calibrate anything. This module knows nothing
of models: :func:`load_items` reads and validates the file, :func:`score_predictions` compares a
mapping ``item id -> side`` with the gold labels, and :func:`format_table` /
:func:`format_counts` render plain-text tables.

Metrics, reported separately because they answer different questions:

- **accuracy**: over positioned items (gold side -1 or +1), the share predicted with the right
  side; "no side" (``None`` or ``0``) counts as wrong.
- **coverage**: the share of positioned items given any side.
- **accuracy_covered**: accuracy among the covered positioned items only.
- **neutral_abstention**: over side-0 items (procedure, summaries of the debate, texts on no
  contested issue), the share left without a side.

``python benchmarks/stance_eval.py [independent|dev|PATH]`` prints the counts table of a set.
The development set (``benchmarks/data/stance_dev.yaml``, same schema, ids prefixed ``dev-``) is
the one to tune and calibrate on; the independent set only reports.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import format_table as _render_table

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "stance_independent.yaml"
DEV_PATH = Path(__file__).resolve().parent / "data" / "stance_dev.yaml"
#: The evaluation sets by name: ``dev`` may be used to tune and calibrate, ``independent`` only
#: to report (never to fit anything).
SETS: dict[str, Path] = {"independent": DEFAULT_PATH, "dev": DEV_PATH}

CONTESTED_ISSUES: tuple[str, ...] = (
    "binding_instrument", "ihl", "future_mechanism", "stakeholders", "information_space",
    "attribution",
)
UNITS: tuple[str, ...] = ("sentence", "paragraph")
LANGS: tuple[str, ...] = ("en", "es", "fr")
SIDES: tuple[int, ...] = (-1, 0, 1)
PHENOMENA: tuple[str, ...] = (
    "direct", "negation", "double_negation", "reported_disagree", "reported_agree", "hedged",
    "question", "group", "courtesy_opening", "contrastive", "procedural", "summary_of_debate",
    "off_topic",
)
NO_ISSUE = "none"  # key used for issue ``null`` in the breakdowns
# ``dev-`` prefixes the items of the development set, so its ids never collide with the test set's.
_ID_PATTERN = re.compile(r"^(?:dev-)?(?P<unit>[sp])-[a-z]+-\d{3}$")
_FIELDS = ("id", "unit", "lang", "issue", "side", "phenomena", "text")


class EvalSetError(ValueError):
    """The evaluation file or a predictions mapping does not follow the schema."""


@dataclass(frozen=True)
class EvalItem:
    """One labelled text of the evaluation set.

    Attributes:
        id: Unique id, ``s-`` (sentence) or ``p-`` (paragraph), an issue abbreviation, a number;
            prefixed ``dev-`` in the development set.
        unit: ``"sentence"`` or ``"paragraph"``.
        lang: ``"en"``, ``"es"`` or ``"fr"``.
        issue: A contested issue id, or ``None`` for a text about no contested issue.
        side: -1 or +1 (the speaker's pole), or 0 (no side taken).
        phenomena: What makes the item hard (see :data:`PHENOMENA`).
        text: The text itself.
    """

    id: str
    unit: str
    lang: str
    issue: str | None
    side: int
    phenomena: tuple[str, ...]
    text: str

    @property
    def positioned(self) -> bool:
        """Whether the text takes a side (gold side -1 or +1)."""
        return self.side != 0


def _check_item(raw: Any, index: int, where: str) -> EvalItem:
    if not isinstance(raw, dict):
        raise EvalSetError(f"{where}: items[{index}] must be a mapping, got {type(raw).__name__}")
    item_id = raw.get("id")
    id_match = _ID_PATTERN.match(item_id) if isinstance(item_id, str) else None
    if id_match is None:
        raise EvalSetError(f"{where}: items[{index}] field 'id' must match "
                           f"{_ID_PATTERN.pattern!r}, got {item_id!r}")

    def fail(field: str, expected: str) -> EvalSetError:
        return EvalSetError(f"{where}: item {item_id!r} field {field!r}: expected {expected}, "
                            f"got {raw.get(field)!r}")

    missing = [f for f in _FIELDS if f not in raw]
    if missing:
        raise EvalSetError(f"{where}: item {item_id!r} lacks field(s) {missing}")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise EvalSetError(f"{where}: item {item_id!r} has unknown field(s) {unknown}; "
                           f"valid fields: {list(_FIELDS)}")
    unit, lang, issue, side = raw["unit"], raw["lang"], raw["issue"], raw["side"]
    if unit not in UNITS:
        raise fail("unit", f"one of {list(UNITS)}")
    if id_match["unit"] != unit[0]:
        raise fail("unit", f"{'sentence' if id_match['unit'] == 's' else 'paragraph'} "
                           f"(the id prefix says so)")
    if lang not in LANGS:
        raise fail("lang", f"one of {list(LANGS)}")
    if issue is not None and issue not in CONTESTED_ISSUES:
        raise fail("issue", f"null or one of {list(CONTESTED_ISSUES)}")
    if isinstance(side, bool) or side not in SIDES:
        raise fail("side", "-1, 0 or 1")
    if issue is None and side != 0:
        raise fail("side", "0 when issue is null")
    phenomena = raw["phenomena"]
    if not isinstance(phenomena, list) or any(p not in PHENOMENA for p in phenomena):
        raise fail("phenomena", f"a list drawn from {list(PHENOMENA)}")
    if len(set(phenomena)) != len(phenomena):
        raise fail("phenomena", "no repeated entries")
    text = raw["text"]
    if not isinstance(text, str) or not text.strip():
        raise fail("text", "a non-empty string")
    return EvalItem(id=item_id, unit=unit, lang=lang, issue=issue, side=int(side),
                    phenomena=tuple(phenomena), text=text.strip())


def load_items(path: str | Path = DEFAULT_PATH) -> list[EvalItem]:
    """Read and validate an evaluation file.

    Args:
        path: A YAML file with ``version: 1`` and a list ``items`` (schema in the file header).

    Returns:
        The items, in file order.

    Raises:
        EvalSetError: When the file, an item or a field does not follow the schema, or when two
            items share an id or a text; the message names the item id and the field.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise EvalSetError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(data, dict) or data.get("version") != 1:
        got = data.get("version") if isinstance(data, dict) else type(data).__name__
        raise EvalSetError(f"{path}: expected a mapping with 'version: 1', got {got!r}")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise EvalSetError(f"{path}: field 'items' must be a non-empty list")
    items = [_check_item(raw, i, str(path)) for i, raw in enumerate(raw_items)]
    for attr in ("id", "text"):
        repeated = [k for k, n in Counter(getattr(it, attr) for it in items).items() if n > 1]
        if repeated:
            raise EvalSetError(f"{path}: field {attr!r} repeated across items: {repeated[:3]}")
    return items


def _normalise_prediction(item_id: str, value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or value not in SIDES:
        raise EvalSetError(f"prediction for item {item_id!r}: expected -1, 0, 1 or None, "
                           f"got {value!r}")
    return int(value)


def _cell(pairs: Sequence[tuple[EvalItem, int]]) -> dict[str, Any]:
    positioned = [(it, p) for it, p in pairs if it.positioned]
    neutral = [(it, p) for it, p in pairs if not it.positioned]
    n_correct = sum(p == it.side for it, p in positioned)
    n_covered = sum(p != 0 for _, p in positioned)
    n_abstained = sum(p == 0 for _, p in neutral)

    def ratio(num: int, den: int) -> float | None:
        return num / den if den else None

    return {
        "n": len(pairs),
        "n_positioned": len(positioned), "n_correct": n_correct, "n_covered": n_covered,
        "accuracy": ratio(n_correct, len(positioned)),
        "coverage": ratio(n_covered, len(positioned)),
        "accuracy_covered": ratio(n_correct, n_covered),
        "n_neutral": len(neutral), "n_abstained": n_abstained,
        "neutral_abstention": ratio(n_abstained, len(neutral)),
    }


def _breakdown(pairs: Sequence[tuple[EvalItem, int]],
               keys: Callable[[EvalItem], Iterable[str]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[tuple[EvalItem, int]]] = {}
    for it, p in pairs:
        for key in keys(it):
            groups.setdefault(key, []).append((it, p))
    return {key: _cell(groups[key]) for key in sorted(groups)}


def score_predictions(items: Sequence[EvalItem], predictions: Mapping[str, int | None], *,
                      allow_missing: bool = False) -> dict[str, Any]:
    """Compare predicted sides with the gold labels.

    Args:
        items: The evaluation items (from :func:`load_items`).
        predictions: Item id -> predicted side: -1, +1, or ``0``/``None`` for "no side".
        allow_missing: When true, an item without a prediction counts as "no side"; otherwise
            a missing id is an error (a silently skipped item would flatter no metric, but it
            would hide a bug in the caller).

    Returns:
        ``{"overall": cell, "by_unit": {...}, "by_issue": {...}, "by_lang": {...},
        "by_phenomenon": {...}}`` where each cell holds counts (``n``, ``n_positioned``,
        ``n_correct``, ``n_covered``, ``n_neutral``, ``n_abstained``) and rates
        (``accuracy``, ``coverage``, ``accuracy_covered``, ``neutral_abstention``; ``None``
        when the denominator is 0). Issue ``null`` is keyed ``"none"``; an item counts once
        under each of its phenomena.

    Raises:
        EvalSetError: On a prediction for an unknown id, a value other than -1, 0, 1 or None,
            or a missing prediction when ``allow_missing`` is false.
    """
    known = {it.id for it in items}
    unknown = sorted(set(predictions) - known)
    if unknown:
        raise EvalSetError(f"predictions for unknown item id(s): {unknown[:5]}")
    missing = [it.id for it in items if it.id not in predictions]
    if missing and not allow_missing:
        raise EvalSetError(f"no prediction for {len(missing)} item(s), e.g. {missing[:5]}; "
                           f"pass allow_missing=True to count them as 'no side'")
    pairs = [(it, _normalise_prediction(it.id, predictions.get(it.id))) for it in items]
    return {
        "overall": _cell(pairs),
        "by_unit": _breakdown(pairs, lambda it: [it.unit]),
        "by_issue": _breakdown(pairs, lambda it: [it.issue or NO_ISSUE]),
        "by_lang": _breakdown(pairs, lambda it: [it.lang]),
        "by_phenomenon": _breakdown(pairs, lambda it: it.phenomena),
    }


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_table(metrics: Mapping[str, Any]) -> str:
    """Render :func:`score_predictions` output as a plain-text table, one row per group."""
    header = ["group", "value", "n_pos", "accuracy", "coverage", "acc|covered", "n_neutral",
              "abstention"]
    sections = [("overall", {"all": metrics["overall"]})] + [
        (name.removeprefix("by_"), metrics[name])
        for name in ("by_unit", "by_issue", "by_lang", "by_phenomenon")]
    rows = []
    for group, cells in sections:
        for key, c in cells.items():
            rows.append([group, key, str(c["n_positioned"]), _rate(c["accuracy"]),
                         _rate(c["coverage"]), _rate(c["accuracy_covered"]),
                         str(c["n_neutral"]), _rate(c["neutral_abstention"])])
    return _render_table(rows, header)


def count_items(items: Iterable[EvalItem]) -> Counter[tuple[str, int, str, str]]:
    """Counts by ``(issue or "none", side, unit, lang)``."""
    return Counter((it.issue or NO_ISSUE, it.side, it.unit, it.lang) for it in items)


def format_counts(items: Sequence[EvalItem]) -> str:
    """A Markdown table of item counts: issue x side rows, unit x language columns."""
    counts = count_items(items)
    cols = [(u, lang) for u in UNITS for lang in LANGS]
    header = ["issue", "side", *(f"{u[:4]} {lang}" for u, lang in cols), "sent", "para", "all"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for issue in (*CONTESTED_ISSUES, NO_ISSUE):
        for side in SIDES:
            row = [counts[(issue, side, u, lang)] for u, lang in cols]
            if not any(row):
                continue
            sent, para = sum(row[:len(LANGS)]), sum(row[len(LANGS):])
            lines.append("| " + " | ".join([issue, f"{side:+d}" if side else "0",
                                            *map(str, row), str(sent), str(para),
                                            str(sent + para)]) + " |")
    total = [sum(counts[(i, s, u, lang)] for i in (*CONTESTED_ISSUES, NO_ISSUE) for s in SIDES)
             for u, lang in cols]
    sent, para = sum(total[:len(LANGS)]), sum(total[len(LANGS):])
    lines.append("| " + " | ".join(["**total**", "", *map(str, total), str(sent), str(para),
                                    str(sent + para)]) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    _arg = sys.argv[1] if len(sys.argv) > 1 else "independent"
    print(format_counts(load_items(SETS.get(_arg, _arg))))
