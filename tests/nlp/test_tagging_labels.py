"""The hand labels of General Debate paragraphs used to measure tagging on real speeches."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.bench_tagging_real import evaluate_tagging, match_labels, scored_labels
from benchmarks.sample_ungdc_paragraphs import (
    N_ENRICHED,
    N_RANDOM,
    draw,
    labelled_elsewhere,
    main,
    mentions_digital,
)
from benchmarks.ungdc_paragraphs import (
    ARCHIVE,
    HELD_OUT,
    LABELS,
    STRATA,
    Label,
    Paragraph,
    read_labels,
    substantive_paragraphs,
)
from nlp.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def labels() -> list[Label]:
    return read_labels(LABELS)


def test_labels_parse_with_valid_issue_ids_and_sides(labels):
    taxonomy = load_taxonomy()
    contested = {issue.id for issue in taxonomy.contested}
    assert labels
    for label in labels:
        assert label.issues <= set(taxonomy.ids), (label.member, label.segment, label.issues)
        assert set(label.sides) <= contested & label.issues, (label.member, label.segment)
        assert label.note.strip(), f"{label.member} #{label.segment}: empty note"
    keys = [(label.member, label.segment) for label in labels]
    assert len(keys) == len(set(keys)), "a paragraph is labelled twice"


def test_strata_meet_their_floors(labels):
    counts = {s: sum(1 for label in labels if label.stratum == s) for s in ("random", "enriched")}
    assert counts["random"] >= max(N_RANDOM, 150)
    assert counts["enriched"] >= max(N_ENRICHED, 100)
    # the enriched stratum exists to give recall something to measure
    assert sum(1 for label in labels if label.stratum == "enriched" and label.issues) >= 30


def test_held_out_stratum_is_apart_from_the_others(labels):
    held = [label for label in labels if label.stratum in HELD_OUT]
    assert len(held) >= 150
    assert sum(1 for label in held if label.issues) >= 30
    others = {(label.member, label.segment) for label in labels if label.stratum not in HELD_OUT}
    assert not others & {(label.member, label.segment) for label in held}
    assert set(STRATA) >= HELD_OUT


def test_held_out_strata_are_scored_only_on_request(labels):
    routine, withheld = scored_labels(labels)
    assert not {label.stratum for label in routine} & HELD_OUT
    assert {"random", "enriched"} <= {label.stratum for label in routine}
    assert withheld == {s: sum(1 for label in labels if label.stratum == s) for s in HELD_OUT}
    assert len(routine) + sum(withheld.values()) == len(labels)
    assert scored_labels(labels, holdout=True) == (labels, {})


def _paragraphs(n: int) -> list[Paragraph]:
    """Synthetic speeches: every third paragraph uses the digital vocabulary."""
    return [Paragraph(f"Session 7{k % 3} - 20{18 + k % 3}/S{k // 10:02d}.txt", k % 10,
                      f"Paragraph {k} on " + ("cyber threats." if k % 3 == 0 else "fisheries."))
            for k in range(n)]


def test_draw_of_a_new_stratum_excludes_labelled_paragraphs():
    paragraphs = _paragraphs(600)
    first = draw(paragraphs, seed=1, n_random=40, n_enriched=60)
    assert list(first) == ["random", "enriched"]
    labelled = [Label(stratum, p.member, p.segment, p.sha16, frozenset(), {}, "n")
                for stratum, chosen in first.items() for p in chosen]
    exclude = labelled_elsewhere(labelled, "enriched_holdout")
    assert len(exclude) == 100
    new = draw(paragraphs, seed=2, n_random=0, n_enriched=120, stratum="enriched_holdout",
               exclude=exclude)
    assert list(new) == ["enriched_holdout"]  # a stratum asked for nothing is left out
    chosen = new["enriched_holdout"]
    assert len(chosen) == 120 and all(mentions_digital(p.text) for p in chosen)
    assert not {(p.member, p.segment) for p in chosen} & exclude
    assert chosen == sorted(chosen, key=lambda p: (p.member, p.segment))
    # deterministic, and unchanged once its own rows are in the labels file
    again = labelled + [Label("enriched_holdout", p.member, p.segment, p.sha16, frozenset(), {},
                              "n") for p in chosen]
    assert labelled_elsewhere(again, "enriched_holdout") == exclude
    assert draw(paragraphs, seed=2, n_random=0, n_enriched=120, stratum="enriched_holdout",
                exclude=labelled_elsewhere(again, "enriched_holdout")) == new
    # without exclusion the same seed can draw labelled paragraphs
    unrestricted = draw(paragraphs, seed=2, n_random=0, n_enriched=120)["enriched"]
    assert {(p.member, p.segment) for p in unrestricted} & exclude
    # the digital paragraphs not labelled (the random stratum holds some too) are all there is
    free = sum(1 for p in paragraphs
               if mentions_digital(p.text) and (p.member, p.segment) not in exclude)
    assert 120 <= free < 140
    assert len(draw(paragraphs, seed=3, n_random=0, n_enriched=free,
                    stratum="enriched_holdout", exclude=exclude)["enriched_holdout"]) == free
    with pytest.raises(ValueError, match=f"{free + 1} enriched_holdout paragraphs asked for; "
                                         f"{free} candidates"):
        draw(paragraphs, seed=2, n_random=0, n_enriched=free + 1, stratum="enriched_holdout",
             exclude=exclude)


def test_sampler_refuses_a_stratum_the_labels_file_would_reject(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "s.txt"), "--stratum", "enriched_2"]) == 2
    assert "add a new stratum to STRATA" in capsys.readouterr().err
    assert main(["--out", str(tmp_path / "s.txt"), "--n-enriched", "-1"]) == 2
    assert not (tmp_path / "s.txt").exists()


def test_malformed_labels_are_named(tmp_path):
    path = tmp_path / "labels.csv"
    header = "stratum,member,segment,sha16,issues,sides,note\n"
    path.write_text(header + "random,S/A.txt,1,0123456789abcdef,ihl,ihl:2,x\n")
    with pytest.raises(ValueError, match=r"labels.csv:2: side 'ihl:2'"):
        read_labels(path)
    path.write_text(header + "other,S/A.txt,1,0123456789abcdef,,,x\n")
    with pytest.raises(ValueError, match="stratum 'other'"):
        read_labels(path)


def test_enrichment_vocabulary():
    assert mentions_digital("States must protect critical infrastructure from cyberattacks.")
    assert mentions_digital("Artificial intelligence (AI) raises new risks.")
    assert not mentions_digital("We said: ai, the mountain river, is our pride.")
    assert not mentions_digital("Climate finance must reach small island States.")


def test_evaluate_tagging_counts_per_stratum():
    def label(stratum: str, segment: int, issues: set[str]) -> Label:
        return Label(stratum, "S/A.txt", segment, "0" * 16, frozenset(issues), {}, "n")

    pairs = [(label("random", 0, set()), Paragraph("S/A.txt", 0, "a")),
             (label("random", 1, set()), Paragraph("S/A.txt", 1, "b")),
             (label("enriched", 2, {"cbms", "gender"}), Paragraph("S/A.txt", 2, "c")),
             (label("enriched", 3, {"ihl"}), Paragraph("S/A.txt", 3, "d"))]
    answers = {"a": {"binding_instrument", "gender"}, "b": set(), "c": {"cbms"},
               "d": {"ihl", "cbms"}}
    result = evaluate_tagging(lambda texts: [answers[t] for t in texts], pairs)
    random, enriched = result["random"], result["enriched"]
    assert (random["tp"], random["fp"], random["fn"]) == (0, 2, 0)
    assert random["off_topic_tag_rate"] == 0.5 and random["tagged_off_topic_share"] == 1.0
    assert random["worst_false_positives"][0]["false"] == ["binding_instrument", "gender"]
    assert (enriched["tp"], enriched["fp"], enriched["fn"]) == (2, 1, 1)
    assert enriched["precision"] == pytest.approx(0.667) and enriched["recall"] == 0.667
    assert enriched["per_issue"]["cbms"] == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5,
                                             "recall": 1.0, "f1": 0.667}
    with pytest.raises(ValueError, match="returned 0 tag sets for 4 texts"):
        evaluate_tagging(lambda texts: [], pairs)
    # every stratum present gets its own entry, in STRATA order; absent ones get none
    held = [(label("enriched_holdout", 4, {"ihl"}), Paragraph("S/A.txt", 4, "d"))]
    result = evaluate_tagging(lambda texts: [answers[t] for t in texts], held + pairs[2:])
    assert list(result) == ["enriched", "enriched_holdout"]
    assert result["enriched_holdout"]["paragraphs"] == 1
    assert result["enriched_holdout"]["fp"] == 1


def test_every_label_matches_the_pipelines_segmentation(labels, shared_data):
    """Each labelled paragraph is still the pipeline's segment, with the same text hash."""
    if not ARCHIVE.exists():
        pytest.skip(f"the General Debate archive is not at {ARCHIVE}")
    members = {label.member for label in labels}
    paragraphs = substantive_paragraphs(ARCHIVE, members=members)
    assert {p.member for p in paragraphs} == members
    pairs, mismatches = match_labels(labels, paragraphs)
    assert mismatches == []
    assert len(pairs) == len(labels)
    # a changed text is reported, not matched
    changed = dataclasses.replace(labels[0], sha16="f" * 16)
    assert match_labels([changed], paragraphs)[1][0]["problem"].startswith("text hash")
