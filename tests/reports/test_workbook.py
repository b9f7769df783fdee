"""The analyst workbook (reports.workbook) on the hand-made report: sheet order, frozen
headers, rounding, names beside codes, "all issues" for "*", the illustrative flag, formula
text kept as text."""

import dataclasses
import io

import openpyxl
import pandas as pd

from reports import build_report
from reports.workbook import SHEETS, render_workbook
from tests.reports.synthetic import BINDING, MOVERS


def _book(data):
    report = build_report(data, focus=["KEN"])
    raw = render_workbook(report, data)
    assert raw == render_workbook(report, data)  # same inputs, same bytes
    return openpyxl.load_workbook(io.BytesIO(raw))


def test_sheets_in_order_with_frozen_bold_headers_and_rounded_numbers(data):
    noisy = MOVERS.assign(shift=-0.8123456789, shift_lo=-1.0000001, shift_hi=-0.60004)
    book = _book(dataclasses.replace(data, movers=noisy))
    assert book.sheetnames == list(SHEETS)
    for name in SHEETS[1:]:
        sheet = book[name]
        assert sheet.freeze_panes in ("A2", "C2", "D2") and sheet["A1"].font.bold, name
        assert sheet.column_dimensions["A"].width >= 7
    floats = [c.value for name in SHEETS for row in book[name].iter_rows() for c in row
              if isinstance(c.value, float)]
    assert floats and all(round(v, 3) == v for v in floats)
    movers = book["Movers"]
    assert [c.value for c in movers[2]][:7] == ["KEN", "Kenya", BINDING,
                                               "Legally binding instrument", "OEWG-2023-5",
                                               "OEWG-2024-8", -0.812]
    assert movers["G2"].number_format == "+0.00;-0.00;0.00"


def test_partners_have_names_intervals_and_both_quotes(data):
    sheet = _book(data)["Partners"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]
    first = rows[0]
    assert first["Focus state name"] == "Kenya" and first["Issue"] == "all issues"
    assert first["State name"] and first["Low (95 %)"] < first["Score"] < first["High (95 %)"]
    assert first["Their quote"] and "Kenya now sees no need" in first["Our quote"]
    assert "*" not in {r["Issue"] for r in rows} and BINDING in {r["Issue"] for r in rows}
    positions = _book(data)["Positions"]
    assert [c.value for c in positions[1]][:3] == [
        "State", "State name", f"Legally binding instrument ({BINDING})"]


def test_summary_says_illustrative_and_formula_text_stays_text(data):
    status = {**data.status, "illustrative": {"statements": 13, "corpora": ["the sample"]}}
    formula = '=HYPERLINK("http://x","y")'
    partners = {"KEN": {k: {**v, "partners": [
        {**p, "evidence": [{**e, "partner_quote": formula} for e in p["evidence"]]}
        for p in v["partners"]]} for k, v in data.partners["KEN"].items()}}
    book = _book(dataclasses.replace(data, status=status, partners=partners,
                                     provenance={**data.provenance, "model_key": "m@1/fp32"}))
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)
               if r[0].value}
    assert summary["Illustrative data"].startswith("YES") and "the sample" in summary[
        "Illustrative data"]
    assert summary["Model key"] == "m@1/fp32"
    cell = next(c for row in book["Partners"].iter_rows() for c in row if c.value == formula)
    assert cell.data_type == "s"
    assert isinstance(pd.DataFrame(book["Alignment"].values).iloc[1, 1], str)  # a name


def test_alignment_sheet_names_unattached_states(data):
    from nlp.alignment import OVERALL

    coalitions = data.coalitions.copy()
    overall = coalitions["issue"] == OVERALL
    state = str(coalitions.loc[overall, "state"].iloc[0])
    coalitions.loc[overall & (coalitions["state"] == state), "attached"] = False
    sheet = _book(dataclasses.replace(data, coalitions=coalitions))["Alignment"]
    column = {row[0].value: row[2].value for row in sheet.iter_rows(min_row=2)}
    assert column[state] == "unattached"
    assert all(isinstance(v, int) for s, v in column.items() if s != state)
