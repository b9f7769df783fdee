from nlp.segment import (
    PROCEDURAL,
    SUBSTANTIVE,
    is_procedural,
    segment_statement,
    segment_statements,
    split_paragraphs,
)


def kinds(segments):
    return [(s.kind, s.text) for s in segments]


def test_procedural_opening_and_closing_are_recorded_not_dropped():
    text = ("Thank you, Chair.\n\nAllow me to congratulate you on your election. Capacity "
            "building must be demand-driven. It should reach small states first.\n\n"
            "I thank you.")
    segments = segment_statement("s1", text)
    assert kinds(segments) == [
        (PROCEDURAL, "Thank you, Chair."),
        (PROCEDURAL, "Allow me to congratulate you on your election."),
        (SUBSTANTIVE, "Capacity building must be demand-driven. It should reach small states "
                      "first."),
        (PROCEDURAL, "I thank you."),
    ]
    assert [s.index for s in segments] == [0, 1, 2, 3]
    assert [s.paragraph for s in segments] == [0, 1, 1, 2]


def test_full_statement_circulated_is_procedural():
    assert is_procedural("The full version of this statement will be circulated to delegations.")
    assert is_procedural("Merci, Monsieur le Président.")
    assert is_procedural("Gracias, señor Presidente.")
    assert not is_procedural("We thank the Chair for the draft and propose that the mechanism "
                             "take decisions by consensus, as the report on norms recommends.")


def test_no_punctuation_is_one_segment_or_word_chunks():
    text = "capacity building remains our priority " * 5
    (segment,) = segment_statement("s", text)
    assert segment.kind == SUBSTANTIVE and segment.n_sentences == 1
    long = "capacity building remains our priority " * 80
    segments = segment_statement("s", long, max_chars=300)
    assert len(segments) > 1 and all(len(s.text) <= 300 for s in segments)
    assert " ".join(s.text for s in segments).split() == long.split()


def test_bullet_items_are_separate_paragraphs():
    text = ("Our priorities are:\n- protecting hospitals from ransomware\n"
            "- a tested points of contact directory\n• capacity building for small states")
    assert split_paragraphs(text) == [
        "Our priorities are:", "- protecting hospitals from ransomware",
        "- a tested points of contact directory", "• capacity building for small states"]


def test_very_long_paragraph_is_cut_at_sentence_boundaries():
    sentence = "States should protect undersea cables and the infrastructure they carry."
    text = " ".join([sentence] * 40)
    segments = segment_statement("s", text, max_chars=500)
    assert len(segments) >= 6
    assert all(len(s.text) <= 500 and s.text.endswith("carry.") for s in segments)
    assert sum(s.n_sentences for s in segments) == 40


def test_mixed_languages_and_batches_keep_statement_order():
    segments = segment_statements([
        ("en", "Thank you, Chair.\n\nWe support the Programme of Action.", "en"),
        ("fr", "Merci, Monsieur le Président.\n\nLe renforcement des capacités est essentiel. "
               "Il doit être durable.", "fr"),
        ("es", "Gracias, señor Presidente.\n\nApoyamos la perspectiva de género.", "es"),
    ])
    assert [s.statement_id for s in segments] == ["en", "en", "fr", "fr", "es", "es"]
    assert [s.kind for s in segments] == [PROCEDURAL, SUBSTANTIVE] * 3
    assert segments[3].n_sentences == 2


def test_segment_hash_is_the_text_hash():
    a, b = segment_statement("x", "Norms matter.\n\nNorms matter.")
    assert a.text_hash == b.text_hash and a.index != b.index
