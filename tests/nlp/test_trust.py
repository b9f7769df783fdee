"""Alignment an analyst can trust: the two-sided scale, intervals around their estimates,
evidence that supports the claim, offices and consensus adoption, the semantic basis, shared
positions of coalitions (unit and property tests on synthetic data)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nlp.alignment import (
    OVERALL,
    SEMANTIC,
    alignment_change,
    describe_alignment,
    score_alignment,
)
from nlp.capacity import adopts_consensus, detect_capacity, is_joint_statement
from nlp.coalitions import describe_shared, shared_positions
from nlp.convergence import measure_dispersion
from nlp.partners import best_pairs, rank_partners, voice
from nlp.positions import PositionConfig, estimate_positions, estimate_whole_positions
from nlp.similarity import stance_agreement
from nlp.stats import centred_interval
from tests.nlp.test_alignment_analysis import CAMP_A, CAMP_B, SESSIONS, synthetic


@pytest.fixture(scope="module")
def positions():
    rows, vectors = synthetic()
    return estimate_positions(rows, vectors, session_order=SESSIONS,
                              config=PositionConfig(n_boot=40, components=8))


# -- the scale -------------------------------------------------------------------------------
def test_stance_agreement_has_two_sides():
    agreement = stance_agreement(np.array([0.8, 0.6, -0.7, 0.0, np.nan]))
    assert agreement[0, 1] > 0.5  # same side
    assert agreement[0, 2] < -0.5  # opposite sides
    assert agreement[0, 3] == 0.0  # a state with no clear side is neither
    assert np.isnan(agreement[0, 4])
    assert np.all(np.abs(agreement[np.isfinite(agreement)]) <= 1)


def test_words_follow_the_scale():
    assert describe_alignment(-0.3) == "opposed"
    assert describe_alignment(0.1) == "mixed or unrelated"
    assert describe_alignment(0.6) == "like-minded"
    assert describe_alignment(float("nan")) == "no score"


def test_camps_are_opposed_and_within_camp_like_minded(positions):
    frame = score_alignment(positions, contested=["treaty"]).frame()
    across = frame.loc[CAMP_A[:3], CAMP_B].to_numpy()
    within = frame.loc[CAMP_A[:3], CAMP_A[:3]].to_numpy()[np.triu_indices(3, 1)]
    assert (across < -0.2).all() and (within > 0.5).all()


# -- one set of numbers ----------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(estimate=st.floats(-1, 1),
       boot=arrays(np.float64, st.integers(1, 40), elements=st.floats(-1, 1)))
def test_centred_interval_contains_its_estimate(estimate, boot):
    lo, hi = centred_interval(estimate, boot, bounds=(-1, 1))
    assert -1 <= lo <= estimate <= hi <= 1


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_every_estimate_lies_in_its_interval(seed):
    rows, vectors = synthetic(seed=seed)
    positions = estimate_positions(rows, vectors, session_order=SESSIONS,
                                   config=PositionConfig(n_boot=20, components=8,
                                                         random_state=seed))
    table = positions.table[positions.table["stance"].notna()]
    assert ((table["stance_lo"] <= table["stance"]) & (table["stance"] <= table["stance_hi"])
            ).all()
    for session in ("*", SESSIONS[-1]):
        result = score_alignment(positions, contested=["treaty"], session=session)
        ok = np.isfinite(result.overall)
        assert (result.overall_lo[ok] <= result.overall[ok] + 1e-12).all()
        assert (result.overall[ok] <= result.overall_hi[ok] + 1e-12).all()
    dispersion = measure_dispersion(positions, session_order=SESSIONS, contested=["treaty"],
                                    n_boot=30, random_state=seed).dispersion
    for value, lo, hi in (("stance_sd", "stance_sd_lo", "stance_sd_hi"),
                          ("semantic_spread", "spread_lo", "spread_hi"),
                          ("centre", "centre_lo", "centre_hi")):
        ok = dispersion[value].notna()
        assert ((dispersion.loc[ok, lo] <= dispersion.loc[ok, value])
                & (dispersion.loc[ok, value] <= dispersion.loc[ok, hi])).all()


def test_pair_changes_carry_intervals(positions):
    before = score_alignment(positions, contested=["treaty"], session=SESSIONS[-2])
    after = score_alignment(positions, contested=["treaty"], session=SESSIONS[-1])
    changes = alignment_change(before, after, from_session=SESSIONS[-2],
                               to_session=SESSIONS[-1])
    assert changes["delta_lo"].notna().all()
    assert ((changes["delta_lo"] <= changes["delta"]) & (changes["delta"] <= changes["delta_hi"])
            ).all()
    # the mover AAD joined camp B in the last session: its pair with a camp-B state gains
    gain = changes[(changes["state_a"] == "AAD") & (changes["state_b"] == "BBA")].iloc[0]
    assert gain["delta_lo"] > 0


# -- every pair that can be scored is scored -------------------------------------------------
def test_pairs_sharing_few_issues_get_a_semantic_basis(positions):
    rows, vectors = synthetic()
    own = rows.drop_duplicates("seg")
    # a state that said things but holds no issue position
    extra = pd.DataFrame({"seg": [0, 1], "state": ["ZZZ", "ZZZ"]})
    whole = estimate_whole_positions(pd.concat([own[["seg", "state"]], extra]), vectors,
                                     n_boot=20)
    result = score_alignment(positions, contested=["treaty"], whole=whole)
    z = result.states.index("ZZZ")
    scored = np.isfinite(np.delete(result.overall[z], z))
    assert scored.all()
    long = result.long()
    overall = long[long["issue"] == OVERALL]
    assert set(overall.loc[(overall["state_a"] == "ZZZ") | (overall["state_b"] == "ZZZ"),
                           "basis"]) == {SEMANTIC}
    assert (overall.loc[~overall["state_b"].eq("ZZZ"), "basis"] == "issues").all()
    assert overall["lo"].notna().all()


# -- evidence that supports the claim --------------------------------------------------------
def _own():
    texts = {("AAA", 1.0): "We oppose a new treaty.", ("AAA", -1.0): "Some say a treaty helps.",
             ("BBB", 1.0): "A treaty is not needed.", ("BBB", -1.0): "We call for a treaty."}
    rows = [{"seg": n, "state": s, "session": "S1", "issue": "treaty", "stance": side * 0.8,
             "text": t, "source": f"{s}.txt", "on_behalf_of": ""}
            for n, ((s, side), t) in enumerate(texts.items())]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(rows), 8))
    vectors[3] = vectors[0]  # the most similar pair takes opposite sides
    return pd.DataFrame(rows), vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_partner_evidence_takes_the_same_side_and_opponents_opposite_sides():
    own, vectors = _own()
    stance = dict(zip(own["text"], own["stance"], strict=True))
    same = best_pairs(own, vectors, "AAA", "BBB", "treaty", contested=True)
    assert np.sign(stance[same.quote]) == np.sign(stance[same.partner_quote])
    apart = best_pairs(own, vectors, "AAA", "BBB", "treaty", contested=True, opposed=True)
    assert np.sign(stance[apart.quote]) == -np.sign(stance[apart.partner_quote])
    # each paragraph on its own state's side: AAA holds +, BBB holds -
    none = best_pairs(own, vectors, "AAA", "BBB", "treaty", contested=True,
                      position_sides=(1.0, -1.0))
    assert none is None
    against = best_pairs(own, vectors, "AAA", "BBB", "treaty", contested=True, opposed=True,
                         position_sides=(1.0, -1.0))
    assert (against.quote, against.partner_quote) == ("We oppose a new treaty.",
                                                      "We call for a treaty.")


def test_national_paragraphs_come_before_group_statements():
    own, vectors = _own()
    own = pd.concat([own, own.iloc[[2]].assign(seg=4, text="The Group opposes a treaty.",
                                               on_behalf_of="NAM")], ignore_index=True)
    vectors = np.vstack([vectors, vectors[0]])  # the group paragraph is the closest match
    found = best_pairs(own, vectors, "AAA", "BBB", "treaty", contested=True)
    assert found.partner_on_behalf_of == "" and found.partner_quote == "A treaty is not needed."


def test_a_group_statement_another_delivered_is_quoted_only_when_nothing_own_supports_it():
    own, vectors = _own()
    # CCC speaks only through a group statement BBB delivered; a copy of BBB's group paragraph
    relayed = own.iloc[[2]].assign(seg=4, state="CCC", text="The Group opposes a treaty.",
                                   on_behalf_of="NAM", delivered_by="BBB")
    delivered = relayed.assign(seg=5, state="BBB", delivered_by="")
    table = pd.concat([own.assign(delivered_by=""), relayed, delivered], ignore_index=True)
    vectors = np.vstack([vectors, vectors[0], vectors[0]])
    found = best_pairs(table, vectors, "AAA", "CCC", "treaty", contested=True)
    assert (found.partner_on_behalf_of, found.partner_delivered_by) == ("NAM", "BBB")
    assert voice(found.partner_on_behalf_of, found.partner_delivered_by) == (
        "via NAM, delivered by BBB")
    # BBB's own delivery of the same group paragraph beats nothing national, but it is BBB's
    # national paragraph that is quoted when there is one
    mine = best_pairs(table, vectors, "AAA", "BBB", "treaty", contested=True)
    assert mine.partner_quote == "A treaty is not needed." and mine.partner_delivered_by == ""
    # a relayed paragraph loses against one the state delivered itself
    both = pd.concat([table, relayed.assign(seg=6, state="CCC", delivered_by="",
                                            text="CCC, for the Group: no treaty.")],
                     ignore_index=True)
    chosen = best_pairs(both, np.vstack([vectors, vectors[2]]), "AAA", "CCC", "treaty",
                        contested=True)
    assert chosen.partner_quote == "CCC, for the Group: no treaty."
    assert chosen.partner_delivered_by == "" and voice(chosen.partner_on_behalf_of) == "for NAM"


def test_partners_beyond_a_group_and_opponents_with_drivers(positions):
    result = score_alignment(positions, contested=["treaty"])
    partners, opposed = rank_partners(result, "AAA", top=3, exclude=frozenset(CAMP_A))
    assert not {p.state for p in partners} & set(CAMP_A)
    assert opposed[0].label == "opposed" and opposed[0].drivers[0][0] == "treaty"


# -- offices, consensus, joint statements ----------------------------------------------------
@pytest.mark.parametrize(("text", "office"), [
    ("In my capacity as Chair of the OEWG, I thank all delegations.", "chair"),
    ("Speaking as facilitator of the consultations, I report progress.", "facilitator"),
    ("As the presidency of the Council of the EU, we stress unity.", "presidency"),
    ("En ma qualité de Président, je remercie les délégations.", "chair"),
    ("En mi calidad de Presidenta, agradezco a las delegaciones.", "chair"),
    ("Our ambassador has been entrusted with chairing the new group. As Chair, he will listen.",
     "chair"),
    ("ASEAN congratulates the ambassador on his appointment as Chair of the new working group.",
     ""),
    ("Brazil had the honour of chairing the sixth GGE.", ""),
    ("Thank you, Mr. Chair.", ""),
    ("During its G7 Presidency, Italy promoted trust in the digital economy.", ""),
])
def test_office_is_detected(text, office):
    assert detect_capacity(text) == office


def test_consensus_adoption_and_joint_statements():
    assert adopts_consensus("Canada is pleased to join consensus on the Global Mechanism.")
    assert adopts_consensus("We accept that it will take its decisions by consensus.")
    assert adopts_consensus("Chile supports the draft final report. We see it as a balanced "
                            "compromise.")
    assert not adopts_consensus("A new legally binding convention is urgently needed.")
    assert is_joint_statement("Joint statement on ransomware", "")
    assert is_joint_statement("", "I speak on behalf of 42 states from all regions.")
    assert not is_joint_statement("Statement by Italy", "cross-regional exchanges help")


# -- coalitions in words ---------------------------------------------------------------------
def test_coalitions_shared_positions_in_words():
    labels = {"A1": 0, "A2": 0, "A3": 0, "B1": 1, "B2": 1, "B3": 1}
    stances = pd.DataFrame({"state": list(labels) * 2,
                            "issue": ["treaty"] * 6 + ["ihl"] * 6,
                            "stance": [0.7, 0.5, 0.6, -0.6, -0.4, -0.5,
                                       -0.5, 0.6, np.nan, 0.6, 0.7, 0.5]})
    shared = shared_positions(labels, stances)
    poles = {"treaty": ("Existing law suffices", "A new treaty is needed"),
             "ihl": ("IHL references militarise", "IHL applies")}
    assert describe_shared(shared[shared["coalition"] == 0], poles) == "A new treaty is needed"
    assert describe_shared(shared[shared["coalition"] == 1], poles) == (
        "IHL applies; Existing law suffices")
    # a label with a semicolon of its own stays one position
    poles["ihl"] = ("IHL references militarise", "IHL applies; no new law needed")
    assert describe_shared(shared[shared["coalition"] == 1], poles) == (
        "IHL applies, no new law needed; Existing law suffices")
