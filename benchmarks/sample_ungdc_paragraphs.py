"""Draw the General Debate paragraphs that are labelled by hand for the tagging evaluation.

The first two strata, drawn deterministically (fixed seed) from the substantive segments of every
speech in ``../shared/data/ungdc_2013-2024_no2017.tar.gz``, segmented exactly as the pipeline does:

- ``random``: paragraphs drawn uniformly at random. Almost all of a General Debate speech is off
  the cyber issues, so this stratum measures how often the tagger fires on text about nothing it
  tracks (the unbiased off-topic rate) and its precision on a typical speech.
- ``enriched``: paragraphs drawn at random among those that mention cyber, ICT, digital matters,
  the internet, data, AI and the like (:data:`ENRICH_RE`), excluding those already in the random
  stratum. It exists only to have enough paragraphs that are about the issues to measure recall;
  its precision is not that of a typical speech. Precision and recall are reported per stratum.

A third stratum, ``enriched_holdout``, was drawn on 2 December 2026 the enriched way with another
seed among the paragraphs not labelled in the first two (150 paragraphs), and labelled by hand by a
helper session (``gdlabels``) that read each paragraph and the issue descriptions, not the seeds,
and ran no tagger on them. It is held out: the tagger change of 2026-12-02 was made looking at the
errors on ``random`` and ``enriched``; ``enriched_holdout`` is looked at once, by the lead, after
that change (``bench_tagging_real.py --holdout``). Draw it again with:

    PYTHONPATH=. python benchmarks/sample_ungdc_paragraphs.py --out /tmp/holdout.txt \\
        --stratum enriched_holdout --seed 20261202 --n-random 0 --n-enriched 150 --exclude-labelled

``--exclude-labelled`` leaves out every paragraph labelled in another stratum of the labels file
(by member and segment), so the draw is the same before and after the stratum's own rows are
appended. A new stratum name must first be added to ``STRATA`` in ``ungdc_paragraphs.py``.

Each paragraph is identified by its member path in the archive, its segment index in the
statement and the first 16 hex digits of the SHA-256 of its text; the labels file stores those,
never the text. The texts are printed to a file outside the repository for the labeller to read:

    PYTHONPATH=. python benchmarks/sample_ungdc_paragraphs.py --out /tmp/ungdc_sample.txt
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Collection, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ungdc_paragraphs import (
    ARCHIVE,
    LABELS,
    ROOT,
    STRATA,
    Label,
    Paragraph,
    read_labels,
    substantive_paragraphs,
)

SEED = 20261201
N_RANDOM = 160
N_ENRICHED = 120
ENRICH_RE = re.compile(
    r"\b(?:cyber\w*|ICTs?|digital\w*|internet|online|on-line|information\s+security"
    r"|information\s+and\s+communications?\s+technolog(?:y|ies)|information\s+technolog(?:y|ies)"
    r"|artificial\s+intelligence|AI|data|hack(?:s|ers?|ing)?|malware|ransomware|spyware"
    r"|disinformation|misinformation|social\s+media|emerging\s+technolog(?:y|ies)"
    r"|new\s+technolog(?:y|ies)|information\s+space|telecommunications?)\b", re.I)
"""Cyber and digital vocabulary that makes a paragraph a candidate for the enriched stratum."""
_AI_RE = re.compile(r"\bAI\b")  # "AI" only in capitals: "ai" is not a word in these texts


def mentions_digital(text: str) -> bool:
    """Whether a paragraph uses the enriched stratum's vocabulary."""
    return any(m.group(0).lower() != "ai" or _AI_RE.search(m.group(0))
               for m in ENRICH_RE.finditer(text))


