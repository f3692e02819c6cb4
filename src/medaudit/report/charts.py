"""Inline SVG charts for the HTML reports: no JavaScript library, no network, print-friendly.

Every function returns `Markup` built from numbers and `escape`d text, so a dimension id or a
model name can never inject markup. Accuracy values are in [0, 1]; `None` means "no scored items"
and is drawn as an empty track, never as zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from medaudit.report.view import DimRow, OutcomeRow, labels, pct

TRACK = "#eceff1"
BAR = "#1e88e5"
WHISKER = "#0d2c54"
GRID = "#cfd8dc"
A_COLOR = "#8d6e63"
B_COLOR = "#1e88e5"


def _f(x: float) -> str:
    return f"{x:.1f}"


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def stacked_bar(rows: Sequence[OutcomeRow], width: int = 1000, height: int = 30) -> Markup:
    """One horizontal bar split by outcome share; each segment has a tooltip with its count."""
    total = sum(r.count for r in rows)
    parts = [f'<svg class="stacked" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
             f'role="img" aria-label="outcome breakdown" width="100%" height="{height}">',
             f'<rect width="{width}" height="{height}" fill="{TRACK}"/>']
    x = 0.0
    for r in rows:
        if not total or not r.count:
            continue
        w = width * r.count / total
        parts.append(f'<rect x="{_f(x)}" width="{_f(w)}" height="{height}" fill="{r.color}">'
                     f'<title>{escape(r.label)} {escape(r.key)}: {r.count} '
                     f'({pct(r.share)})</title></rect>')
        x += w
    parts.append("</svg>")
    return Markup("".join(parts))


def scale(width: int = 320, height: int = 18) -> Markup:
    """The 0–100% axis drawn above a column of `accuracy_bar`s."""
    parts = [f'<svg class="scale" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'aria-hidden="true">']
    for tick in (0, 25, 50, 75, 100):
        x = (width - 2) * tick / 100 + 1
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        parts.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{height - 4}" y2="{height}" '
                     f'stroke="{GRID}"/><text x="{_f(x)}" y="{height - 6}" font-size="10" '
                     f'text-anchor="{anchor}" fill="#546e7a">{tick}%</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def accuracy_bar(acc: float | None, ci: tuple[float, float] | None, *, ref: float | None = None,
                 color: str = BAR, width: int = 320, height: int = 18) -> Markup:
    """A bar for one accuracy with its 95% interval as a whisker; `ref` draws a dashed line (the
    overall accuracy) so each dimension reads as above or below the run."""
    span = width - 2
    mid = height / 2
    parts = [f'<svg class="accbar" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="accuracy {escape(pct(acc))}">',
             f'<rect x="1" y="3" width="{span}" height="{height - 6}" fill="{TRACK}" rx="2"/>']
    for tick in (0.25, 0.5, 0.75):
        parts.append(f'<line x1="{_f(1 + span * tick)}" x2="{_f(1 + span * tick)}" y1="3" '
                     f'y2="{height - 3}" stroke="#fff"/>')
    if acc is not None:
        parts.append(f'<rect class="bar" x="1" y="4" width="{_f(span * _clamp(acc))}" '
                     f'height="{height - 8}" fill="{color}" rx="2"/>')
    if ci is not None:
        lo, hi = 1 + span * _clamp(ci[0]), 1 + span * _clamp(ci[1])
        parts.append(f'<g class="ci" stroke="{WHISKER}" stroke-width="1.5">'
                     f'<line x1="{_f(lo)}" x2="{_f(hi)}" y1="{mid}" y2="{mid}"/>'
                     f'<line x1="{_f(lo)}" x2="{_f(lo)}" y1="{mid - 4}" y2="{mid + 4}"/>'
                     f'<line x1="{_f(hi)}" x2="{_f(hi)}" y1="{mid - 4}" y2="{mid + 4}"/></g>')
    if ref is not None:
        x = 1 + span * _clamp(ref)
        parts.append(f'<line class="ref" x1="{_f(x)}" x2="{_f(x)}" y1="0" y2="{height}" '
                     'stroke="#263238" stroke-dasharray="2 2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _point(cx: float, cy: float, r: float, angle: float) -> tuple[float, float]:
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def _polygon(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points)


def radar(dims: Sequence[DimRow], size: int = 560) -> Markup:
    """A radar with one axis per dimension (clockwise from the top in taxonomy order): accuracy
    as a filled polygon, the 95% interval as a shaded band, gridlines at 25/50/75/100%."""
    n = len(dims)
    if n < 3:
        return Markup('<p class="muted">radar needs at least three dimensions</p>')
    cx = cy = size / 2
    radius = size / 2 - 56
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]
    fam = labels()["families"]
    parts = [f'<svg class="radar" id="radar" viewBox="0 0 {size} {size}" width="{size}" '
             f'height="{size}" role="img" aria-label="per-dimension accuracy radar">']
    label_angle = angles[0] + math.pi / n  # ring labels sit between the first two axes
    for ring in (0.25, 0.5, 0.75, 1.0):
        pts = [_point(cx, cy, radius * ring, a) for a in angles]
        parts.append(f'<polygon points="{_polygon(pts)}" fill="none" stroke="{GRID}"/>')
        tx, ty = _point(cx, cy, radius * ring, label_angle)
        parts.append(f'<text x="{_f(tx + 2)}" y="{_f(ty)}" font-size="9" '
                     f'fill="#90a4ae">{int(ring * 100)}%</text>')
    for a in angles:
        x, y = _point(cx, cy, radius, a)
        parts.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" '
                     f'stroke="{GRID}"/>')
    if all(d.ci95 is not None for d in dims):
        outer = [_point(cx, cy, radius * _clamp(d.ci95[1]), a)  # type: ignore[index]
                 for d, a in zip(dims, angles, strict=True)]
        inner = [_point(cx, cy, radius * _clamp(d.ci95[0]), a)  # type: ignore[index]
                 for d, a in zip(dims, angles, strict=True)]
        path = f"M{_polygon(outer)}Z M{_polygon(list(reversed(inner)))}Z"
        parts.append(f'<path class="ci-band" d="{path}" fill="{BAR}" fill-opacity="0.12" '
                     'fill-rule="evenodd" stroke="none"/>')
    pts = [_point(cx, cy, radius * _clamp(d.accuracy or 0.0), a)
           for d, a in zip(dims, angles, strict=True)]
    parts.append(f'<polygon class="acc" points="{_polygon(pts)}" fill="{BAR}" fill-opacity="0.25" '
                 f'stroke="{BAR}" stroke-width="2"/>')
    for d, a, (x, y) in zip(dims, angles, pts, strict=True):
        color = fam.get(d.family, fam["other"])["color"]
        fill = "#fff" if d.accuracy is None else color
        parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3.5" fill="{fill}" stroke="{color}">'
                     f'<title>{escape(d.label)}: {escape(pct(d.accuracy))} (n={d.n})</title>'
                     '</circle>')
        lx, ly = _point(cx, cy, radius + 22, a)
        cos = math.cos(a)
        anchor = "middle" if abs(cos) < 0.3 else "start" if cos > 0 else "end"
        parts.append(f'<text class="axis-label" x="{_f(lx)}" y="{_f(ly + 4)}" font-size="13" '
                     f'font-weight="600" text-anchor="{anchor}" fill="{color}" '
                     f'data-dim="{escape(d.id)}"><title>{escape(d.label)}</title>{escape(d.id)}'
                     f'</text>')
        parts.append(f'<text x="{_f(lx)}" y="{_f(ly + 17)}" font-size="10" '
                     f'text-anchor="{anchor}" fill="#546e7a">{escape(pct(d.accuracy, 0))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def reliability(bins: Sequence[dict[str, float]], size: int = 300) -> Markup:
    """Reliability diagram: accuracy per confidence bin as bars, the diagonal as perfect
    calibration, and a dot at each bin's mean confidence sized by its share of items."""
    pad = 36
    plot = size - pad - 10
    total = sum(b["n"] for b in bins) or 1

    def sx(v: float) -> float:
        return pad + plot * _clamp(v)

    def sy(v: float) -> float:
        return 10 + plot * (1 - _clamp(v))

    parts = [f'<svg class="reliability" viewBox="0 0 {size} {size}" width="{size}" '
             f'height="{size}" role="img" aria-label="reliability diagram">',
             f'<rect x="{pad}" y="10" width="{plot}" height="{plot}" fill="#fafafa" '
             f'stroke="{GRID}"/>']
    for tick in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{_f(sx(tick))}" y="{size - 12}" font-size="10" '
                     f'text-anchor="middle">{int(tick * 100)}%</text>'
                     f'<text x="{pad - 4}" y="{_f(sy(tick) + 3)}" font-size="10" '
                     f'text-anchor="end">{int(tick * 100)}%</text>')
    for b in bins:
        x0, x1 = sx(b["lo"]), sx(b["hi"])
        parts.append(f'<rect x="{_f(x0 + 1)}" y="{_f(sy(b["accuracy"]))}" width="{_f(x1 - x0 - 2)}"'
                     f' height="{_f(sy(0) - sy(b["accuracy"]))}" fill="{BAR}" fill-opacity="0.55">'
                     f'<title>{pct(b["lo"], 0)}–{pct(b["hi"], 0)}: n={int(b["n"])}, '
                     f'accuracy {pct(b["accuracy"])}, confidence {pct(b["confidence"])}</title>'
                     '</rect>')
    parts.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="#263238" '
                 'stroke-dasharray="4 3"/>')
    for b in bins:
        r = 2.5 + 6 * math.sqrt(b["n"] / total)
        parts.append(f'<circle cx="{_f(sx(b["confidence"]))}" cy="{_f(sy(b["accuracy"]))}" '
                     f'r="{_f(r)}" fill="{WHISKER}" fill-opacity="0.8"/>')
    parts.append(f'<text x="{_f(pad + plot / 2)}" y="{size - 1}" font-size="10" '
                 'text-anchor="middle">置信度 confidence</text>'
                 f'<text transform="translate(10 {_f(10 + plot / 2)}) rotate(-90)" font-size="10" '
                 'text-anchor="middle">准确率 accuracy</text></svg>')
    return Markup("".join(parts))


