"""In what capacity a paragraph is spoken, and whether it only adopts an agreed text.

* A delegate speaking **as Chair, facilitator or presidency** ("in my capacity as Chair", "as
  Chair of the OEWG", "speaking as facilitator", "as the presidency", and the French and Spanish
  equivalents) does not state its country's position; such paragraphs (or whole statements,
  when the opening says so) are marked and left out of positions.
* A paragraph that **joins or accepts a consensus** ("pleased to join consensus on the Global
  Mechanism", "we accept that it will take decisions by consensus") records the adoption of an
  agreed text, not a side of the debate: it keeps its issues but takes no stance, so adopting
  the final report is not read as a change of position.
* A **joint statement** is delivered on behalf of a list of states or a cross-regional group
  rather than a formal group; other states can still join it.

Plain regular expressions: the cues are fixed formulas of UN diplomacy.
"""

from __future__ import annotations

import re

CAPACITY = "capacity"
"""Segment kind of what is said as Chair, facilitator or presidency (not analysed)."""

CAPACITY_VERSION = 2
"""Bumped whenever the rules change, so stored segmentations are redone."""

_ROLE = (r"(?:co-?)?(?:chair(?:man|woman|person)?|vice-chair|facilitator|presidency|president|"
         r"coordinator|rapporteur)")
_ROLE_FR = (r"(?:co-?)?(?:président(?:e)?|présidence|facilitat(?:eur|rice)|coordonnat(?:eur|rice)|"
            r"rapporteu(?:r|se))")
_ROLE_ES = (r"(?:co-?)?(?:president(?:e|a)|presidencia|facilitador(?:a)?|coordinador(?:a)?|"
            r"relator(?:a)?)")

_CAPACITY = [
    re.compile(rf"\bin\s+(?:my|our|its|his|her|their)\s+capacity\s+as\s+(?:the\s+)?{_ROLE}\b",
               re.I),
    re.compile(rf"\b(?:speaking|acting|intervening|serving)\s+as\s+(?:the\s+)?{_ROLE}\b", re.I),
    re.compile(rf"(?:^|[.;:]\s+)as\s+(?:the\s+)?{_ROLE}\b(?:\s+of\s+[^,.]{{1,80}})?\s*,", re.I),
    re.compile(rf"\bas\s+(?:the\s+)?{_ROLE}\s+of\s+(?:the\s+)?(?:OEWG|GGE|(?:open-ended\s+)?"
               r"working\s+group|group\s+of\s+governmental\s+experts|ad\s+hoc\s+committee|"
               r"(?:global\s+)?mechanism|council|conference)", re.I),
    # present or future office only: "had the honour of chairing the GGE" is history
    re.compile(r"\b(?:(?:has|have|been)\s+(?:been\s+)?entrusted\s+with|(?:has|have)\s+the\s+"
               r"(?:honou?r|privilege)\s+(?:of|to))\s+(?:chairing|chair|facilitat\w*|presid\w*)",
               re.I),
    re.compile(rf"\ben\s+(?:ma|sa|notre|leur)\s+qualit[ée]\s+de\s+{_ROLE_FR}\b", re.I),
    re.compile(rf"\ben\s+tant\s+que\s+{_ROLE_FR}\b", re.I),
    re.compile(rf"\ben\s+(?:mi|su|nuestra)\s+(?:calidad|condici[oó]n)\s+de\s+{_ROLE_ES}\b", re.I),
    re.compile(rf"(?:^|[.;:]\s+)como\s+{_ROLE_ES}\b", re.I),
]
# "congratulates X on his appointment as Chair" speaks about a chair, not as one
_ABOUT_A_CHAIR = re.compile(
    r"\b(?:congratulat\w*|felicit\w*|appointment|appointed|election|elected|élection|élu\w*|"
    r"elecci[oó]n|elegid\w*|nombramiento|nomination)\b", re.I)

_KIND = (("presidency", re.compile(r"presiden(?:cy|cia)|présidence", re.I)),
         ("facilitator", re.compile(r"facilitat|coordinat|coordonnat|rapporteu|relator", re.I)),
         ("chair", re.compile(r".", re.S)))

_CONSENSUS = [
    re.compile(r"\bjoin(?:s|ed|ing)?\s+(?:in\s+)?(?:the\s+)?consensus\b", re.I),
    re.compile(r"\baccept(?:s|ed|ing)?\b[^.;]{0,100}\bconsensus\b", re.I),
    re.compile(r"\b(?:welcome|welcomes|welcomed|salue|saluons|accueill\w+|acoge\w*|celebra\w*)"
               r"\b[^.;]{0,60}\b(?:agreement|convergence|consensus|adoption|accord|acuerdo|"
               r"consenso|adopci[oó]n)\b", re.I),
    re.compile(r"\b(?:pleased|glad|gratified|happy|delighted)\b[^.;]{0,80}\b(?:consensus|"
               r"agreement|common\s+ground|adoption)\b", re.I),
    re.compile(r"\bsupports?\s+the\s+(?:draft\s+)?(?:final|annual|(?:annual\s+)?progress)\s+"
               r"report\b|\bbalanced\s+compromise\b", re.I),
    re.compile(r"\bse\s+(?:joint|joindre|rallie)\s+au\s+consensus|\brejoindre\s+le\s+consensus|"
               r"\bse\s+suma\s+al\s+consenso|\bsumarse\s+al\s+consenso|\bunirse\s+al\s+consenso",
               re.I),
]

_JOINT = re.compile(
    r"\bjoint\s+statement\b|\bcross-regional\s+(?:group|statement|coalition)\b|"
    r"\bdéclaration\s+conjointe\b|"
    r"\bdeclaraci[oó]n\s+conjunta\b|\bon\s+behalf\s+of\s+(?:a\s+group\s+of\s+)?\d+\s+"
    r"(?:states|countries|delegations|member\s+states)\b|\bau\s+nom\s+de\s+\d+\s+(?:[ÉEé]tats|"
    r"pays|délégations)\b|\ben\s+nombre\s+de\s+\d+\s+(?:Estados|pa[ií]ses|delegaciones)\b", re.I)


# declarations that cover a whole statement when made in its opening
_DECLARATION = [p for p in _CAPACITY if p.pattern.startswith((r"\bin\s+(?:my", r"\b(?:speaking",
                                                              r"\ben\s+(?:ma", r"\ben\s+(?:mi"))]


def detect_capacity(text: str, *, declarations_only: bool = False) -> str:
    """``"chair"``, ``"facilitator"``, ``"presidency"`` or ``""``: the office a paragraph is
    spoken in, when it says so.

    Args:
        declarations_only: only first-person declarations ("in my capacity as Chair",
            "speaking as facilitator"), which cover a whole statement when made in its opening;
            other cues ("As Chair, he will ...") mark their own paragraph only.
    """
    patterns = _DECLARATION if declarations_only else _CAPACITY
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        if _ABOUT_A_CHAIR.search(sentence):
            continue
        for pattern in patterns:
            found = pattern.search(sentence)
            if found:
                for kind, cue in _KIND:
                    if cue.search(found.group(0)):
                        return kind
    return ""


def adopts_consensus(text: str) -> bool:
    """Whether a paragraph joins, accepts or welcomes a consensus outcome."""
    return any(p.search(text) for p in _CONSENSUS)


def is_joint_statement(title: str, opening: str) -> bool:
    """Whether a statement is a joint (or cross-regional) statement, from its title or opening."""
    return bool(_JOINT.search(title or "") or _JOINT.search(opening or ""))
