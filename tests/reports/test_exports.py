"""CSV, Parquet and XLSX exports of the stored tables."""

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq

from pipelines.stages.report_writer import write_report
from reports import render_csv, render_parquet, render_xlsx, with_names


def test_names_beside_iso3_columns_and_lists_as_text():
    frame = pd.DataFrame({"state_a": ["KEN"], "state_b": ["XXX"], "toward": [["USA", "GBR"]],
                          "score": [0.5]})
    named = with_names(frame, {"KEN": "Kenya"})
    assert list(named.columns) == ["state_a", "state_a_name", "state_b", "state_b_name",
                                   "toward", "score"]
    assert named.loc[0, "state_a_name"] == "Kenya" and named.loc[0, "state_b_name"] == "XXX"
    csv = render_csv(named).decode()
    assert csv.splitlines()[1] == "KEN,Kenya,XXX,XXX,USA; GBR,0.5"
    table = pq.read_table(io.BytesIO(render_parquet(named, {"run_id": "r1"})))
    assert table.column("toward").to_pylist() == [["USA", "GBR"]]
    assert json.loads(table.schema.metadata[b"likeminded"]) == {"run_id": "r1"}


def test_workbook_sheets_frozen_header_and_formula_text():
    tables = {"positions": pd.DataFrame({"state": ["KEN", "USA"], "state_name": ["Kenya", "US"],
                                         "stance": [0.25, float("nan")],
                                         "n": pd.array([1, None], dtype="Int64")}),
              "segments": pd.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "a\x01b",
                                                 "x" * 40_000]})}
    data = render_xlsx(tables, provenance={"run_id": "r1", "finished_at": "2024-07-20 12:00:00"})
    assert data == render_xlsx(tables, provenance={"run_id": "r1",
                                                    "finished_at": "2024-07-20 12:00:00"})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["about", "positions", "segments"]
    sheet = book["positions"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert [c.value for c in sheet[1]] == ["state", "state_name", "stance", "n"]
    assert [c.value for c in sheet[2]] == ["KEN", "Kenya", 0.25, 1]
    assert [c.value for c in sheet[3]] == ["USA", "US", None, None]
    text = book["segments"]
    assert text["A2"].data_type == "s" and text["A2"].value.startswith("=HYPERLINK")
    assert text["A3"].value == "ab" and len(text["A4"].value) <= 32_767
    assert book.properties.created.year == 2024


def test_every_store_table_is_exported(tmp_path, store_path):
    result = write_report(store_path, tmp_path / "out", focus=["KEN"])
    tables = tmp_path / "out" / "tables"
    expected = {"statements", "quarantine", "runs", "segments", "segment_issues", "topics",
                "segment_topics", "positions", "alignment", "coalitions", "coalition_summary",
                "group_cohesion", "dispersion", "trends", "movers", "vote_validation"}
    for name in expected:
        assert (tables / f"{name}.csv").exists() and (tables / f"{name}.parquet").exists()
    alignment = pd.read_csv(tables / "alignment.csv")
    assert {"state_a_name", "state_b_name"} <= set(alignment.columns)
    assert "direction" not in pd.read_parquet(tables / "positions.parquet").columns
    book = openpyxl.load_workbook(result["raw_workbook"], read_only=True)
    assert expected <= set(book.sheetnames)
    assert Path(result["workbook"]).name == "likeminded.xlsx"
    header = [c.value for c in next(book["movers"].iter_rows(max_row=1))]
    assert header[:2] == ["state", "state_name"]
    assert sorted(result["tables"]) == result["tables"] and len(result["tables"]) >= 33


def test_same_store_gives_the_same_bytes(store_path):
    from pipelines.stages.report_writer import render_files

    first, _ = render_files(store_path, focus=["KEN"])
    second, _ = render_files(store_path, focus=["KEN"])
    assert sorted(first) == sorted(second)
    assert [n for n in first if first[n] != second[n]] == []


def test_workbook_cells_of_every_kind_read_back():
    when = pd.Timestamp("2024-07-20 12:30:05")
    tables = {"kinds": pd.DataFrame({
        "flag": [True, False, True],
        "n": pd.array([3, None, -7], dtype="Int64"),
        "x": [0.1 + 0.2, float("inf"), -1e-12],
        "at": [when, pd.NaT, when.tz_localize("UTC")  .tz_localize(None)],
        "text": ["a & b < c > \"d\"", "", "  spaced  "],
        "mixed": [dt.date(2020, 1, 2), 4, "Côte d'Ivoire"]}),
        "it's here": pd.DataFrame({"v": [1]})}
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(tables)))
    assert book.sheetnames == ["about", "kinds", "it's here"]
    rows = [[c.value for c in row] for row in book["kinds"].iter_rows()]
    assert rows[0] == ["flag", "n", "x", "at", "text", "mixed"]
    assert rows[1] == [True, 3, 0.30000000000000004, when.to_pydatetime(), "a & b < c > \"d\"",
                       dt.datetime(2020, 1, 2)]
    assert rows[2] == [False, None, None, None, None, 4]
    assert rows[3] == [True, -7, -1e-12, when.to_pydatetime(), "  spaced  ", "Côte d'Ivoire"]
    assert book["kinds"].auto_filter.ref == "A1:F4" and book["kinds"].freeze_panes == "A2"
    assert [c.value for c in book["it's here"]["A"]] == ["v", 1]
    assert [c.value for c in book["about"]["A"]][-2:] == ["kinds", "it's here"]