def dumbbell(acc_a: float | None, acc_b: float | None, *, significant: bool = False,
             width: int = 320, height: int = 18) -> Markup:
    """Accuracy of run A and run B on one axis joined by a line; the line is bold when the
    difference is significant after Holm correction."""
    span = width - 12
    mid = height / 2

    def sx(v: float) -> float:
        return 6 + span * _clamp(v)

    parts = [f'<svg class="dumbbell" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="A {escape(pct(acc_a))}, B {escape(pct(acc_b))}">',
             f'<line x1="6" x2="{6 + span}" y1="{mid}" y2="{mid}" stroke="{TRACK}" '
             'stroke-width="6" stroke-linecap="round"/>']
    if acc_a is not None and acc_b is not None:
        color = "#263238" if significant else "#90a4ae"
        parts.append(f'<line class="link" x1="{_f(sx(acc_a))}" x2="{_f(sx(acc_b))}" y1="{mid}" '
                     f'y2="{mid}" stroke="{color}" stroke-width="{3 if significant else 2}"/>')
    for acc, color, name in ((acc_a, A_COLOR, "A"), (acc_b, B_COLOR, "B")):
        if acc is not None:
            parts.append(f'<circle class="dot-{name.lower()}" cx="{_f(sx(acc))}" cy="{mid}" r="5" '
                         f'fill="{color}"><title>{name}: {pct(acc)}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))
