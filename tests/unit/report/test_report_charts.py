"""Inline SVG charts: geometry follows the numbers, text is escaped, None is not zero."""

from __future__ import annotations

import re

from medaudit.report import charts
from medaudit.report.view import DimRow, OutcomeRow


def _dim(i: int, acc: float | None, ci: tuple[float, float] | None = None) -> DimRow:
    return DimRow(f"E{i:02d}", f"E{i:02d} 名称", "ethics", 10, 10, acc, ci, {})


def _bar_width(svg: str) -> float:
    match = re.search(r'<rect class="bar" x="1" y="4" width="([\d.]+)"', svg)
    assert match is not None
    return float(match.group(1))


def test_accuracy_bar_width_is_proportional() -> None:
    half = _bar_width(charts.accuracy_bar(0.5, (0.4, 0.6), width=202))
    full = _bar_width(charts.accuracy_bar(1.0, (0.9, 1.0), width=202))
    assert half == 100.0 and full == 200.0


def test_accuracy_bar_whisker_spans_the_interval() -> None:
    svg = charts.accuracy_bar(0.5, (0.25, 0.75), width=202)
    line = re.search(r'<g class="ci"[^>]*><line x1="([\d.]+)" x2="([\d.]+)"', svg)
    assert line is not None and (float(line.group(1)), float(line.group(2))) == (51.0, 151.0)


def test_none_accuracy_draws_no_bar_and_no_whisker() -> None:
    svg = charts.accuracy_bar(None, None)
    assert 'class="bar"' not in svg and 'class="ci"' not in svg


def test_stacked_bar_segments_follow_counts() -> None:
    rows = [OutcomeRow("correct", "正确", "#0a0", 3, 0.75),
            OutcomeRow("error", "失败", "#888", 1, 0.25),
            OutcomeRow("wrong", "错误", "#a00", 0, 0.0)]
    svg = charts.stacked_bar(rows, width=400)
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" width="([\d.]+)"', svg)]
    assert widths == [300.0, 100.0]


def test_radar_places_vertices_at_accuracy_radius() -> None:
    dims = [_dim(i, 1.0 if i == 1 else 0.5) for i in range(1, 21)]
    svg = charts.radar(dims, size=560)
    points = re.search(r'<polygon class="acc" points="([^"]+)"', svg)
    assert points is not None
    first = [float(v) for v in points.group(1).split()[0].split(",")]
    radius = 560 / 2 - 56
    assert first == [280.0, 280.0 - radius]
    assert len(points.group(1).split()) == 20


def test_radar_marks_missing_dimension_hollow() -> None:
    dims = [_dim(i, None if i == 3 else 0.5, (0.4, 0.6)) for i in range(1, 6)]
    svg = charts.radar(dims)
    assert svg.count('fill="#fff"') == 1


def test_radar_needs_three_axes() -> None:
    assert "<svg" not in charts.radar([_dim(1, 0.5), _dim(2, 0.5)])


def test_dumbbell_marks_significance() -> None:
    plain = charts.dumbbell(0.4, 0.6)
    bold = charts.dumbbell(0.4, 0.6, significant=True)
    assert 'stroke-width="2"' in plain and 'stroke-width="3"' in bold
    assert 'class="dot-a"' in plain and 'class="dot-b"' in plain


def test_reliability_draws_one_bar_per_bin() -> None:
    bins = [{"lo": 0.0, "hi": 0.5, "n": 3, "confidence": 0.3, "accuracy": 0.2},
            {"lo": 0.5, "hi": 1.0, "n": 7, "confidence": 0.8, "accuracy": 0.9}]
    svg = charts.reliability(bins)
    assert svg.count("<title>") == 2
