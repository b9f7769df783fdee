"""Load what the one-page brief needs from the store and build it (:mod:`reports.brief`)."""

from __future__ import annotations

import dataclasses
import functools
from importlib import resources
from typing import Any

from corpora.model import content_hash
from corpora.readers import decode_bytes
from corpora.store import Store
from nlp.positions import WINDOW
from pipelines.settings import PipelineConfig
from pipelines.store.report_data import load_partners, load_report_data, model_record
from reports.brief import Brief, build_brief

PARTNERS_PER_ISSUE = 15
"""Partners ranked per issue before those in the state's own groups are set aside."""

SAMPLE = "the bundled sample corpus (corpora/sample), illustrative"


@functools.cache
def _sample_hashes() -> frozenset[str]:
    """Content hashes of the bundled sample corpus's statements (empty if not installed)."""
    root = resources.files("corpora").joinpath("sample")
    found = set()
    if not root.is_dir():
        return frozenset()
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for item in folder.iterdir():
            if item.name.endswith(".txt"):
                found.add(content_hash(decode_bytes(item.read_bytes(), source=item.name)[0]))
    return frozenset(found)


def illustrative_status(store: Store) -> dict[str, Any]:
    """``{"statements": n, "corpora": [...]}`` for current statements of an illustrative
    corpus: the store's own record when it has one (``status["illustrative"]``), else those
    whose text is one of the bundled sample's."""
    from pipelines.store.status import store_status

    recorded = store_status(store).get("illustrative")
    if recorded and recorded.get("statements"):
        return dict(recorded)
    hashes = _sample_hashes()
    count = sum(1 for h in store.current_content_hashes() if h in hashes)
    return {"statements": count, "corpora": [SAMPLE]} if count else {}


def stored_states(store: Store) -> list[str]:
    """States the store knows: with current statements, or placed on an issue (a group's
    member) — the valid values of ``brief STATE``."""
    rows = store.con.execute(
        "SELECT state FROM statements WHERE superseded_by IS NULL UNION "
        "SELECT state FROM positions ORDER BY state").fetchall()
    return [r[0] for r in rows]


def load_brief(store: Store, state: str, *, session: str, scope: str = WINDOW,
               issues: list[str], config: PipelineConfig) -> Brief:
    """The brief of ``state``: moves into ``session``, partners and statements to join over
    ``scope`` (all sessions pooled by default), on ``issues``.

    Raises:
        ValueError: the store has no analysis yet.
    """
    data, _ = load_report_data(store, focus=[state], issues=issues[:1], session=scope,
                               config=config)
    partners = load_partners(store, [state], issues, session=scope, config=config,
                             model=model_record(store), top_issue=PARTNERS_PER_ISSUE)
    status = {**data.status, "illustrative": illustrative_status(store)}
    data = dataclasses.replace(data, partners=partners, status=status)
    return build_brief(data, state, session=session, scope=scope, issues=issues)
