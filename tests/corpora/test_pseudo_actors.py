"""Pseudo-actors (EU delegation, CONSENSUS outcome text): accepted only where a caller allows."""

import pytest

from corpora.countries import (
    PSEUDO_ACTORS,
    actor_label,
    country_name,
    is_pseudo_actor,
    resolve_state,
)
from corpora.errors import UnknownStateError
from corpora.ingest import ingest_folder
from corpora.store import Store


def test_pseudo_actors_are_refused_unless_allowed():
    for code in PSEUDO_ACTORS:
        with pytest.raises(UnknownStateError):
            resolve_state(code)
    assert resolve_state("EU", allow_pseudo=("EU",)) == "EU"
    assert resolve_state("european union", allow_pseudo=("EU",)) == "EU"
    assert resolve_state("Consensus", allow_pseudo=("CONSENSUS",)) == "CONSENSUS"
    with pytest.raises(UnknownStateError, match="or one of the pseudo-actors EU"):
        resolve_state("CONSENSUS", allow_pseudo=("EU",))
    with pytest.raises(ValueError, match="allow_pseudo: unknown pseudo-actor"):
        resolve_state("EU", allow_pseudo=("NATO",))


def test_states_still_win_over_pseudo_actors():
    assert resolve_state("ES", allow_pseudo=("EU",)) == "ESP"
    assert resolve_state("Estonia", allow_pseudo=tuple(PSEUDO_ACTORS)) == "EST"


def test_names_and_labels():
    assert country_name("EU") == "European Union" and is_pseudo_actor("CONSENSUS")
    assert not is_pseudo_actor("KEN")
    assert actor_label("CONSENSUS", "OEWG") == "OEWG consensus"
    assert actor_label("KEN", "OEWG") == "Kenya"


def test_consensus_outcome_documents_are_ingested_from_metadata(tmp_path):
    corpus = tmp_path / "outcomes"
    corpus.mkdir()
    (corpus / "apr_2024.txt").write_text(
        "States agreed to establish a global points of contact directory and to continue "
        "discussions on capacity building.", encoding="utf-8")
    (corpus / "eu_2024.txt").write_text(
        "The European Union delegation supports a single permanent mechanism that is "
        "action-oriented.", encoding="utf-8")
    (corpus / "metadata.csv").write_text(
        "file,state,forum,session,date,title\n"
        "apr_2024.txt,CONSENSUS,OEWG,OEWG-2024-8,2024-07-12,Third annual progress report\n"
        "eu_2024.txt,European Union,OEWG,OEWG-2024-8,2024-07-08,EU statement\n",
        encoding="utf-8")
    with Store(tmp_path / "lm.duckdb") as store:
        report = ingest_folder(corpus, store, run_id="r")
        assert (report.ingested, report.quarantined) == (2, 0)
        rows = {r["state"]: r for r in store.current_statements()}
    assert set(rows) == {"CONSENSUS", "EU"}
    assert rows["CONSENSUS"]["forum"] == "OEWG"
