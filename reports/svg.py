"""Static SVG charts written by hand: no JavaScript, no external fonts, no network loads.

Every chart is an inline ``<svg role="img">`` with a ``<title>`` and ``<desc>`` for screen
readers, and ``<title>`` elements on its marks as tooltips. All text goes through
:func:`html.escape`. Numbers are written with fixed precision, so output is deterministic.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from reports.model import DispersionPoint, Heatmap, StateMap, Topics

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F",
           "#332288")
"""Coalition colours (Okabe-Ito, colour-blind safe); states without a coalition are grey."""
NO_COALITION = "#8A8A8A"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def coalition_colour(coalition: int | None) -> str:
    if coalition is None or coalition < 0:
        return NO_COALITION
    return PALETTE[coalition % len(PALETTE)]


def diverging(value: float | None) -> str:
    """Colour of an alignment in [-1, 1]: red (opposed), near white (0), blue (aligned)."""
    if value is None:
        return "#E6E6E6"
    v = max(-1.0, min(1.0, value))
    low, mid, high = (178, 24, 43), (247, 247, 247), (33, 102, 172)
    end = high if v >= 0 else low
    t = abs(v)
    rgb = tuple(round(m + (e - m) * t) for m, e in zip(mid, end, strict=True))
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _open(width: float, height: float, title: str, desc: str, cls: str) -> str:
    return (f'<svg class="chart {cls}" role="img" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'{FONT} font-size="11"><title>{esc(title)}</title><desc>{esc(desc)}</desc>')


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip(" ,") + "…"


def _f(value: float) -> str:
    return f"{value:.1f}"


def heatmap_svg(heatmap: Heatmap, *, max_titles: int = 100) -> str:
    """Alignment matrix ordered by coalition, with formal-group membership marks on the left."""
    n = len(heatmap.states)
    cell = max(4, min(12, 760 // max(n, 1)))
    groups = heatmap.groups
    top, label_w = 74, 34
    x_groups = 4
    x_labels = x_groups + len(groups) * cell + 8
    x_strip = x_labels + label_w
    x0 = x_strip + 8
    width, height = x0 + n * cell + 16, top + n * cell + 50
    parts = [_open(width, height, f"Alignment heatmap, session {heatmap.session}",
                   f"Overall alignment of {n} states ordered by coalition; left columns mark "
                   "membership of formal groups.", "heatmap")]
    font = max(6, cell - 2)
    for k, g in enumerate(groups):
        x = x_groups + k * cell + cell / 2
        parts.append(f'<text x="{_f(x)}" y="{top - 6}" font-size="{font}" '
                     f'transform="rotate(-60 {_f(x)} {top - 6})"><title>{esc(g.name)}</title>'
                     f"{esc(g.group)}</text>")
        for i, member in enumerate(g.members):
            if member:
                parts.append(f'<circle cx="{_f(x)}" cy="{_f(top + i * cell + cell / 2)}" '
                             f'r="{_f(cell * 0.32)}" fill="#444"><title>{esc(heatmap.names[i])} '
                             f"is a member of {esc(g.name)}</title></circle>")
    for i, (state, name, coalition) in enumerate(zip(heatmap.states, heatmap.names,
                                                     heatmap.coalitions, strict=True)):
        y = top + i * cell
        parts.append(f'<text x="{x_strip - 3}" y="{_f(y + cell - 2)}" text-anchor="end" '
                     f'font-size="{font}"><title>{esc(name)}</title>{esc(state)}</text>')
        parts.append(f'<rect x="{x_strip}" y="{y}" width="5" height="{cell}" '
                     f'fill="{coalition_colour(coalition)}"><title>{esc(name)}: coalition '
                     f"{coalition_label(coalition)}</title></rect>")
        x = x0 + i * cell + cell / 2
        parts.append(f'<text x="{_f(x)}" y="{top - 4}" font-size="{font}" '
                     f'transform="rotate(-60 {_f(x)} {top - 4})">{esc(state)}</text>')
    titles = n <= max_titles
    for i, row in enumerate(heatmap.matrix):
        for j, value in enumerate(row):
            tip = (f"<title>{esc(heatmap.states[i])} – {esc(heatmap.states[j])}: "
                   f"{'no score' if value is None else f'{value:+.2f}'}</title>") if titles else ""
            parts.append(f'<rect x="{x0 + j * cell}" y="{top + i * cell}" width="{cell}" '
                         f'height="{cell}" fill="{diverging(value)}">{tip}</rect>')
    parts.append(_colour_bar(x0, top + n * cell + 14, min(240, n * cell), "heatmap"))
    parts.append("</svg>")
    return "".join(parts)


def coalition_label(coalition: int | None) -> str:
    return "none" if coalition is None or coalition < 0 else chr(ord("A") + coalition % 26)


def _colour_bar(x: float, y: float, width: float, prefix: str) -> str:
    stops = "".join(f'<stop offset="{k / 4:.2f}" stop-color="{diverging(-1 + k / 2)}"/>'
                    for k in range(5))
    gid = f"{prefix}-scale"
    return (f'<defs><linearGradient id="{gid}">{stops}</linearGradient></defs>'
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(width)}" height="10" '
            f'fill="url(#{gid})" stroke="#999" stroke-width="0.5"/>'
            f'<text x="{_f(x)}" y="{_f(y + 24)}">-1 opposed</text>'
            f'<text x="{_f(x + width / 2)}" y="{_f(y + 24)}" text-anchor="middle">0</text>'
            f'<text x="{_f(x + width)}" y="{_f(y + 24)}" text-anchor="end">+1 aligned</text>')


def _ends(ends: tuple[str, str], left: float, right: float, y: float) -> tuple[str, float]:
    """Labels of the two ends of an axis; on two lines when they would overlap. Returns the
    SVG and the extra height used."""
    two_lines = (len(ends[0]) + len(ends[1])) * 6.2 > right - left - 20
    y2 = y + 14 if two_lines else y
    return (f'<text x="{_f(left)}" y="{_f(y)}" fill="#555">← {esc(ends[0])}</text>'
            f'<text x="{_f(right)}" y="{_f(y2)}" text-anchor="end" fill="#555">'
            f"{esc(ends[1])} →</text>", 14.0 if two_lines else 0.0)


def scatter_svg(state_map: StateMap, *, width: int = 760, height: int = 520) -> str:
    """States in 2-D (close = aligned), coloured by coalition, labelled with ISO3."""
    pad = 30
    points = state_map.points
    parts = [_open(width, height, "Map of states by alignment",
                   f"{len(points)} states placed so that aligned states are close; colours are "
                   "coalitions.", "map")]
    if points:
        xs, ys = [p.x for p in points], [p.y for p in points]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        scale = min((width - 2 * pad) / span, (height - 2 * pad) / span)
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        parts.append(f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
                     'fill="#FCFCFC" stroke="#DDD"/>')
        for p in sorted(points, key=lambda p: p.state):
            x = width / 2 + (p.x - cx) * scale
            y = height / 2 - (p.y - cy) * scale
            colour = coalition_colour(p.coalition)
            parts.append(f'<g><title>{esc(p.name)} ({esc(p.state)}), coalition '
                         f"{coalition_label(p.coalition)}</title>"
                         f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4.5" fill="{colour}" '
                         f'fill-opacity="0.85" stroke="#fff" stroke-width="0.8"/>'
                         f'<text x="{_f(x + 6)}" y="{_f(y + 3.5)}" font-size="9.5" '
                         f'fill="#333">{esc(p.state)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of an interval chart: a label, a value with interval, extra marks."""

    label: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    colour: str = "#0072B2"
    tip: str = ""
    marks: tuple[tuple[float, str, str], ...] = ()


