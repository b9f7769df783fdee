"""The report flow under the shared Prefect test harness, on the small hand-made store."""

from pipelines.flows.report import report_flow
from tests.reports.synthetic import make_store


def test_report_flow_writes_the_report(prefect_harness, tmp_path):
    db = make_store(tmp_path / "report.duckdb")
    out = tmp_path / "flow"
    result = report_flow(str(db), str(out), focus=["KEN"], issues=["binding_instrument"])
    assert result["focus"] == ["KEN"] and result["issues"] == ["binding_instrument"]
    assert (out / "index.html").exists() and (out / "state-KEN.html").exists()
    assert result["files"] == len([p for p in out.rglob("*") if p.is_file()])
