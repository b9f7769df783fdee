"""Pure ``format_*`` functions for the CLI's plain-text output."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from nlp.partners import voice
from pipelines.stages.results import SessionValidation, VoteValidation
from pipelines.store.documents import ConvergenceDocument, StatusDocument
from pipelines.store.storage import coverage_warnings

WIDTH = 80
"""Columns of the plain-text tables (``--wide`` lifts the limit)."""
ELLIPSIS = "…"


def clip(text: str, width: int, *, wide: bool = False) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis to fit ``width``.

    Runs of white space become one space; leading indentation is kept.
    """
    raw = str(text)
    indent = raw[:len(raw) - len(raw.lstrip(" "))]
    text = indent + " ".join(raw.split())
    if wide or len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    cut = text[:width - 1]
    space = cut.rfind(" ")
    if space > max(len(indent), width // 2):
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + ELLIPSIS


def wrap(text: str, *, indent: str = "    ", lines: int = 2, wide: bool = False) -> list[str]:
    """``text`` wrapped to :data:`WIDTH` columns, at most ``lines`` lines (the last clipped)."""
    text = " ".join(str(text).split())
    if wide:
        return [indent + text]
    out = textwrap.wrap(text, width=WIDTH - len(indent), break_on_hyphens=False) or [""]
    if len(out) > lines:
        rest = " ".join(out[lines - 1:])
        out = [*out[:lines - 1], clip(rest, WIDTH - len(indent))]
    return [indent + line for line in out]

_MAX_IGNORED_LISTED = 20


def format_ingest_summary(summary: dict[str, Any]) -> str:
    """Readable summary of an ingest report (see :meth:`IngestReport.to_dict`)."""
    lines = [
        f"seen {summary['seen']}: ingested {summary['ingested']} "
        f"({summary['new_versions']} new versions of changed files), "
        f"unchanged {summary['unchanged']}, duplicates {summary['duplicates']}, "
        f"quarantined {summary['quarantined']}"
        + (f"; ignored {summary['ignored']} non-statement files (not counted in seen)"
           if summary.get("ignored") else ""),
    ]
    if summary["ingested"] == 0:
        lines.append("nothing new: the store already holds every statement in these folders")
    for item in summary["quarantine"]:
        lines.append(f"  quarantined  {item['reason']}")
    for item in summary["duplicate_files"]:
        lines.append(f"  duplicate    {item['reason']}")
    ignored = summary.get("ignored_files", [])
    for name in ignored[:_MAX_IGNORED_LISTED]:
        lines.append(f"  ignored      {name}")
    if len(ignored) > _MAX_IGNORED_LISTED:
        lines.append(f"  ignored      ... and {len(ignored) - _MAX_IGNORED_LISTED} more "
                     "(--json lists them all)")
    if summary.get("corpus_hash"):
        lines.append(f"corpus hash {summary['corpus_hash'][:16]}  run {summary['run_id']}")
    return "\n".join(lines)


def format_status(document: StatusDocument) -> str:
    """Readable version of :func:`pipelines.store.status.store_status`."""
    # the store's path on its own line: a path is never cut
    lines = [f"{document['db']}:", f"{document['statements']} statements "
             f"({document['versions']} versions) from {document['states']} states"]
    for row in document["sessions"]:
        lines.append(f"  {row['forum']:<7} {row['session']:<14} {row['from']}..{row['to']} "
                     f"{row['statements']:>5} statements {row['states']:>4} states")
    if document["languages"]:
        lines.append("languages: " + ", ".join(f"{k} {v}" for k, v in
                                               document["languages"].items()))
    illustrative = document.get("illustrative") or {}
    if illustrative.get("statements"):
        lines.append(f"illustrative: {illustrative['statements']} statements from "
                     f"{', '.join(illustrative.get('corpora') or ())} (not real statements)")
    coverage = document.get("annotation_by_language") or {}
    if coverage:
        lines.append("paragraphs by language: tagged with an issue / given a side")
        lines += [f"  {k:<8} {v['tag_rate']:>4.0%} / {v['stance_rate']:>4.0%}  of "
                  f"{v['segments']} paragraphs" for k, v in coverage.items()]
        for warning in document.get("annotation_warnings", []):
            lines += wrap(f"warning: {warning}", indent="", lines=3)
    for run in document["runs"][:5]:
        lines.append(f"run {run['run_id']} {run['kind']} {run['status']} {run['started_at']}")
    if document.get("corrections"):
        lines.append(f"corrections: {document['corrections']} active (likeminded correct list)")
    if document["quarantine"]:
        lines.append(f"quarantine: {len(document['quarantine'])} entries "
                     "(likeminded status --json lists them)")
    return "\n".join(lines)


def format_run_summary(result: Mapping[str, Any]) -> str:
    """Readable summary of an ``update`` run: ingestion, then one line per analysis stage."""
    lines = [format_ingest_summary({**result["ingest"], "corpus_hash": "",
                                    "run_id": result["run_id"]})]
    segment, embed = result.get("segment", {}), result.get("embed", {})
    annotate, topics = result.get("annotate", {}), result.get("topics", {})
    if segment:
        lines.append(f"segmented {segment['statements']} new statements into "
                     f"{segment['segments']} segments ({segment['procedural']} procedural)")
    if embed:
        lines.append(f"embedded {embed['new_embeddings']} new segments, {embed['cached']} cached "
                     f"({embed['model_key']}, {embed['seconds']:.1f} s)")
    if annotate:
        lines.append(f"tagged {annotate['tagged_segments']} of {annotate['segments']} new "
                     f"segments with issues ({annotate['with_stance']} tags take a side); "
                     f"{annotate.get('total_tags', 0)} tags in the store")
        coverage = annotate.get("by_language") or {}
        if len(coverage) > 1:
            lines.append("coverage by language (tagged / with a side): " + ", ".join(
                f"{k} {v['tag_rate']:.0%} / {v['stance_rate']:.0%}" for k, v in coverage.items()))
        lines += [f"warning: {w}" for w in coverage_warnings(coverage)]
    if topics:
        kept = " (segments unchanged: kept)" if topics.get("skipped") else ""
        lines.append(f"{topics['topics']} topics ({topics['noise']} segments unassigned){kept}")
    analyze = result.get("analyze", {})
    if analyze.get("positions") is not None:
        kept = " (inputs unchanged: stored results kept)" if analyze.get("skipped") else ""
        thin = analyze.get("thin_positions", 0)
        lines.append(f"{analyze['positions']} positions ({thin} more too thin to use),"
                     f" {analyze.get('states_aligned', 0)} states aligned over "
                     f"{analyze['sessions']} sessions, {analyze.get('coalitions', 0)} coalitions, "
                     f"{analyze.get('movers', 0)} movers{kept}")
    timings = result.get("timings")
    if timings:
        lines.append(format_timings(timings))
    lines.append(f"corpus hash {result['corpus_hash'][:16]}  run {result['run_id']}")
    return "\n".join(lines)


def format_timings(timings: dict[str, Any]) -> str:
    """One line: the run's total seconds, then Prefect's start-up and each stage's."""
    from pipelines.flows.timings import other_seconds

    parts = [] if timings.get("startup") is None else [f"prefect start-up {timings['startup']:.1f}"]
    parts += [f"{name} {seconds:.1f}" for name, seconds in timings["stages"].items()]
    parts.append(f"other {other_seconds(timings):.1f}")
    return f"time {timings['total']:.1f} s: " + ", ".join(parts)


def _num(value: Any) -> str:
    return "  n/a" if value is None else f"{value:+.2f}"


def _reading(p: dict[str, Any]) -> str:
    word = p.get("label") or ""
    return word + (" (whole positions)" if p.get("basis") == "semantic" else "")


def format_partners(document: dict[str, Any], *, wide: bool = False) -> str:
    """Readable ranking of partners and opponents with their evidence, within 80 columns
    (quotes wrapped on two lines and cut with an ellipsis) unless ``wide``."""
    scope = (f"issue {document['issue']}" if document["issue"] != "*" else "all issues") + (
        f", session {document['session']}" if document["session"] != "*" else ", all sessions")
    if document.get("voice") == "own":
        scope += ", national statements only"
    if document.get("excluded_groups"):
        scope += ", beyond " + ", ".join(document["excluded_groups"])
    lines = [clip(f"Like-minded partners of {document['name']} ({document['state']}), {scope}",
                  WIDTH, wide=wide),
             clip("alignment: -1 opposite, 0 unrelated or mixed, +1 same positions "
                  "(< -0.20 opposed, > +0.50 like-minded)", WIDTH, wide=wide)]

    def entry(prefix: str, p: dict[str, Any]) -> None:
        lines.append(f"{prefix}{p['state']} {_name(p['name'], wide, 24)} {_num(p['score'])} "
                     f"[{_num(p['lo'])}, {_num(p['hi'])}] {_reading(p)}")
        drivers = ", ".join(f"{d['issue']} {d['score']:+.2f}" for d in p["drivers"])
        if drivers:
            lines.append(clip(f"       driven by {drivers}", WIDTH, wide=wide))
        for e in p["evidence"]:
            mine = " ".join(filter(None, (e["state"], voice(e["on_behalf_of"],
                                                            e.get("delivered_by", "")))))
            theirs = " ".join(filter(None, (e["partner"], voice(
                e["partner_on_behalf_of"], e.get("partner_delivered_by", "")))))
            lines.append(clip(f"       {e['issue']}:", WIDTH, wide=wide))
            lines.extend(wrap(f"{mine} ({e['session']}): \"{e['quote']}\"", indent="         ",
                              wide=wide))
            lines.extend(wrap(f"{theirs} ({e['partner_session']}): \"{e['partner_quote']}\"",
                              indent="         ", wide=wide))

    for n, p in enumerate(document["partners"], start=1):
        entry(f"{n:>3}. ", p)
    lines.append("Most opposed:")
    for p in document["opposed"]:
        entry("     ", p)
    return "\n".join(lines)


def _name(name: str, wide: bool, width: int = 30) -> str:
    return f"{name:<{width}}" if wide else f"{clip(name, width):<{width}}"


def format_coalitions(document: dict[str, Any], *, wide: bool = False) -> str:
    voice = ", national statements only" if document.get("voice") == "own" else ""
    lines = [clip(f"{document['k']} coalitions on {document['issue']} "
                  f"(session {document['session']}{voice}; k by {document['k_chosen_by']})",
                  WIDTH, wide=wide)]
    for c in document["coalitions"]:
        lines += wrap(f"coalition {c['id']} ({c['size']}): {' '.join(c['states'])}",
                      indent="  ", lines=20, wide=wide)
        if c.get("positions"):
            lines += wrap(f"  shared positions: {c['positions']}", indent="    ", lines=6,
                          wide=wide)
    unattached = document.get("unattached") or []
    if unattached:
        lines += wrap(f"unattached, between coalitions (silhouette below "
                      f"{document['min_silhouette']:.2f}): " + ", ".join(
                          f"{u['state']} ({u['silhouette']:+.2f}, nearest "
                          f"{'n/a' if u['nearest'] is None else u['nearest']})"
                          for u in unattached), indent="  ", lines=6, wide=wide)
    lines += wrap("bridge states (lowest silhouette): " + ", ".join(
        f"{b['state']} ({b['silhouette']:+.2f})" for b in document["bridges"][:8]),
        indent="", lines=3, wide=wide)
    lines += wrap("formal groups: " + "; ".join(
        f"{g['group']} cohesion {_num(g['cohesion'])}" for g in document["groups"]),
        indent="", lines=20, wide=wide)
    return "\n".join(lines)


def _value(value: Any, lo: Any, hi: Any, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    if lo is None or hi is None:
        return text
    return text + (f" [{lo:+.2f}, {hi:+.2f}]" if signed else f" [{lo:.2f}, {hi:.2f}]")


def format_convergence(document: ConvergenceDocument, *, wide: bool = False) -> str:
    """Per issue: the headline measure (named as in the report) per session with its interval,
    its trend, where the centre of stances heads; then the moves."""
    lines = []
    for issue, data in document["issues"].items():
        trend = data.get("trend") or {}
        lines += wrap(f"{issue}: {data['measure_label']} {trend.get('direction', 'n/a')}; "
                      + "  ".join(f"{s['session']} {_value(s['value'], s['lo'], s['hi'])}"
                                  for s in data["sessions"]), indent="  ", lines=4, wide=wide)
        centre = data.get("centre_trend")
        if centre:
            lines += wrap(f"    centre of stances heading {centre['heading']} (slope "
                          f"{_value(centre['slope'], centre['lo'], centre['hi'], True)} per "
                          "session)", indent="    ", lines=3, wide=wide)
    scope = ""
    if document.get("session"):
        scope += f" into {document['session']}"
    if document.get("state"):
        scope += f" by {document['state']}"
    lines.append(clip(f"moves{scope} (change of stance beyond its 95 % interval):", WIDTH,
                      wide=wide))
    if not document["movers"]:
        lines.append("  none")
    for m in document["movers"][:30]:
        toward = f", closer to coalition {m['camp']} ({', '.join(m['toward'])})" if (
            m.get("camp") is not None and m["camp"] >= 0) else ""
        kept = (" (same side as before)" if m["stance_from"] is not None
                and m["stance_to"] is not None and m["stance_from"] * m["stance_to"] > 0 else "")
        lines += wrap(f"  {m['state']} {m['issue']} {m['from_session']} -> {m['to_session']}: "
                      f"{_value(m['shift'], m['shift_lo'], m['shift_hi'], True)} toward "
                      f"\"{m.get('pole_label') or m['pole']}\"{kept}{toward}", indent="    ",
                      lines=3, wide=wide)
        for key in ("before", "after"):
            quote = m.get(key)
            if quote:
                lines += wrap(f"      {key} ({quote['session']}, stance "
                              f"{quote['stance']:+.2f}): \"{quote['quote']}\"",
                              indent="        ", lines=3, wide=wide)
    return "\n".join(lines)


def format_validation(document: VoteValidation) -> str:
    lines = [f"{document['roll_calls']} roll calls from {document['votes']} "
             f"({document['format']}); text alignment: issue {document['issue']}, "
             f"session {document['session']}"]
    for r in document["results"]:
        lines.append(f"  {r['measure']:<10} Spearman {_num(r['spearman'])} "
                     f"[{_num(r['spearman_lo'])}, {_num(r['spearman_hi'])}]  Pearson "
                     f"{_num(r['pearson'])}  over {r['n_pairs']} pairs of {r['n_states']} states")
    return "\n".join(lines)


def format_session_validation(document: SessionValidation) -> str:
    """Per-session vote validation as a table of Spearman values (80 columns; intervals and
    every number are in --json and in the report)."""
    rows = document["rows"]
    measure = document["summary"]["measure"]
    methods = (("alignment", "align"), ("issue_alignment", "issue"), ("tfidf", "tfidf"),
               ("mean_embedding", "embed"), ("regional_group", "region"))
    lines = [f"Spearman with the {measure} of each session's roll calls",
             f"(taxonomy {document['taxonomy']['name']}; --json for 95 % intervals)",
             f"  {'session':<10} {'votes':<5} " + " ".join(f"{h:>7}" for _, h in methods)]
    keys = list(dict.fromkeys((r["session"], r["vote_issue"]) for r in rows
                              if r["measure"] == measure))
    for session, issue in keys:
        cells = {r["method"]: r["spearman"] for r in rows if r["measure"] == measure
                 and r["session"] == session and r["vote_issue"] == issue}
        text = " ".join(f"{_num(cells[m]):>7}" if m in cells else " " * 7 for m, _ in methods)
        lines.append(f"  {session:<10} {issue:<5} {text}")
    summary = document["summary"]
    short = dict(methods)
    lines.append("mean of the sessions: " + ", ".join(
        f"{short.get(m, m)} {v:.2f}" for m, v in summary["mean_spearman"].items()))
    lines.append(f"alignment beats the regional-group prior in "
                 f"{len(summary['alignment_beats_regional_group'])} of "
                 f"{summary['sessions']} sessions")
    issues = summary["issue_beats_overall"]
    lines.append(f"issue alignment beats overall on its issue's votes: {issues['better']} of "
                 f"{issues['of']}")
    for m in document.get("movers", []):
        lines.append(f"movers {m['from_session']}->{m['to_session']}: {m['overlap']} in both "
                     f"lists, {m['expected']:.2f} expected by chance (p = {m['p_value']:.2f})")
    return "\n".join(lines)
