"""Small slices of the sample corpus for tests that run whole flows."""

from __future__ import annotations

import shutil
from pathlib import Path

STATES = ["usa", "gbr", "fra", "deu", "can", "aus", "jpn", "rus", "chn", "irn", "cub", "blr",
          "ken", "zaf", "nga", "bra", "ind", "egy", "mex", "idn"]
SESSIONS = ["oewg-2023-5", "oewg-2024-8"]


def slice_corpus(sample_dir: Path, dst: Path, sessions: list[str] = SESSIONS,
                 states: list[str] = STATES) -> Path:
    """Copy the statements of ``states`` in ``sessions`` (with their metadata rows) to ``dst``."""
    for session in sessions:
        src = sample_dir / session
        names = {p.name for p in src.glob("*.txt") if p.stem in states}
        lines = (src / "metadata.csv").read_text(encoding="utf-8").splitlines()
        (dst / session).mkdir(parents=True)
        keep = [lines[0]] + [line for line in lines[1:] if line.split(",")[0] in names]
        (dst / session / "metadata.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
        for name in names:
            shutil.copy(src / name, dst / session / name)
    return dst
