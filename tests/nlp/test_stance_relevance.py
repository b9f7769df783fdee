"""The per-issue relevance gate, the off-topic gate and the stance cues added with them (issue 11):
which clause is about which issue, which text is about none of them, and whose view a clause
carries. Sentences written for these tests."""

import numpy as np
import pytest

from nlp.annotate import annotate_texts, field_sentences
from nlp.stance import StanceModel
from nlp.stance_cues import (
    CONCEDED,
    CONTRAST,
    ENDORSES_CLAUSE,
    PROCEDURE,
    REJECTS_CLAUSE,
    REJECTS_PREVIOUS,
    REPORTED,
    sentence_role,
    split_clauses,
)
from nlp.stance_reading import read_paragraphs
from nlp.tagging import IssueTagger
from nlp.taxonomy import TaxonomyError, parse_taxonomy


@pytest.mark.parametrize(("sentence", "role", "clause"), [
    ("We often hear that a new convention would close legal gaps.", REPORTED,
     "a new convention would close legal gaps."),
    ("The sponsors tell us that their proposal is inclusive.", REPORTED,
     "their proposal is inclusive."),
    ("Views differed on the role of humanitarian law.", REPORTED, ""),
    ("D'autres ont mis en garde contre les accusations.", REPORTED, ""),
    ("We do not accept that one objection may exclude an organisation.", REJECTS_CLAUSE,
     "one objection may exclude an organisation."),
    ("We agree with those who have said that a convention is needed now.", ENDORSES_CLAUSE,
     "a convention is needed now."),
    ("We cannot accept that.", REJECTS_PREVIOUS, ""),
    ("We believe this is premature.", REJECTS_PREVIOUS, ""),
    ("The meeting will now suspend and resume at three.", PROCEDURE, ""),
    ("While we value the working group", CONCEDED, ""),
])
def test_roles_of_heard_views_rejected_clauses_and_procedure(sentence, role, clause):
    found = sentence_role(sentence)
    assert (found.role, found.clause) == (role, clause)


def test_a_negated_endorsement_endorses_nothing():
    assert sentence_role("We do not agree with those who have said that a convention is "
                         "needed now.").role != ENDORSES_CLAUSE
    assert sentence_role("We do not share the view that existing law is insufficient.").role \
        == REJECTS_CLAUSE


def test_concessions_and_but_clauses_are_cut_apart():
    assert split_clauses(["While we value the working group, a programme of action is better."]) \
        == ["While we value the working group", "a programme of action is better."]
    parts = split_clauses(["We see merit in the norms, but they must become binding."])
    assert parts == ["We see merit in the norms", "but they must become binding."]
    assert CONTRAST.match(parts[1]) and not CONTRAST.match(parts[0])


@pytest.fixture(scope="module")
def models(taxonomy, embedder):
    return (IssueTagger().fit(taxonomy, embedder),
            StanceModel(margin=0.2).fit(taxonomy, embedder))


def test_closest_issue_knows_texts_about_none_of_them(models, embedder):
    tagger, _ = models
    texts = ["All states should ratify the new treaty banning nuclear tests; it binds its parties.",
             "The law of armed conflict protects civilians from cyber operations in wartime too."]
    closest = tagger.closest_issue(embedder.encode(texts))
    assert closest[0] == -1 and tagger.issue_ids_[closest[1]] == "ihl"


def test_the_focus_gate_reads_a_clause_most_about_a_contested_issue(models, embedder):
    tagger, stance = models
    text = ["Naming the culprits of cyber operations in public is how norms get teeth."]
    vectors = embedder.encode(text)
    off, on = (annotate_texts(text, vectors, tagger=tagger, stance_model=stance,
                              embedder=embedder, focus_floor=floor)[0] for floor in (None, 0.8))
    assert "attribution" not in off.tags and "attribution" not in off.stances
    assert "attribution" in on.tags and on.stances["attribution"].stance > 0
    assert on.stances["attribution"].on_issue


def test_the_off_topic_gate_holds_other_subjects_to_the_off_domain_bar(models, embedder):
    tagger, stance = models
    texts = ["Cyber capacity building helps every state protect its networks."] * 4 + [
        "All states should ratify the new treaty banning nuclear tests; it is legally binding on "
        "its parties.",
        "We call for full accountability for the massacres committed against civilians last year."]
    vectors = embedder.encode(texts)

    def run(gate):
        return annotate_texts(texts, vectors, tagger=tagger, stance_model=stance,
                              embedder=embedder, focus_floor=0.8, off_topic_gate=gate)[4:]

    assert [n.tags for n in run(False)] == [("binding_instrument",), ("attribution",)]
    gated = run(True)
    assert [n.tags for n in gated] == [(), ()] and not any(n.in_domain for n in gated)


@pytest.mark.parametrize(("text", "role", "sign"), [
    ("We agree with those who have said that a legally binding convention on ICT security is "
     "needed.", ENDORSES_CLAUSE, 1),
    ("While some value the voluntary norms, a binding convention on ICT security is what we "
     "need.", "own", 1),
    ("We do not accept that existing international law is enough to govern state conduct in "
     "cyberspace.", REJECTS_CLAUSE, 1),
])
def test_endorsed_conceded_and_rejected_claims_take_the_speakers_side(models, embedder, text,
                                                                      role, sign):
    tagger, stance = models
    reading = read_paragraphs([text], [["binding_instrument"]], tagger=tagger,
                              stance_model=stance, embedder=embedder,
                              focus_floor=0.8)[0]["binding_instrument"]
    assert reading.role == role and reading.stance * sign > 0


