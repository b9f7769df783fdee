"""Paragraph stance read clause by clause, sentence roles, and the off-topic gate."""

import numpy as np
import pytest

from nlp.annotate import annotate_texts
from nlp.stance import StanceModel
from nlp.stance_cues import (
    CONCEDED,
    ENDORSES_PREVIOUS,
    OWN,
    QUESTION,
    REJECTS_CLAUSE,
    REJECTS_PREVIOUS,
    REPORTED,
    plain_form,
    sentence_role,
    split_clauses,
)
from nlp.stance_reading import paragraph_clauses, read_paragraphs
from nlp.tagging import IssueTagger, domain_context, domain_venues, keyword_pattern
from nlp.taxonomy import TaxonomyError, parse_taxonomy


@pytest.mark.parametrize(("sentence", "role"), [
    ("Some delegations have called for a new treaty.", REPORTED),
    ("Others argue that existing law is sufficient.", REPORTED),
    ("It has been suggested that the mechanism should vote.", REPORTED),
    ("Algunas delegaciones piden un nuevo tratado.", REPORTED),
    ("Certaines délégations demandent un traité.", REPORTED),
    ("Like many other delegations, we believe a convention is needed.", OWN),
    ("We do not share that view.", REJECTS_PREVIOUS),
    ("My delegation respectfully disagrees.", REJECTS_PREVIOUS),
    ("We respectfully disagree.", REJECTS_PREVIOUS),
    ("No compartimos esa opinión.", REJECTS_PREVIOUS),
    ("Nous ne partageons pas ce point de vue.", REJECTS_PREVIOUS),
    ("We share this view.", ENDORSES_PREVIOUS),
    ("Why should we negotiate a treaty now?", QUESTION),
    ("We support the Programme of Action.", OWN),
    ("We have accepted that the mechanism will take decisions by consensus.", CONCEDED),
    ("We can accept consensus as the basis for decisions.", CONCEDED),
    # a description of the debate, not a view
    ("The discussion on how existing law applies has shown deep divergences of interpretation.",
     REPORTED),
    ("Le débat a révélé de profondes divergences sur ce point.", REPORTED),
    ("We have shown our commitment to the framework.", OWN),
])
def test_sentence_roles(sentence, role):
    assert sentence_role(sentence).role == role


def test_rejected_and_reported_claims_are_extracted():
    rejected = sentence_role("We do not share the view that existing law is insufficient.")
    assert rejected.role == REJECTS_CLAUSE and rejected.clause == "existing law is insufficient."
    reported = sentence_role("Some states argue that a treaty would close legal gaps.")
    assert reported.role == REPORTED and reported.clause == "a treaty would close legal gaps."


def test_clauses_split_at_semicolons_and_drop_courtesy():
    assert split_clauses(["Some call for a treaty; we disagree."]) == [
        "Some call for a treaty", "we disagree."]
    clauses = paragraph_clauses("Thank you, Chair. Some call for a treaty; we disagree.")
    assert clauses == ["Some call for a treaty", "we disagree."]


@pytest.fixture(scope="module")
def models(taxonomy, embedder):
    return (IssueTagger().fit(taxonomy, embedder),
            StanceModel(margin=0.1).fit(taxonomy, embedder))


def _read(models, embedder, text, issue="binding_instrument"):
    tagger, stance = models
    return read_paragraphs([text], [[issue]], tagger=tagger, stance_model=stance,
                           embedder=embedder)[0][issue]


def test_the_clause_that_carries_the_position_decides(models, embedder):
    eu = ("The Union is firmly convinced that existing international law, including the Charter "
          "of the United Nations in its entirety, applies to the conduct of States in cyberspace. "
          "We see no need for a new legally binding instrument; what is needed is better "
          "implementation of what we have already agreed.")
    reading = _read(models, embedder, eu)
    assert reading.stance is not None and reading.stance < 0
    assert reading.sentence in eu and reading.role == OWN


def test_a_rejected_reported_view_gives_the_opposite_side(models, embedder):
    text = ("Some delegations have proposed negotiating a universal convention on information "
            "security. We do not share that view. Existing international law already governs "
            "what states do in cyberspace.")
    assert _read(models, embedder, text).stance < 0
    only_reported = "Some delegations have proposed negotiating a universal convention."
    assert _read(models, embedder, only_reported).stance is None


def test_reading_validates_its_arguments(models, embedder):
    tagger, stance = models
    with pytest.raises(ValueError, match="issues has 1 entries for 2 texts"):
        read_paragraphs(["a", "b"], [["ihl"]], tagger=tagger, stance_model=stance,
                        embedder=embedder)
    # consensual or unknown issues are not read
    assert read_paragraphs(["Ransomware must stop."], [["ransomware"]], tagger=tagger,
                           stance_model=stance, embedder=embedder) == [{}]


def test_keyword_prefixes_and_domain_context():
    pattern = keyword_pattern(["cyber*", "ict"])
    assert len(pattern.findall("Cybersecurity, cyberspace and ICT; not a dictionary")) == 3
    venues = domain_venues([True, False, False, False, False, False], ["a"] * 2 + ["b"] * 4,
                           min_share=0.3)
    assert venues == {"a": True, "b": False}
    assert domain_context([True, False, False], ["gd", "gd", "gd"], min_share=0.5).tolist() == [
        True, False, False]
    with pytest.raises(ValueError, match="groups has 1 entries for 2 texts"):
        domain_context([True, False], ["x"])