def draw(paragraphs: list[Paragraph], *, seed: int = SEED, n_random: int = N_RANDOM,
         n_enriched: int = N_ENRICHED, stratum: str = "enriched",
         exclude: Collection[tuple[str, int]] = ()) -> dict[str, list[Paragraph]]:
    """The random stratum and the enriched one (named ``stratum``), sorted by member and segment.

    A stratum asked for no paragraph is left out of the result.

    Args:
        paragraphs: every substantive paragraph, in a fixed order (member, then segment).
        stratum: the name of the enriched stratum (``random`` is always ``random``).
        exclude: ``(member, segment)`` keys never drawn into either stratum (paragraphs
            already labelled in another stratum). Empty, the draw is the original one.

    Raises:
        ValueError: a stratum asks for more paragraphs than there are candidates.
    """
    if stratum == "random":
        raise ValueError("the enriched stratum cannot be named 'random'")
    excluded = set(exclude)
    pool = [n for n, p in enumerate(paragraphs) if (p.member, p.segment) not in excluded]
    if n_random > len(pool):
        raise ValueError(f"{n_random} random paragraphs asked for; {len(pool)} can be drawn")
    rng = random.Random(seed)
    picked = rng.sample(pool, n_random)
    taken = set(picked)
    candidates = [n for n in pool if n not in taken and mentions_digital(paragraphs[n].text)]
    if n_enriched > len(candidates):
        raise ValueError(f"{n_enriched} {stratum} paragraphs asked for; {len(candidates)} "
                         "candidates use the digital vocabulary")
    enriched = rng.sample(candidates, n_enriched)
    key = lambda n: (paragraphs[n].member, paragraphs[n].segment)  # noqa: E731
    strata = {"random": [paragraphs[n] for n in sorted(picked, key=key)],
              stratum: [paragraphs[n] for n in sorted(enriched, key=key)]}
    return {name: chosen for name, chosen in strata.items() if chosen}


def labelled_elsewhere(labels: Sequence[Label], stratum: str) -> set[tuple[str, int]]:
    """The ``(member, segment)`` of every paragraph labelled in a stratum other than ``stratum``.

    Excluding these (and not the stratum's own rows) keeps a new stratum's draw reproducible
    after its labels are appended to the file.
    """
    return {(label.member, label.segment) for label in labels if label.stratum != stratum}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--out", type=Path, required=True,
                        help="text file for the labeller (outside the repository)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument("--n-random", type=int, default=N_RANDOM, help=f"default {N_RANDOM}")
    parser.add_argument("--n-enriched", type=int, default=N_ENRICHED,
                        help=f"default {N_ENRICHED}")
    parser.add_argument("--stratum", default="enriched",
                        help="name of the enriched stratum (default enriched); a new name must "
                             f"be added to STRATA in benchmarks/ungdc_paragraphs.py {STRATA}")
    parser.add_argument("--exclude-labelled", nargs="?", type=Path, const=LABELS, default=None,
                        metavar="LABELS",
                        help="never draw a paragraph labelled in another stratum of this labels "
                             f"file (default {LABELS.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if min(args.n_random, args.n_enriched) < 0:
        print("--n-random and --n-enriched must be >= 0", file=sys.stderr)
        return 2
    if args.stratum not in STRATA or args.stratum == "random":
        print(f"--stratum {args.stratum!r}: the labels file accepts {STRATA}; add a new "
              "stratum to STRATA in benchmarks/ungdc_paragraphs.py first", file=sys.stderr)
        return 2
    if args.out.resolve().is_relative_to(ROOT):
        print(f"--out {args.out}: write the speech texts outside the repository ({ROOT})",
              file=sys.stderr)
        return 2
    if not args.archive.exists():
        print(f"archive not found: {args.archive}", file=sys.stderr)
        return 1
    exclude: set[tuple[str, int]] = set()
    if args.exclude_labelled is not None:
        exclude = labelled_elsewhere(read_labels(args.exclude_labelled), args.stratum)
    paragraphs = substantive_paragraphs(args.archive)
    try:
        strata = draw(paragraphs, seed=args.seed, n_random=args.n_random,
                      n_enriched=args.n_enriched, stratum=args.stratum, exclude=exclude)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    n_digital = sum(mentions_digital(p.text) for p in paragraphs)
    with args.out.open("w", encoding="utf-8") as out:
        for stratum, chosen in strata.items():
            for p in chosen:
                out.write(f"### {stratum},{p.member},{p.segment},{p.sha16}\n{p.text}\n\n")
    print(f"{len(paragraphs)} substantive paragraphs, {n_digital} mention the digital "
          f"vocabulary, {len(exclude)} excluded as labelled; wrote "
          f"{sum(map(len, strata.values()))} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