def interval_svg(rows: Sequence[Row], *, title: str, desc: str, domain=(-1.0, 1.0),
                 ends: tuple[str, str] = ("-1", "+1"), label_width: int = 230,
                 plot_width: int = 420, row_height: int = 18) -> str:
    """Dots with 95 % interval whiskers on a common axis (alignment, stance)."""
    lo_d, hi_d = domain
    top = 8
    width = label_width + plot_width + 24
    axis_y = top + len(rows) * row_height
    ends_svg, extra = _ends(ends, label_width, label_width + plot_width, axis_y + 28)
    height = axis_y + 34 + extra

    def sx(v: float) -> float:
        v = max(lo_d, min(hi_d, v))
        return label_width + (v - lo_d) / (hi_d - lo_d) * plot_width

    parts = [_open(width, height, title, desc, "intervals")]
    for k in range(5):
        v = lo_d + (hi_d - lo_d) * k / 4
        parts.append(f'<line x1="{_f(sx(v))}" x2="{_f(sx(v))}" y1="{top}" y2="{axis_y}" '
                     f'stroke="{"#999" if abs(v) < 1e-9 else "#E3E3E3"}" stroke-width="1"/>'
                     f'<text x="{_f(sx(v))}" y="{axis_y + 13}" text-anchor="middle" '
                     f'fill="#555">{v:+.1f}</text>')
    parts.append(ends_svg)
    for i, row in enumerate(rows):
        y = top + i * row_height + row_height / 2
        parts.append(f'<text x="{label_width - 8}" y="{_f(y + 4)}" text-anchor="end">'
                     f"{esc(row.label)}</text>")
        if i % 2:
            parts.append(f'<rect x="{label_width}" y="{_f(y - row_height / 2)}" '
                         f'width="{plot_width}" height="{row_height}" fill="#000" '
                         'fill-opacity="0.03"/>')
        for value, colour, tip in row.marks:
            parts.append(f'<path d="M{_f(sx(value))} {_f(y - 5)} l4 5 l-4 5 l-4 -5 z" '
                         f'fill="{colour}" fill-opacity="0.8"><title>{esc(tip)}</title></path>')
        if row.value is None:
            continue
        if row.lo is not None and row.hi is not None:
            parts.append(f'<line x1="{_f(sx(row.lo))}" x2="{_f(sx(row.hi))}" y1="{_f(y)}" '
                         f'y2="{_f(y)}" stroke="{row.colour}" stroke-width="2" '
                         'stroke-opacity="0.55"/>')
        parts.append(f'<circle cx="{_f(sx(row.value))}" cy="{_f(y)}" r="4.5" '
                     f'fill="{row.colour}"><title>{esc(row.tip or row.label)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def timeline_svg(points: Sequence[DispersionPoint], *, title: str, measure: str,
                 width: int = 560, height: int = 210) -> str:
    """Dispersion per session with its 95 % interval as a band (lower = more agreement)."""
    left, right, top, bottom = 48, 16, 12, 52
    values = [v for p in points for v in (p.value.value, p.value.lo, p.value.hi)
              if v is not None]
    y_max = max([*values, 0.1]) * 1.1
    n = len(points)

    def sx(i: int) -> float:
        return left + (i + 0.5) * (width - left - right) / max(n, 1)

    def sy(v: float) -> float:
        return top + (1 - v / y_max) * (height - top - bottom)

    parts = [_open(width, height, title, f"{measure} per session with 95 % intervals; lower "
                   "means states are closer together.", "timeline")]
    for k in range(4):
        v = y_max * k / 3
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_f(sy(v))}" '
                     f'y2="{_f(sy(v))}" stroke="#E3E3E3"/><text x="{left - 6}" '
                     f'y="{_f(sy(v) + 4)}" text-anchor="end" fill="#555">{v:.2f}</text>')
    band = [(sx(i), p.value.lo, p.value.hi) for i, p in enumerate(points)
            if p.value.lo is not None and p.value.hi is not None]
    if len(band) >= 2:
        upper = " ".join(f"{_f(x)},{_f(sy(hi))}" for x, _, hi in band)
        lower = " ".join(f"{_f(x)},{_f(sy(lo))}" for x, lo, _ in reversed(band))
        parts.append(f'<polygon points="{upper} {lower}" fill="#0072B2" fill-opacity="0.15"/>')
    line = [(sx(i), p.value.value) for i, p in enumerate(points) if p.value.value is not None]
    if len(line) >= 2:
        parts.append('<polyline fill="none" stroke="#0072B2" stroke-width="2" points="'
                     + " ".join(f"{_f(x)},{_f(sy(v))}" for x, v in line) + '"/>')
    for i, p in enumerate(points):
        x = sx(i)
        parts.append(f'<text x="{_f(x)}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'font-size="10" fill="#333">{esc(p.session)}</text>'
                     f'<text x="{_f(x)}" y="{height - bottom + 30}" text-anchor="middle" '
                     f'font-size="9.5" fill="#777">n={p.n_states}</text>')
        if p.value.value is not None:
            interval = (f" [{p.value.lo:.2f}, {p.value.hi:.2f}]"
                        if p.value.lo is not None and p.value.hi is not None else "")
            parts.append(f'<circle cx="{_f(x)}" cy="{_f(sy(p.value.value))}" r="4" '
                         f'fill="#0072B2"><title>{esc(p.session)}: {p.value.value:.3f}'
                         f"{interval}, {p.n_states} states</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


def topics_svg(topics: Topics, *, label_width: int = 330, cell_w: int = 96,
               cell_h: int = 22) -> str:
    """Share of each session's paragraphs per topic, as a shaded grid with percentages."""
    top = 30
    width = label_width + cell_w * len(topics.sessions) + 8
    height = top + cell_h * len(topics.rows) + 8
    peak = max([s for r in topics.rows for s in r.shares] + [1e-9])
    parts = [_open(width, height, "Topics over time",
                   "Share of each session's paragraphs that belong to each topic.", "topics")]
    for j, session in enumerate(topics.sessions):
        parts.append(f'<text x="{label_width + j * cell_w + cell_w / 2:.1f}" y="{top - 10}" '
                     f'text-anchor="middle" font-size="10">{esc(session)}</text>')
    for i, row in enumerate(topics.rows):
        y = top + i * cell_h
        parts.append(f'<text x="{label_width - 8}" y="{y + cell_h / 2 + 4:.1f}" '
                     f'text-anchor="end"><title>{esc(", ".join(row.keywords))}</title>'
                     f"{esc(_clip(row.label, 50))}</text>")
        for j, share in enumerate(row.shares):
            t = share / peak
            shade = "#{:02X}{:02X}{:02X}".format(*(round(255 - (255 - c) * t)
                                                   for c in (0, 114, 178)))
            ink = "#fff" if t > 0.55 else "#222"
            x = label_width + j * cell_w
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="{shade}"><title>{esc(row.label)} in '
                         f"{esc(topics.sessions[j])}: {share:.1%}</title></rect>"
                         f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + cell_h / 2 + 3:.1f}" '
                         f'text-anchor="middle" font-size="10" fill="{ink}">{share:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Strip:
    """One row of a strip chart: dots ``(value, colour, tip)`` and an optional mean."""

    label: str
    dots: tuple[tuple[float, str, str], ...]
    mean: float | None = None