def test_off_topic_sentences_are_validated_and_optional(embedder):
    data = {"issues": [{"id": "trade", "label": "Trade", "keywords": ["tariff"],
                        "seeds": ["Tariffs hurt trade.", "Trade barriers should fall.",
                                  "We discussed tariffs."]}]}
    with pytest.raises(TaxonomyError, match=r"domain\.off_topic"):
        parse_taxonomy({**data, "domain": {"off_topic": "fishing"}})
    alone = IssueTagger().fit(parse_taxonomy(data), embedder)
    assert alone.closest_issue(embedder.encode(["Tariffs are rising."])).tolist() == [0]
    with_none = IssueTagger().fit(parse_taxonomy(
        {**data, "domain": {"off_topic": ["The fishing season opens in May.",
                                          "Our football team won the cup."]}}), embedder)
    assert with_none.closest_issue(embedder.encode(["The football cup final is on Sunday.",
                                                    "Tariffs hurt our exporters."])).tolist() \
        == [-1, 0]


def test_outside_a_venue_a_paragraph_is_read_on_its_field_sentences(models, embedder):
    """A General Debate paragraph on women's rights that ends on a digital payment system is
    not about gender in ICT security; one whose field sentence is about ransomware still is."""
    tagger, stance = models
    texts = ["Gender equality is at the heart of our national plan. We have reserved a third of "
             "the seats in parliament for women and opened a school for girls in every district. "
             "Our digital payment system now reaches every village.",
             "Our economy grew by four per cent last year. Ransomware gangs encrypted the "
             "computer networks of our hospitals and demanded payment in crypto-assets."]
    vectors = embedder.encode(texts)

    def tags(venue):
        return [n.tags for n in annotate_texts(texts, vectors, tagger=tagger, stance_model=stance,
                                               embedder=embedder, venue=[venue] * 2)]

    in_venue, outside = tags(True), tags(False)
    assert "gender" in in_venue[0] and "gender" not in outside[0]
    assert "ransomware" in outside[1]


def test_field_sentences_keep_texts_all_or_nothing_in_the_field(models, embedder):
    tagger, _ = models
    texts = ["Cyber attacks rose. Online fraud too.", "Harvests were good. Rain came late.",
             "Harvests were good. Cyber attacks rose."]
    vectors = embedder.encode(texts)
    narrowed, out = field_sentences(texts, vectors, np.array([True, True, True]), tagger=tagger,
                                    embedder=embedder)
    assert narrowed == [texts[0], texts[1], "Cyber attacks rose."]
    assert np.array_equal(out[:2], vectors[:2])
    assert np.allclose(out[2], embedder.encode(["Cyber attacks rose."])[0], atol=1e-5)
    unchanged, _ = field_sentences(texts, vectors, np.zeros(3, dtype=bool), tagger=tagger,
                                   embedder=embedder)
    assert unchanged == texts


def test_a_sentence_that_names_its_issue_is_tagged_a_little_below_the_threshold(
        models, embedder):
    tagger, stance = models
    text = ["Industry and researchers should be heard in the formal meetings."]
    vectors = embedder.encode(text)
    reading = read_paragraphs(text, [["stakeholders"]], tagger=tagger, stance_model=stance,
                              embedder=embedder)[0]["stakeholders"]
    assert reading.stance is not None and reading.stance > 0 and reading.relevance < 1
    assert tagger.names_issue(text)[0, tagger.issue_ids_.index("stakeholders")]

    def run(named):
        return annotate_texts(text, vectors, tagger=tagger, stance_model=stance,
                              embedder=embedder, venue=[True], named_relevance=named)[0]

    assert "stakeholders" not in run(None).tags
    assert "stakeholders" not in run(reading.relevance + 0.01).tags
    named = run(reading.relevance - 0.01)
    assert "stakeholders" in named.tags and named.stances["stakeholders"].stance > 0
    # in a paragraph, a clause may name the issue in passing: the threshold holds
    paragraph = [text[0] + " Our country trained two hundred network defenders this year."]
    within = read_paragraphs(paragraph, [["stakeholders"]], tagger=tagger, stance_model=stance,
                             embedder=embedder)[0]["stakeholders"]
    assert within.clauses == 2 and within.sentence == text[0]
    assert "stakeholders" not in annotate_texts(
        paragraph, embedder.encode(paragraph), tagger=tagger, stance_model=stance,
        embedder=embedder, venue=[True], named_relevance=reading.relevance - 0.01)[0].tags
    with pytest.raises(ValueError, match="named_relevance"):
        run(0.0)


def test_a_text_of_one_clause_is_held_to_the_single_clause_margin(taxonomy, models, embedder):
    tagger, _ = models
    sentence = "A convention would give every state the certainty it lacks today."
    free = StanceModel(margin=0.0).fit(taxonomy, embedder)
    value = abs(read_paragraphs([sentence], [["binding_instrument"]], tagger=tagger,
                                stance_model=free, embedder=embedder)[0][
        "binding_instrument"].stance)
    model = StanceModel(margin=value + 0.05, single_margin=value - 0.05).fit(taxonomy, embedder)
    plain = StanceModel(margin=value + 0.05).fit(taxonomy, embedder)
    twice = f"{sentence[:-1]}; {sentence[0].lower()}{sentence[1:]}"  # two clauses, same reading

    def side(text, stance_model):
        return read_paragraphs([text], [["binding_instrument"]], tagger=tagger,
                               stance_model=stance_model, embedder=embedder)[0][
            "binding_instrument"].stance

    assert side(sentence, model) is not None and side(sentence, plain) is None
    assert side(twice, model) is None
    proba = np.array([[0.3, 0.25, 0.45]])
    assert StanceModel(margin=0.2, single_margin=0.1).fit(taxonomy, embedder).is_neutral(
        proba, single=True).tolist() == [False]
    with pytest.raises(ValueError, match="single_margin"):
        StanceModel(single_margin=1.5).fit(taxonomy, embedder)
