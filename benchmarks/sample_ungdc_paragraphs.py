"""Draw the General Debate paragraphs that are labelled by hand for the tagging evaluation.

Two strata, drawn deterministically (fixed seed) from the substantive segments of every speech in
``../shared/data/ungdc_2013-2024_no2017.tar.gz``, segmented exactly as the pipeline does:

- ``random``: paragraphs drawn uniformly at random. Almost all of a General Debate speech is off
  the cyber issues, so this stratum measures how often the tagger fires on text about nothing it
  tracks (the unbiased off-topic rate) and its precision on a typical speech.
- ``enriched``: paragraphs drawn at random among those that mention cyber, ICT, digital matters,
  the internet, data, AI and the like (:data:`ENRICH_RE`), excluding those already in the random
  stratum. It exists only to have enough paragraphs that are about the issues to measure recall;
  its precision is not that of a typical speech. Precision and recall are reported per stratum.

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ungdc_paragraphs import ARCHIVE, ROOT, Paragraph, substantive_paragraphs

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
         n_enriched: int = N_ENRICHED) -> dict[str, list[Paragraph]]:
    """The two strata, each sorted by member and segment.

    Args:
        paragraphs: every substantive paragraph, in a fixed order (member, then segment).
    """
    rng = random.Random(seed)
    picked = rng.sample(range(len(paragraphs)), n_random)
    taken = set(picked)
    candidates = [n for n, p in enumerate(paragraphs)
                  if n not in taken and mentions_digital(p.text)]
    enriched = rng.sample(candidates, n_enriched)
    key = lambda n: (paragraphs[n].member, paragraphs[n].segment)  # noqa: E731
    return {"random": [paragraphs[n] for n in sorted(picked, key=key)],
            "enriched": [paragraphs[n] for n in sorted(enriched, key=key)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--out", type=Path, required=True,
                        help="text file for the labeller (outside the repository)")
    args = parser.parse_args(argv)
    if args.out.resolve().is_relative_to(ROOT):
        print(f"--out {args.out}: write the speech texts outside the repository ({ROOT})",
              file=sys.stderr)
        return 2
    if not args.archive.exists():
        print(f"archive not found: {args.archive}", file=sys.stderr)
        return 1
    paragraphs = substantive_paragraphs(args.archive)
    strata = draw(paragraphs)
    n_digital = sum(mentions_digital(p.text) for p in paragraphs)
    with args.out.open("w", encoding="utf-8") as out:
        for stratum, chosen in strata.items():
            for p in chosen:
                out.write(f"### {stratum},{p.member},{p.segment},{p.sha16}\n{p.text}\n\n")
    print(f"{len(paragraphs)} substantive paragraphs, {n_digital} mention the digital "
          f"vocabulary; wrote {sum(map(len, strata.values()))} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
