"""What a store holds: statements by forum and session, languages, runs, quarantine (``status``)."""

from __future__ import annotations

from corpora.store import Store
from pipelines.store.corrections import count_corrections
from pipelines.store.documents import StatusDocument
from pipelines.store.storage import annotation_coverage, coverage_warnings


def store_status(store: Store) -> StatusDocument:
    """Counts by forum and session, languages, recent runs and quarantine of a store."""
    sessions = store.session_summary()
    languages = store.language_counts()
    return {
        "db": str(store.path),
        "statements": store.count_statements(),
        "versions": store.count_statements(current_only=False),
        "states": store.count_states(),
        "sessions": [
            {"forum": f, "session": s, "from": str(a), "to": str(b), "statements": n,
             "states": k} for f, s, a, b, n, k in sessions],
        "languages": {lang or "unknown": n for lang, n in languages},
        "annotation_by_language": (coverage := annotation_coverage(store)),
        "annotation_warnings": coverage_warnings(coverage),
        "runs": store.runs(limit=10),
        "quarantine": store.quarantine(),
        "schema": store.schema_versions(),
        "corrections": count_corrections(store),
        "illustrative": store.illustrative_summary(),
    }
