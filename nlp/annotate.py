"""Tag texts with issues and read their stance: the one path the pipeline, ``analyze-text`` and the
benchmarks share.

1. Issue scores (:class:`~nlp.tagging.IssueTagger`) on each text's own vector.
2. Domain: a text is in the taxonomy's field when it, or its group (a session, a batch), uses
   the domain vocabulary (:func:`~nlp.tagging.domain_context`); outside it, tags need a much
   higher score.
3. Stance (:func:`~nlp.stance_reading.read_paragraphs`), clause by clause, for every contested
   issue the text is tagged with, and for contested issues it comes close to
   (``stance_relevance`` times the threshold) in domain: when the clause that takes the side comes
   close to being tagged with the issue on its own (``clause_relevance`` times the threshold),
   the paragraph is about the issue too (its own score was diluted by its other sentences, or a
   sentence in another voice than the seeds scores a little lower), so it gets the tag; a text
   of one clause that names the issue (the taxonomy's ``anchors``) needs only ``named_relevance``
   times the threshold.
4. Outside a venue of the field (a General Debate), a paragraph that uses the field's vocabulary
   is tagged and read on the sentences that use it: the rest of a speech paragraph is about other
   things (women's education beside "Digital India", an infrastructure programme beside
   "telecommunications") and its vocabulary would pull the paragraph towards issues it never
   addresses in the field's sense.
5. The per-issue relevance gate (``focus_floor``): similarity to one issue's seeds says how
   close a text comes to that issue, not whether it is about it rather than another; a clause
   whose closest issue among all of them is a contested one, a little below its threshold, is
   read and tagged too.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from nlp.embeddings import Embedder
from nlp.segment import pipeline_for
from nlp.stance import StanceModel
from nlp.stance_reading import Reading, read_paragraphs
from nlp.tagging import IssueTagger, domain_venues

ANNOTATION_METHOD = "clauses-5"
"""Names the tagging and stance method; part of the stored annotations' fingerprint, so a change
to how tags or stances are computed re-annotates stored statements."""


@dataclass(frozen=True, slots=True)
class Annotation:
    """What a text says about the taxonomy.

    Attributes:
        scores: issue scores, in the tagger's ``issue_ids_`` order.
        tags: issues the text is about, highest score first.
        stances: per contested issue in ``tags``, the reading (stance ``None``: no side).
        in_domain: whether the text counted as being in the taxonomy's field.
    """

    scores: tuple[float, ...]
    tags: tuple[str, ...]
    stances: dict[str, Reading]
    in_domain: bool


def annotate_texts(texts: Sequence[str], vectors: np.ndarray, *, tagger: IssueTagger,
                   stance_model: StanceModel, embedder: Embedder,
                   languages: Sequence[str] | None = None,
                   groups: Sequence[Hashable] | None = None, min_domain_share: float = 0.2,
                   venue: Sequence[bool] | None = None,
                   stance_relevance: float = 0.8,
                   clause_relevance: float = 1.0,
                   named_relevance: float | None = None,
                   focus_floor: float | None = None,
                   off_topic_gate: bool = False) -> list[Annotation]:
    """Tag texts and read their stance on contested issues.

    Args:
        texts: paragraphs or sentences.
        vectors: their embeddings, ``(len(texts), dimension)``.
        tagger: fitted tagger.
        stance_model: fitted stance model.
        embedder: embeds the clauses of the texts read for stance (wrap it in a cache).
        languages: ISO 639-1 code per text (sentence splitting); English by default.
        groups: the context each text comes from (for :func:`~nlp.tagging.domain_context`);
            ``None`` treats all texts as one group.
        min_domain_share: share of texts with a domain cue that makes a group a domain venue.
        venue: per text, whether its group is a venue of the field, when the caller knows it
            from more texts than these (the pipeline does, per session); overrides ``groups``.
        stance_relevance: contested issues scoring at least this share of their threshold, in
            domain, are read for stance.
        clause_relevance: such an issue is tagged when the clause that takes a side scores at
            least this share of the threshold. Measured, 0.9 against 1.0: on the development
            sentences written with the seeds (``nlp/data/stance_eval.yaml``) accuracy 0.76
            against 0.63, but 0.4 more tags per sentence, and on the sample corpus Estonia's
            most opposed states on a binding instrument stop being the treaty camp; 1.0 kept.
        named_relevance: ...or this share when the text is read as one clause and that clause
            names the issue (:meth:`~nlp.tagging.IssueTagger.names_issue`): a sentence that
            names the issue is about it, which similarity to the seeds can miss ("We do not see
            the value of yet another open-ended negotiating body"); in a paragraph a clause may
            name it in passing. ``None``: ``clause_relevance`` only. Development set at 0.85:
            accuracy +0.022 (sentences 0.76 -> 0.80) at the same precision, neutral abstention
            0.93 -> 0.92. For clauses of paragraphs too: the same on the development set, but
            Belarus's "discussions on international law should focus on filling existing gaps
            rather than on mechanical application of rules" (0.94 of the threshold, read at
            -0.56) moves it to the sample corpus's swing camp on a binding instrument;
            ``clause_relevance`` 0.8 for every clause: +0.026 at abstention 0.89.
        focus_floor: the per-issue relevance gate. A text in domain whose closest issue
            (:meth:`~nlp.tagging.IssueTagger.closest_issue`, which weighs every issue against the
            others) is a contested one, scoring at least this share of that issue's threshold,
            is read for stance on it; a clause that is most about the issue counts as relevant
            at this share too, and when such a clause decides a side the text is tagged with
            the issue. ``None`` turns the gate off.
        off_topic_gate: a text without the domain vocabulary whose closest issue is none of
            them (:meth:`~nlp.tagging.IssueTagger.closest_issue`, the taxonomy's off-topic
            sentences) counts as outside the domain even in a venue of the field. On the
            development set: neutral texts left without a side 0.72 -> 0.80, accuracy 0.774 ->
            0.771.

    Returns:
        One :class:`Annotation` per text, in input order.
    """
    if vectors.shape[0] != len(texts):
        raise ValueError(f"vectors has {vectors.shape[0]} rows for {len(texts)} texts")
    if not 0 < stance_relevance <= 1:
        raise ValueError(f"stance_relevance must be in (0, 1]; got {stance_relevance}")
    if not 0 < clause_relevance <= 2:
        raise ValueError(f"clause_relevance must be in (0, 2]; got {clause_relevance}")
    if named_relevance is not None and not 0 < named_relevance <= 2:
        raise ValueError(f"named_relevance must be in (0, 2]; got {named_relevance}")
    if not texts:
        return []
    cue = tagger.has_domain_cue(texts)
    if venue is not None:
        if len(venue) != len(texts):
            raise ValueError(f"venue has {len(venue)} entries for {len(texts)} texts")
        in_venue = np.asarray(venue, dtype=bool)
    else:
        keys = list(groups) if groups is not None else [0] * len(texts)
        venues = domain_venues(cue, keys, min_share=min_domain_share)
        in_venue = np.array([venues[g] for g in keys], dtype=bool)
    in_domain = cue | in_venue
    texts, vectors = field_sentences(list(texts), vectors, cue & ~in_venue, tagger=tagger,
                                     embedder=embedder, languages=languages)
    scores = tagger.score(texts, vectors)
    top_issue = tagger.closest_issue(vectors)
    if off_topic_gate:  # in a venue of the field, a text about something else entirely
        in_domain = in_domain & (cue | (top_issue >= 0))
    tags = tagger.tag(scores, in_domain)
    contested = set(stance_model.issue_ids_)
    columns = [j for j, i in enumerate(tagger.issue_ids_) if i in contested]
    to_read = []
    for n, row in enumerate(scores):
        near = [tagger.issue_ids_[j] for j in columns
                if in_domain[n] and (row[j] >= stance_relevance * tagger.thresholds_[j] or (
                    focus_floor is not None and top_issue[n] == j
                    and row[j] >= focus_floor * tagger.thresholds_[j]))]
        to_read.append(list(dict.fromkeys([*(t for t in tags[n] if t in contested), *near])))
    readings = read_paragraphs(texts, to_read, tagger=tagger, stance_model=stance_model,
                               embedder=embedder, languages=languages, focus_floor=focus_floor)
    column = {i: j for j, i in enumerate(tagger.issue_ids_)}
    deciding = sorted({r.sentence for row in readings for r in row.values()
                       if r.stance is not None} if named_relevance is not None else ())
    names = dict(zip(deciding, tagger.names_issue(deciding), strict=True))
    out = []
    for n in range(len(texts)):
        row_tags = list(tags[n])
        stances = {}
        for issue_id, reading in readings[n].items():
            if issue_id in row_tags:
                stances[issue_id] = reading
            elif reading.stance is not None and (
                    reading.relevance >= clause_relevance
                    or (reading.on_issue and in_domain[n])
                    or (named_relevance is not None and reading.clauses == 1
                        and reading.relevance >= named_relevance
                        and bool(names[reading.sentence][column[issue_id]]))):
                row_tags.append(issue_id)
                stances[issue_id] = reading
        row_tags.sort(key=lambda i: -scores[n, column[i]])
        out.append(Annotation(tuple(float(v) for v in scores[n]), tuple(row_tags), stances,
                              bool(in_domain[n])))
    return out


def field_sentences(texts: Sequence[str], vectors: np.ndarray, rows: np.ndarray, *,
                    tagger: IssueTagger, embedder: Embedder,
                    languages: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Replace each text marked in ``rows`` by its sentences that use the field's vocabulary.

    A text whose sentences all use it, or none, is kept as it is. Measured on hand-labelled
    General Debate paragraphs that use digital vocabulary (``benchmarks/bench_tagging_real.py``):
    see the README, "Stance on text nobody here wrote".

    Args:
        texts: the texts, ``(n,)``.
        vectors: their embeddings, ``(n, dimension)``; rows replaced are re-embedded.
        rows: bool ``(n,)``, the texts in the field only through their own vocabulary.
        tagger: fitted tagger (its domain vocabulary).
        embedder: embeds the kept sentences.
        languages: ISO 639-1 code per text (sentence splitting); English by default.

    Returns:
        The texts and vectors, with the marked texts narrowed to their field sentences.
    """
    spans: dict[int, str] = {}
    for n in (int(i) for i in np.flatnonzero(rows)):
        doc = pipeline_for((languages[n] if languages else None) or "en")(texts[n])
        sentences = [s.text.strip() for s in doc.sents if s.text.strip()]
        keep = tagger.has_domain_cue(sentences) if sentences else np.zeros(0, dtype=bool)
        if 0 < keep.sum() < len(sentences):
            spans[n] = " ".join(s for s, k in zip(sentences, keep, strict=True) if k)
    if not spans:
        return list(texts), vectors
    out, narrowed = list(texts), vectors.copy()
    order = sorted(spans)
    narrowed[order] = embedder.encode([spans[n] for n in order])
    for n in order:
        out[n] = spans[n]
    return out, narrowed
