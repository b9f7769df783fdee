"""What a sentence does in a paragraph: states the speaker's view, reports others', rejects or
endorses what came before, or asks.

Embeddings place "Some delegations call for a treaty" next to "We call for a treaty", and "We do
not share that view" next to nothing in particular, so the paragraph reader
(:mod:`nlp.stance_reading`) needs these roles to tell whose position a sentence carries. The cues
are rules about how diplomats speak, not about any issue, in English, French and Spanish; issue
vocabulary belongs in the taxonomy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OWN = "own"
REPORTED = "reported"
REJECTS_PREVIOUS = "rejects_previous"
ENDORSES_PREVIOUS = "endorses_previous"
PROCEDURE = "procedure"
REJECTS_CLAUSE = "rejects_clause"
ENDORSES_CLAUSE = "endorses_clause"
QUESTION = "question"
CONCEDED = "conceded"
ROLES = (OWN, REPORTED, REJECTS_PREVIOUS, ENDORSES_PREVIOUS, REJECTS_CLAUSE, ENDORSES_CLAUSE,
         QUESTION, CONCEDED, PROCEDURE)


def _re(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


# the speaker in the first person (or as "the Group", "my country"): a reported view that the
# speaker also holds ("Like many others, we believe ...") stays the speaker's own
_SPEAKER = _re(
    r"\b(?:we|our|us|i|my\s+(?:delegation|country|government))\b",
    r"\b(?:the\s+(?:group|union|movement)|this\s+delegation)\b",
    r"\b(?:nous|notre|nos|je|ma\s+délégation|mon\s+pays)\b",
    r"\b(?:nosotros|nuestr[oa]s?|mi\s+(?:delegación|país|gobierno)|consideramos|creemos|"
    r"apoyamos|estimamos|pensamos)\b",
)

# others' views, summaries of the debate, what a document records
_ATTRIBUTION = _re(
    r"\b(?:some|several|certain|other|a\s+(?:few|number\s+of)|many|a\s+group\s+of)\s+"
    r"(?:delegations|states|countries|members|member\s+states|speakers|participants|"
    r"colleagues|groups|partners|voices)\b",
    r"^(?:others|some)\b", r"\b(?:others|some)\s+(?:have\s+)?(?:argue|argued|say|said|call|"
    r"called|claim|claimed|suggest|suggested|propose|proposed|insist|insisted|believe|"
    r"maintain|maintained|hold|consider|contend)",
    r"\bit\s+(?:has\s+been|was|is\s+often|is\s+sometimes)\s+(?:suggested|argued|said|"
    r"proposed|claimed|asserted|contended)\b",
    r"\b(?:proponents|advocates|supporters|opponents)\s+of\b", r"\bthose\s+who\b",
    r"\bthere\s+(?:are|have\s+been)\s+(?:those|voices|calls|proposals)\b",
    r"\b(?:views|positions|opinions)\s+(?:differ(?:ed)?|diverge(?:d)?|var(?:y|ied)|"
    r"remain(?:ed)?\s+(?:divided|far\s+apart))\b",
    r"\b(?:remains?|remained)\s+(?:an\s+)?(?:open|unresolved|unsettled)\s+question\b",
    r"\b(?:has|have|had)\s+(?:shown|revealed|exposed|highlighted|laid\s+bare)\s+(?:\w+\s+){0,2}"
    r"(?:divergences?|differences|disagreements?|divisions)\b",
    r"\ba\s+(?:montré|révélé|mis\s+en\s+(?:évidence|lumière))\s+(?:de\s+)?(?:\w+\s+){0,2}"
    r"(?:divergences|différences|désaccords|divisions)\b",
    r"\bha\s+(?:mostrado|revelado|puesto\s+de\s+manifiesto)\s+(?:\w+\s+){0,2}"
    r"(?:divergencias|diferencias|desacuerdos|divisiones)\b",
    r"^(?:d['’]autres|certain(?:e)?s|quelques\s+délégations|otros|otras|algunos|algunas)\b",
    r"\b(?:les\s+)?(?:vues|avis|positions)\s+(?:divergent|diffèrent|restent\s+(?:éloignées|"
    r"divisées))\b",
    r"\b(?:las\s+)?(?:opiniones|posiciones)\s+(?:difieren|divergen|siguen\s+(?:divididas|"
    r"alejadas))\b",
    # what the speaker has heard or been told is others' view, not the speaker's
    r"\b(?:we|i)\s+(?:often\s+|sometimes\s+|also\s+|repeatedly\s+)?(?:hear|have\s+heard|heard|"
    r"keep\s+hearing|are\s+(?:often\s+)?told|have\s+been\s+told|were\s+told)\b",
    r"\b(?:tell|told|assure|assured|remind)\s+us\b",
    r"\bnous\s+(?:entendons|avons\s+entendu)\b", r"\bon\s+nous\s+dit\b",
    r"\b(?:escuchamos|hemos\s+escuchado|oímos|hemos\s+oído)\b", r"\bse\s+nos\s+dice\b",
    r"\b(?:the\s+)?(?:chair(?:'s|’s)?\s+summary|draft\s+report|report)\s+"
    r"(?:notes|records|reflects|refers|mentions|summari[sz]es)\b",
    r"\b(?:certaines|plusieurs|d['’]autres)\s+(?:délégations|états|pays|membres)\b",
    r"\bil\s+a\s+été\s+(?:suggéré|proposé|avancé|dit)\b",
    r"\b(?:algunas|varias|otras|ciertas)\s+delegaciones\b",
    r"\b(?:algunos|varios|otros|ciertos)\s+(?:estados|países|miembros)\b",
    r"\bse\s+ha\s+(?:sugerido|propuesto|dicho|argumentado)\b",
)

# the running of the meeting: no position on anything
_PROCEDURE = _re(
    r"\b(?:will|shall)\s+(?:now\s+)?(?:suspend|resume|adjourn|reconvene|close|open)\b",
    r"\b(?:meeting|session|sitting)\s+(?:is|will\s+be)\s+(?:suspended|adjourned|resumed|closed)\b",
    r"\bno\s+decision\s+(?:is|will\s+be)\s+(?:expected|taken|required)\b",
    r"\bconference\s+room\b", r"\binterpretation\s+will\s+be\s+provided\b",
    r"\blist\s+of\s+speakers\b", r"\b(?:give|gives|giving)\s+the\s+floor\b",
    r"\bsalle\s+de\s+conférence\b", r"\bla\s+séance\s+est\s+(?:suspendue|levée|ouverte)\b",
    r"\bsala\s+de\s+conferencias\b", r"\bse\s+(?:suspende|levanta)\s+la\s+sesión\b",
    r"\blista\s+de\s+oradores\b", r"\bliste\s+des\s+orateurs\b",
)

# a short reaction to the sentence before it
_REJECTS_PREVIOUS = _re(
    r"\b(?:do|does|can|could)\s*(?:not|n['’]t)\s+(?:share|agree\s+with|accept|subscribe\s+to|"
    r"support|endorse|follow)\s+(?:(?:this|that|these|those|such|the(?:ir|se)?)\s*"
    r"(?:view|views|position|assessment|approach|argument|logic|analysis|reasoning|premise|"
    r"proposal|proposals|call|calls|idea|conclusion|framing|reading|interpretation)\b|"
    r"(?:this|that|these|those|it)\s*(?:[,.;:!]|$))",
    r"\b(?:we|i)\s+(?:can\s*not|cannot|can['’]t|do\s+not|don['’]t)\s+agree\s*(?:[,.;:!]|$)",
    r"\b(?:we|i)\s+(?:believe|consider|find|think|feel)\s+(?:this|that|such\s+an?\s+\w+|it)\s+"
    r"(?:is|would\s+be|to\s+be)\s+(?:both\s+|very\s+|deeply\s+|highly\s+)?(?:premature|"
    r"dangerous|misguided|mistaken|wrong|unacceptable|counterproductive|unhelpful|unwise|"
    r"unnecessary|unrealistic|flawed|misplaced|ill-advised|problematic)\b",
    r"\b(?:this|that|such\s+an?\s+\w+)\s+(?:is|would\s+be)\s+(?:both\s+|very\s+|deeply\s+)?"
    r"(?:premature|dangerous|misguided|mistaken|wrong|unacceptable|counterproductive|unwise|"
    r"ill-advised)\b",
    r"\bwe\s+see\s+(?:it|this|things|the\s+matter)\s+(?:the\s+other\s+way\s+(?:round|around)|"
    r"otherwise)\b",
    r"\b(?:we|i)\s+(?:reject|cannot\s+accept)\s+(?:this|that|these|such)\s+(?:framing|view|"
    r"approach|premise|argument|logic|characterisation|characterization|reading)\b",
    r"\b(?:we|i|my\s+(?:delegation|country|government)|our\s+(?:delegation|country)|"
    r"the\s+group)\s+(?:respectfully\s+|strongly\s+|fully\s+)?disagrees?\b",
    r"\b(?:we|i)\s+beg\s+to\s+differ\b",
    r"\b(?:we|i)\s+(?:are|am)\s+not\s+(?:convinced|persuaded)\b",
    r"\bthis\s+is\s+not\s+(?:our|my\s+delegation['’]s)\s+(?:view|position)\b",
    r"\bwe\s+see\s+(?:it|things)\s+differently\b",
    r"\bwe\s+(?:reject|cannot\s+accept)\s+(?:this|that|these|such)\b",
    r"\bnous\s+ne\s+(?:partageons|soutenons|souscrivons)\s+pas\b",
    r"\bnous\s+ne\s+sommes\s+pas\s+d['’]accord\b", r"\bnous\s+ne\s+sommes\s+pas\s+convaincus\b",
    r"\bno\s+(?:compartimos|apoyamos|suscribimos|aceptamos)\s+(?:esa|esta|esas|estas|ese|este|"
    r"dicha|dicho|tal|tales)\b",
    r"\bno\s+estamos\s+de\s+acuerdo\b", r"\bno\s+estamos\s+convencidos\b",
)
_ENDORSES_PREVIOUS = _re(
    r"\bwe\s+(?:fully\s+|strongly\s+)?(?:share|support|endorse|agree\s+with|join)\s+"
    r"(?:this|that|these|those|such|their)\s*(?:view|views|position|call|calls|proposal|"
    r"proposals|assessment|idea)?\b",
    r"\bwe\s+(?:fully\s+)?(?:agree|concur)\W*$", r"\bwe\s+are\s+among\s+them\b",
    r"\bnous\s+(?:partageons|soutenons|appuyons)\s+(?:ce|cet|cette|ces)\b",
    r"\b(?:compartimos|apoyamos|respaldamos)\s+(?:esa|esta|esas|estas|ese|este|dicha|dicho)\b",
)
# "We do not share the view that X": the speaker holds the opposite of X
_REJECTS_CLAUSE = _re(
    r"\b(?:do|does|can)\s*(?:not|n['’]t)\s+(?:share|accept|agree\s+with|subscribe\s+to)\s+"
    r"(?:the\s+)?(?:view|idea|notion|argument|claim|assertion|premise|suggestion|position)\s+"
    r"that\s+(?P<en1>.+)",
    r"\b(?:reject|dispute|contest)\s+(?:the\s+)?(?:view|idea|notion|argument|claim|assertion|"
    r"premise|suggestion)\s+that\s+(?P<en2>.+)",
    r"\bdisagree\s+(?:with\s+(?:the\s+)?(?:view|idea|notion|argument|claim)\s+)?that\s+"
    r"(?P<en3>.+)",
    r"\bit\s+is\s+not\s+(?:true|the\s+case|correct)\s+that\s+(?P<en4>.+)",
    r"\b(?:do|does|can|could|will)\s*(?:not|n['’]t)\s+(?:accept|agree|support|endorse|"
    r"believe|subscribe\s+to)\s+(?:the\s+(?:idea|notion|view|claim|argument|premise|"
    r"suggestion)\s+(?:that|of)\s+|that\s+)(?P<en5>.+)",
    r"\bne\s+partageons\s+pas\s+(?:l['’](?:avis|idée)|le\s+point\s+de\s+vue)\s+"
    r"(?:selon\s+lequel|selon\s+laquelle|que)\s+(?P<fr>.+)",
    r"\bno\s+compartimos\s+(?:la\s+(?:opinión|idea|visión)|el\s+criterio)\s+(?:de\s+)?que\s+"
    r"(?P<es>.+)",
)


# "We agree with those who have said that X": the speaker holds X
_ENDORSES_CLAUSE = _re(
    r"\b(?:agree|side|concur)\s+with\s+(?:those|the\s+(?:delegations|states|many))\s+"
    r"(?:who|which)\s+(?:have\s+)?(?:\w+\s+)?(?:said|argued|stated|noted|stressed|recalled|"
    r"suggested|pointed\s+out|called\s+for)\s+(?:that\s+)?(?P<en1>.+)",
    r"\b(?:share|endorse|support)\s+the\s+(?:view|assessment|conviction)\s+(?:expressed\s+by\s+"
    r"[^,]+\s+)?that\s+(?P<en2>.+)",
    r"\bpartageons\s+(?:l['’](?:avis|idée)|le\s+point\s+de\s+vue)\s+(?:selon\s+lequel|"
    r"selon\s+laquelle|que)\s+(?P<fr>.+)",
    r"\bcompartimos\s+(?:la\s+(?:opinión|idea|visión)|el\s+criterio)\s+(?:de\s+)?que\s+"
    r"(?P<es>.+)",
)
_NEGATED = re.compile(r"\b(?:not|n['’]t|cannot|never|no)\s*$|\b(?:ne|no)\s+\w+\s*$", re.I)
# a leading concession ("While we value X", "Although X"); its main clause follows the comma
_CONCESSION = re.compile(
    r"^(?:while|whilst|although|though|even\s+though|granted\s+that|admittedly|"
    r"bien\s+que|quoique|tout\s+en|si\s+bien|aunque|aun\s+cuando|pese\s+a\s+que)\b", re.I)
# "We have accepted that the mechanism will decide by consensus": what the speaker has given
# ground on, not what it argues for (the demand usually follows: "In return, we expect ...")
_ACCEPTED = re.compile(
    r"^(?:we|i|my\s+delegation|my\s+country)\s+(?:have\s+(?:now\s+)?accepted|has\s+accepted|"
    r"can\s+(?:now\s+)?accept|could\s+accept|are\s+(?:prepared|willing|ready)\s+to\s+accept|"
    r"is\s+(?:prepared|willing|ready)\s+to\s+accept)\b", re.I)
# a clause that turns against the one before it
CONTRAST = re.compile(
    r"^(?:but|yet|however|nevertheless|nonetheless|still|that\s+said|mais|cependant|toutefois|"
    r"néanmoins|pero|sin\s+embargo|no\s+obstante)\b", re.I)
# "Like many delegations before us, we ...": the speaker's view after a leading comparison
_LIKE_OTHERS = re.compile(r"^(?:like|as\s+with|along\s+with|together\s+with|with|as\s+did|"
                          r"comme|como|al\s+igual\s+que)\b[^,]{3,120},\s*(?P<rest>.+)$", re.I)


@dataclass(frozen=True, slots=True)
class SentenceRole:
    """The role of a sentence and the claim it rejects (``rejects_clause``) or reports
    (``reported``, when the view is given as "... that <claim>"); ``""`` otherwise."""

    role: str
    clause: str = ""


def sentence_role(sentence: str) -> SentenceRole:
    """Classify what a sentence does (see the module docstring); ``own`` when no cue fires."""
    text = sentence.strip()
    if _PROCEDURE.search(text) and len(text.split()) <= 30:
        return SentenceRole(PROCEDURE)
    if (_CONCESSION.match(text) and "," not in text) or _ACCEPTED.match(text):
        return SentenceRole(CONCEDED)
    endorsed = _ENDORSES_CLAUSE.search(text)
    if endorsed and not _NEGATED.search(text[:endorsed.start()]):
        clause = next(v for v in endorsed.groupdict().values() if v)
        if len(clause.split()) >= 3:
            return SentenceRole(ENDORSES_CLAUSE, clause.strip())
    match = _REJECTS_CLAUSE.search(text)
    if match:
        clause = next(v for v in match.groupdict().values() if v)
        if len(clause.split()) >= 3:
            return SentenceRole(REJECTS_CLAUSE, clause.strip())
    if _REJECTS_PREVIOUS.search(text) and len(text.split()) <= 25:
        return SentenceRole(REJECTS_PREVIOUS)
    if _ENDORSES_PREVIOUS.search(text) and len(text.split()) <= 25:
        return SentenceRole(ENDORSES_PREVIOUS)
    attribution = _ATTRIBUTION.search(text)
    if attribution:
        # the speaker's own voice outside the reported content ("Like others, we believe")
        rest = text[:attribution.start()] + " " + _REPORTED_CONTENT.split(
            text[attribution.end():], maxsplit=1)[0]
        if not _SPEAKER.search(rest):
            content = _REPORTED_CONTENT.split(text[attribution.end():], maxsplit=1)
            claim = content[1].strip() if len(content) == 2 else ""
            return SentenceRole(REPORTED, claim if len(claim.split()) >= 3 else "")
        like = _LIKE_OTHERS.match(text)
        if like and _SPEAKER.search(like.group("rest")):
            return SentenceRole(OWN, like.group("rest").strip())
    if text.endswith("?"):
        return SentenceRole(QUESTION)
    return SentenceRole(OWN)


_REPORTED_CONTENT = re.compile(r"\b(?:that|que|qu['’])\b|:", re.I)
_CLAUSE_SPLIT = re.compile(r"\s*;\s+|\s+[–—]\s+|,\s+(?=(?:but|yet|mais|pero)\s)|"
                           r",\s+(?=(?:and\s+)?(?:so|therefore|hence|thus|donc|por\s+lo\s+tanto)\s)",
                           re.I)

# Two negations that cancel, and hedges around a plain verb of support: rewritten to the plain
# statement before scoring, since an embedding reads "not unconvinced" as "unconvinced" and
# "it is not that we do not support X" next to "we do not support X". Each pair is
# (pattern, replacement); English, French, Spanish.
_UN_ADJECTIVE = r"un(?!der)(\w+(?:able|ible|ed|ful|ive|ous|al|ant|ent|ware|ic|ing))\b"
_PLAIN_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), replacement) for pattern, replacement in (
        # "we do not think it unreasonable to" -> "we think it reasonable to"
        (r"\b(?:do|does)\s+not\s+(think|consider|find|believe)\s+it\s+" + _UN_ADJECTIVE,
         r"\1 it \2"),
        # "we are not unconvinced", "it is not unreasonable"
        (r"\bnot\s+" + _UN_ADJECTIVE, r"\1"),
        # "it is not that we do not support X" -> "we support X"
        (r"\b(?:it\s+is|it['’]s)\s+not\s+that\s+(we|i)\s+(?:do\s+not|don['’]t|does\s+not|"
         r"are\s+not|am\s+not)\s+", r"\1 "),
        (r"\bno\s+reason\s+not\s+to\b", "every reason to"),
        (r"\b(?:it\s+is\s+)?not\s+without\s+(?:good\s+)?reason\s+that\s+", ""),
        # hedged support is support: "we could perhaps consider X", "we would support X"
        (r"\b(we|i)\s+(?:could|might|may)\s+(?:perhaps\s+|possibly\s+)?consider\s+",
         r"\1 support "),
        (r"\b(we|i)\s+would\s+(support|favou?r|prefer|urge|encourage|hope|suggest)\b",
         r"\1 \2"),
        (r"\b(we|i)\s+(?:are|am)\s+inclined\s+to\s+", r"\1 "),
        (r"\bce\s+n['’]est\s+pas\s+que\s+(nous|je)\s+ne\s+(\w+)\s+pas\b", r"\1 \2"),
        (r"\b(?:ce\s+)?n['’]est\s+pas\s+sans\s+raison\s+que\s+", ""),
        (r"\bno\s+es\s+que\s+no\s+", ""),
        (r"\bno\s+sin\s+razón\s+", ""),
        # "Only X can Y" holds X: "X is the only way to Y" (read as "X can Y" otherwise)
        (r"(^|[,;]\s*(?:and\s+|but\s+)?)only\s+((?:a|an|the|such|this|that|these|those|one|our|"
         r"their)\s.{2,}?)\s+(?:can|could|will|would)\s+(?!not\b)", r"\1\2 is the only way to "),
        (r"(^|[,;]\s*(?:et\s+|mais\s+)?)seul(?:e|s|es)?\s+((?:un|une|le|la|les|ce|cet|cette|ces)\s"
         r".{2,}?)\s+(?:peut|peuvent|pourra|pourront|permettra|permettront)\s+(?!pas\b)",
         r"\1\2 est le seul moyen de "),
        (r"(^|[,;]\s*(?:y\s+|pero\s+)?)s[oó]lo\s+((?:un|una|el|la|los|las|este|esta|estos|estas)\s"
         r".{2,}?)\s+(?:puede|pueden|podrá|podrán|permitirá|permitirán)\s+(?!no\b)",
         r"\1\2 es la única manera de "),
    ))


def plain_form(clause: str) -> str:
    """The clause with cancelling negations and hedges around support rewritten plainly
    ("We are not unconvinced by X" -> "We are convinced by X"); unchanged when none applies."""
    text = clause
    for pattern, replacement in _PLAIN_FORMS:
        text = pattern.sub(replacement, text)
    return text


def _split_concession(clause: str) -> list[str]:
    """"While X, Y" -> ["While X", "Y"] (at the first comma; one comma-free part each)."""
    if not _CONCESSION.match(clause) or "," not in clause:
        return [clause]
    head, tail = clause.split(",", 1)
    return [head.strip(), tail.strip()] if len(tail.split()) >= 3 else [clause]


def split_clauses(sentences: list[str]) -> list[str]:
    """Cut sentences at semicolons, dashes and ", but" ("Some argue X; we disagree" is two
    moves), and a leading concession from its main clause ("While X, Y")."""
    out = []
    for sentence in sentences:
        for part in _CLAUSE_SPLIT.split(sentence):
            if part.strip():
                out.extend(_split_concession(part.strip()))
    return out


