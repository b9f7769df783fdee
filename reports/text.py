"""Plain-language explanations shown next to each measure, and the glossary.

Written for delegation analysts: what the number means, how to read it, and what it does not say.
"""

from __future__ import annotations

EXPLAIN: dict[str, str] = {
    "summary": (
        "What this report is built from. Every number below comes from the statements listed "
        "here, processed with the model and configuration identified by their hashes: the same "
        "inputs always give the same report."),
    "quality": (
        "Files that could not be read are set aside (quarantined) with the reason, never "
        "silently dropped. A state has thin evidence on an issue when it said too little about "
        "it (too few paragraphs) for its position to be estimated; such states are left out of "
        "that issue's scores rather than guessed. Only states that spoke in the corpus are "
        "counted: members of a group that never spoke themselves are not."),
    "changes": (
        "Compares the latest session with the one before. A mover is a state whose stance on a "
        "contested issue changed by more than its 95 % interval (and by at least 0.25), with "
        "at least two paragraphs about that issue in each session (a paragraph that only grazes "
        "the issue does not count; positions on a few paragraphs have wide intervals): the "
        "direction names the pole it moved toward and the coalition whose members' mean stance "
        "it got closer to, with its paragraphs before and after. Paragraphs that only join or "
        "accept a consensus take no stance, so adopting an agreed text is not a move."),
    "pairs": (
        "Pairs of states whose overall alignment changed most between the two sessions "
        "(difference of the two sessions' scores, from -2 to +2), with the 95 % interval of the "
        "change: when it includes 0, the change may be noise."),
    "convergence": (
        "Dispersion measures how far apart states are on an issue in a session: for contested "
        "issues the spread (standard deviation) of their stances, otherwise the semantic spread "
        "of what they say (1 - mean cosine: 0 = all say the same). Converging means dispersion "
        "falls over the sessions with a 95 % interval of the trend entirely below zero; "
        "diverging, entirely above; otherwise stable. The centre of stances (their mean) "
        "heads toward a pole when its trend's interval excludes zero."),
    "heatmap": (
        "Each cell is the overall alignment of two states, from -1 (opposite positions, red) "
        "through 0 (unrelated or mixed, white) to +1 (same positions, blue). States are ordered "
        "by coalition, so blue blocks along the diagonal are camps and red blocks between them "
        "are opposition. The marks on the left show membership of formal groups."),
    "alignment": (
        "Alignment combines, issue by issue, whether two states take the same side (stance "
        "agreement, on contested issues) and whether they stress the same points (semantic "
        "similarity, measured from what the average state says), weighted towards contested "
        "issues where camps show. It has two sides: -1 = opposite positions, 0 = unrelated or "
        "mixed, +1 = same positions. Below -0.2 reads as opposed, above +0.5 as like-minded. "
        "Pairs sharing fewer than two issues are scored on their whole positions (everything "
        "each said in its own name), marked as such."),
    "interval": (
        "The range in brackets is a 95 % bootstrap interval: re-estimating with resampled "
        "statements keeps the score in this range 95 times out of 100. Overlapping intervals "
        "mean the ranking between two partners is not certain."),
    "map": (
        "A map of the alignment matrix: states that align are placed close together, opposed "
        "states far apart (classical multidimensional scaling of 1 - alignment). Colours are "
        "coalitions. The axes have no meaning of their own."),
    "coalitions": (
        "Coalitions are clusters of states that align more with each other than with the rest "
        "(average-linkage clustering; the number of clusters is the one with the best "
        "silhouette). A state belongs to its coalition only when its silhouette (how much "
        "closer it is to its coalition than to the next) reaches a floor (0.25 by default); "
        "the others are listed as between coalitions, with the coalition they align with most. "
        "Cohesion of a formal group is the mean alignment between its members."),
    "partners": (
        "Like-minded partners are the states with the highest alignment with this state; the "
        "driving issues are those that contribute most to the score. Each is backed by quoted "
        "paragraphs, one from each state, on a driving issue: on contested issues both take the "
        "same side (each its own position's side); national statements come before statements "
        "delivered for a group. Paragraphs spoken as Chair, facilitator or presidency are never "
        "used. When no pair supports the claim, none is shown."),
    "opposed": (
        "The states with the lowest alignment with this state, with the issues that pull them "
        "apart and, where found, paragraphs in which they take opposite sides."),
    "positions": (
        "Stance runs from -1 (first pole) to +1 (second pole) on contested issues; consensual "
        "issues have no sides, so only the amount of evidence is shown. Group columns are the "
        "mean stance of the group's members that took a side."),
    "joinable": (
        "Joint and cross-regional statements of the last two sessions, open to any state (not "
        "those of a formal group with a membership), that take this state's side on every "
        "contested issue they address. Fit is the mean closeness of stances (1 - |difference|) "
        "over those issues."),
    "issue": (
        "Each dot is a state's mean stance on the issue, with its 95 % interval; colours are "
        "coalitions. The table gives each group's mean and spread."),
    "topics": (
        "Topics are discovered from the paragraphs themselves, without the issue list. Each "
        "cell is the share of a session's paragraphs that belong to the topic: darker means "
        "more talked about."),
    "validation": (
        "How well the text-based alignment agrees with how the same states vote in the UN "
        "General Assembly: the rank correlation (Spearman) over state pairs between alignment "
        "and vote agreement (S-score, simple agreement, Cohen's kappa), with a 95 % interval "
        "from resampling states and the number of pairs n. Values near 1 mean states that "
        "speak alike also vote alike."),
}

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Alignment", "This report's measure of how like-minded two states are: -1 = opposite "
     "positions, 0 = unrelated or mixed, +1 = same positions (below -0.2: opposed; above +0.5: "
     "like-minded), combining stance agreement and semantic similarity issue by issue."),
    ("APG", "Asia-Pacific Group, one of the five UN regional groups."),
    ("Bootstrap interval", "A 95 % range for an estimate, found by recomputing it many times on "
     "resampled statements; wide intervals mean little evidence."),
    ("CBMs", "Confidence-building measures: voluntary steps (transparency, exchanges, points of "
     "contact) that reduce the risk of misunderstanding and escalation between states."),
    ("Coalition", "A cluster of states found in the alignment matrix (not a formal group): states "
     "that align more with each other than with the others. States that are about as close to "
     "another coalition as to their own are listed as between coalitions, in none."),
    ("Dispersion", "How far apart states are on an issue in a session; falling dispersion over "
     "sessions means convergence."),
    ("EEG", "Eastern European Group, one of the five UN regional groups."),
    ("First Committee", "The UN General Assembly's committee on disarmament and international "
     "security, where the cyber resolutions are negotiated and voted."),
    ("G77", "Group of 77 and China: the largest coalition of developing countries at the UN."),
    ("GGE", "Group of Governmental Experts: a restricted UN group on ICTs in the context of "
     "international security; its consensus reports of 2013, 2015 and 2021 set out norms and "
     "the applicability of international law."),
    ("Global Mechanism", "The single permanent UN mechanism on ICT security set up by the OEWG's "
     "July 2025 final report, following the OEWG 2021-2025."),
    ("GRULAC", "Group of Latin American and Caribbean States, one of the five UN regional "
     "groups."),
    ("ICTs", "Information and communications technologies, the UN's term for the subject of the "
     "cyber negotiations."),
    ("IHL", "International humanitarian law: the law of armed conflict (Geneva Conventions), "
     "whose application to cyber operations in armed conflict is contested."),
    ("Kappa", "Cohen's kappa: agreement between two states' votes corrected for the agreement "
     "expected by chance."),
    ("NAM", "Non-Aligned Movement: 120 states, often speaking as a group in UN negotiations."),
    ("OEWG", "Open-Ended Working Group on ICTs: the UN working group open to all member states "
     "(2019-2021, then 2021-2025), which adopts annual progress reports by consensus."),
    ("PoA", "Programme of Action: the action-oriented permanent mechanism proposed by France, "
     "Egypt and many co-sponsors (UNGA resolution of 2022)."),
    ("Points of contact", "The global intergovernmental directory of national points of contact "
     "for ICT security incidents, agreed in the OEWG."),
    ("S-score", "Signorino-Ritter S-score: similarity of two states' voting records on a scale "
     "from -1 to 1, taking the distance between yes, abstain and no into account."),
    ("Stance", "Which side of a contested issue a state takes, from -1 (first pole) to +1 "
     "(second pole), estimated from its paragraphs on the issue."),
    ("Thin evidence", "Too few paragraphs on an issue to estimate a state's position; the state "
     "is left out of that issue's scores."),
    ("UNGA", "The UN General Assembly."),
    ("WEOG", "Western European and Others Group, one of the five UN regional groups (includes "
     "the USA, Canada, Australia, Israel and Türkiye)."),
)
"""Terms used in the report, alphabetical."""