def strip_svg(strips: Sequence[Strip], *, title: str, desc: str,
              ends: tuple[str, str] = ("-1", "+1"), label_width: int = 230,
              plot_width: int = 420, row_height: int = 24) -> str:
    """Stances of the members of each row (group) as dots on [-1, 1], the mean as a bar."""
    top = 8
    width = label_width + plot_width + 24
    axis_y = top + len(strips) * row_height
    ends_svg, extra = _ends(ends, label_width, label_width + plot_width, axis_y + 28)
    height = axis_y + 34 + extra

    def sx(v: float) -> float:
        return label_width + (max(-1.0, min(1.0, v)) + 1) / 2 * plot_width

    parts = [_open(width, height, title, desc, "strips")]
    for k in range(5):
        v = -1 + k / 2
        parts.append(f'<line x1="{_f(sx(v))}" x2="{_f(sx(v))}" y1="{top}" y2="{axis_y}" '
                     f'stroke="{"#999" if k == 2 else "#E3E3E3"}"/><text x="{_f(sx(v))}" '
                     f'y="{axis_y + 13}" text-anchor="middle" fill="#555">{v:+.1f}</text>')
    parts.append(ends_svg)
    for i, strip in enumerate(strips):
        y = top + i * row_height + row_height / 2
        parts.append(f'<text x="{label_width - 8}" y="{_f(y + 4)}" text-anchor="end">'
                     f"{esc(strip.label)}</text>")
        for k, (value, colour, tip) in enumerate(strip.dots):
            dy = ((k % 3) - 1) * 4
            parts.append(f'<circle cx="{_f(sx(value))}" cy="{_f(y + dy)}" r="3.5" '
                         f'fill="{colour}" fill-opacity="0.75"><title>{esc(tip)}</title>'
                         "</circle>")
        if strip.mean is not None:
            parts.append(f'<line x1="{_f(sx(strip.mean))}" x2="{_f(sx(strip.mean))}" '
                         f'y1="{_f(y - 9)}" y2="{_f(y + 9)}" stroke="#111" stroke-width="2">'
                         f"<title>{esc(strip.label)} mean {strip.mean:+.2f}</title></line>")
    parts.append("</svg>")
    return "".join(parts)