def test_off_domain_text_needs_much_stronger_evidence(taxonomy, models, embedder):
    tagger, stance = models
    texts = ["Humanitarian aid must reach civilians in Yemen and Syria, and all parties to the "
             "conflict must respect international humanitarian law.",
             "Applying international humanitarian law to cyber operations protects civilians."]
    vectors = embedder.encode(texts)
    scores = tagger.score(texts, vectors)
    assert tagger.has_domain_cue(texts).tolist() == [False, True]
    gated = tagger.tag(scores, [False, True])
    assert gated[0] == [] and "ihl" in gated[1]
    notes = annotate_texts(texts, vectors, tagger=tagger, stance_model=stance,
                           embedder=embedder, groups=["gd", "gd"], min_domain_share=0.6)
    assert [n.in_domain for n in notes] == [False, True]
    assert notes[0].tags == () and notes[1].stances["ihl"].stance > 0


def test_a_taxonomy_without_domain_has_no_gate(embedder):
    data = {"issues": [{"id": "trade", "label": "Trade", "keywords": ["tariff"],
                        "seeds": ["Tariffs hurt trade.", "We discussed tariffs.",
                                  "Trade barriers should fall."]}]}
    taxonomy = parse_taxonomy(data)
    assert taxonomy.domain_keywords == ()
    tagger = IssueTagger().fit(taxonomy, embedder)
    assert tagger.has_domain_cue(["anything at all"]).tolist() == [True]
    with pytest.raises(ValueError, match="domain: expected a mapping"):
        parse_taxonomy({**data, "domain": ["cyber"]})
    assert np.all(tagger.thresholds_ > 0)


@pytest.mark.parametrize(("clause", "plain"), [
    ("We are not unconvinced by the treaty.", "We are convinced by the treaty."),
    ("It is not that we do not support a Programme of Action", "we support a Programme of Action"),
    ("We see no reason not to keep the rules.", "We see every reason to keep the rules."),
    ("We do not think it unreasonable to name them.", "We think it reasonable to name them."),
    ("It is not without reason that we insist on it.", "we insist on it."),
    ("We could perhaps consider a convention.", "We support a convention."),
    ("Ce n'est pas que nous ne voyons pas les risques", "nous voyons les risques"),
    ("No es que no creamos en el derecho", "creamos en el derecho"),
    # "only X can Y" holds X
    ("Only a legally binding instrument can remove this uncertainty.",
     "a legally binding instrument is the only way to remove this uncertainty."),
    ("States need certainty, and only a binding convention can give it.",
     "States need certainty, and a binding convention is the only way to give it."),
    ("Seul un traité universel peut combler ces lacunes.",
     "un traité universel est le seul moyen de combler ces lacunes."),
    ("Solo un instrumento vinculante puede cerrar estas brechas.",
     "un instrumento vinculante es la única manera de cerrar estas brechas."),
    ("Only by working together can we succeed.", "Only by working together can we succeed."),
    ("Only a treaty cannot fix this.", "Only a treaty cannot fix this."),
    # one negation, or "un-" that is not a prefix: left alone
    ("We are not convinced that it is needed.", "We are not convinced that it is needed."),
    ("This is not under discussion.", "This is not under discussion."),
])
def test_cancelling_negations_and_hedges_are_read_plainly(clause, plain):
    assert plain_form(clause) == plain


def test_a_rejected_claim_ends_at_so():
    assert split_clauses(["It is not the case that the law is silent, so we see no need to "
                          "rewrite it."]) == ["It is not the case that the law is silent",
                                              "so we see no need to rewrite it."]


def test_a_paragraph_takes_a_side_only_on_an_issue_it_names(taxonomy, models, embedder):
    tagger, _ = models
    # close to the law of armed conflict in embedding space, but about theft and sanctions
    korea = ("We are concerned about cyber operations that steal crypto-assets to finance weapons "
             "programmes in violation of Security Council resolutions.")
    named = tagger.names_issue([korea, "Humanitarian law applies in armed conflict."])
    ihl = tagger.issue_ids_.index("ihl")
    assert named[:, ihl].tolist() == [False, True]
    assert _read(models, embedder, korea, "ihl").stance is None
    # the same words in a paragraph that names the issue are read
    assert _read(models, embedder, "International humanitarian law applies to cyber operations "
                 "in armed conflict and protects civilians.", "ihl").stance > 0
    # consensual issues have no anchors and take no side; anchors there are an error
    assert not any(i.anchors for i in taxonomy.issues if not i.contested)
    assert all(i.anchors for i in taxonomy.contested)
    raw = {"issues": [{"id": "trade", "label": "Trade", "keywords": ["tariff"],
                       "anchors": ["tariff*"],
                       "seeds": ["Tariffs hurt trade.", "We discussed tariffs.", "Trade."]}]}
    with pytest.raises(TaxonomyError, match=r"anchors: only contested issues"):
        parse_taxonomy(raw)
