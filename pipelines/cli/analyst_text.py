"""Plain-text output of the analyst commands (issues, forecast, correct), within 80 columns.

Pure ``format_*`` functions: a command's JSON document in, lines of text out. Quotes and labels
longer than the line are cut at a word with an ellipsis, unless ``wide`` is set.
"""

from __future__ import annotations

from typing import Any

from pipelines.cli.formatting import WIDTH, clip, wrap


def _signed(value: float | None) -> str:
    return "   –" if value is None else f"{value:+.2f}"


def format_issues(document: dict[str, Any], *, wide: bool = False) -> str:
    """The taxonomy as a table: id, kind, label and, for contested issues, both poles."""
    issues = document["issues"]
    n_contested = sum(1 for i in issues if i["contested"])
    lines = [f"Issues of {document['taxonomy']} ({n_contested} contested, "
             f"{len(issues) - n_contested} consensual)"]
    width = max([len(i["id"]) for i in issues] + [2])
    for issue in issues:
        kind = "contested " if issue["contested"] else "consensual"
        head = f"{issue['id']:<{width}}  {kind}  "
        lines.append(head + clip(issue["label"], WIDTH - len(head), wide=wide))
        if issue["contested"]:
            lines.append(clip(f"    -1 {issue['minus']}", WIDTH, wide=wide))
            lines.append(clip(f"    +1 {issue['plus']}", WIDTH, wide=wide))
    lines.append("Use an id with --issue; stance runs from -1 (minus pole) to +1 (plus pole).")
    return "\n".join(lines)


def _forecast_entry(entry: dict[str, Any], wide: bool) -> list[str]:
    interval = (f"[{_signed(entry['lo'])}, {_signed(entry['hi'])}]"
                if entry.get("lo") is not None else "")
    voice = entry["voice"]
    head = (f"  {entry['state']} {clip(entry['name'], 22):<22} {_signed(entry['stance'])} "
            f"{interval:<16} {voice}")
    out = [clip(head, WIDTH, wide=wide)]
    if entry.get("reason"):
        out += wrap(f"swing: {entry['reason']}", indent="      ", lines=2, wide=wide)
    closest = entry.get("closest")
    if closest:
        said = f"{closest['session']}" + (f", for {closest['on_behalf_of']}"
                                          if closest["on_behalf_of"] else "")
        out += wrap(f"“{closest['text']}” ({said})", indent="      ", lines=2, wide=wide)
    return out


def format_forecast(document: dict[str, Any], *, wide: bool = False) -> str:
    """Who would back the draft, issue by issue: supporters, opponents, swing, unknown."""
    lines = ["Draft: " + clip(document["draft"], WIDTH - 7, wide=wide)]
    if not document["issues"]:
        lines.append(document.get("note") or "the draft addresses no contested issue")
    for part in document["issues"]:
        lines.append("")
        side = part["draft_side"]
        lines.append(clip(f"{part['issue']}: {part['label']}", WIDTH, wide=wide))
        if not side:
            lines.append("  the draft takes no side on this issue; no camp can be forecast")
            continue
        lines.append(clip(f"  the draft leans {'+1' if side > 0 else '-1'} "
                          f"(stance {part['draft_stance']:+.2f}): {part['draft_pole']}",
                          WIDTH, wide=wide))
        for key, title in (("support", "Likely to support"), ("oppose", "Likely to oppose"),
                           ("swing", "Swing states")):
            entries = part.get(key) or []
            if not entries:
                continue
            lines.append(f" {title}: stance [95% interval], voice")
            for entry in entries:
                lines += _forecast_entry(entry, wide)
        unknown = part.get("unknown") or []
        if unknown:
            lines += wrap("No stance, not guessed: " + ", ".join(u["state"] for u in unknown),
                          indent=" ", lines=3, wide=wide)
    return "\n".join(lines)
