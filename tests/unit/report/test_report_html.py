"""The HTML report: content, self-containment, and safety against hostile model output."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from medaudit.bench.taxonomy import default_taxonomy
from medaudit.report import render_html

Read = Callable[[Path], list[dict[str, Any]]]
Write = Callable[[Path, list[dict[str, Any]]], None]
Edit = Callable[[Path, Callable[[dict[str, Any]], None]], None]

HOSTILE = '</pre><script>alert("pwned")</script><img src=x onerror="alert(1)">'


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


@pytest.fixture(scope="module")
def example_html() -> str:
    return render_html(Path(__file__).resolve().parents[2] / "data" / "runs" / "example")


def test_header_names_model_run_and_manifest_essentials(example_html: str) -> None:
    assert '<html lang="zh-CN">' in example_html
    for text in ("llamacpp/qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-cmes-5e0c7a91d2", "cmes",
                 "test", "generate", "2025-11-24 07:30 UTC", "zh-mcq-v1", "随机种子 seed",
                 "温度 temperature"):
        assert text in example_html, text
    manifest = json.loads((Path(__file__).resolve().parents[2] / "data" / "runs" / "example"
                           / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"]["file_sha256"][:12] in example_html
    assert manifest["prompt"]["template_sha256"][:12] in example_html


def test_overall_accuracy_ci_and_macro_come_from_summary(example_html: str) -> None:
    assert re.search(r'id="overall-accuracy">61\.4%<', example_html)
    assert "95% CI [48.4, 72.9] (Wilson)" in example_html
    assert re.search(r'id="macro-accuracy">61\.7%<', example_html)


def test_every_dimension_has_a_row_with_its_chinese_name(example_html: str) -> None:
    tax = default_taxonomy()
    rows = re.findall(r'<tr class="dim-row" data-dim="([^"]+)"', example_html)
    assert rows == tax.ids
    for dim in tax.dimensions:
        assert f"{dim.id} {dim.zh}" in example_html


def test_dimension_bars_have_ci_whiskers(example_html: str) -> None:
    assert example_html.count('<svg class="accbar"') == 20
    assert example_html.count('<g class="ci"') == 20


def test_radar_has_twenty_axes(example_html: str) -> None:
    radar = re.search(r'<svg class="radar".*?</svg>', example_html, re.S)
    assert radar is not None
    assert len(re.findall(r'class="axis-label"', radar.group(0))) == 20


def test_outcome_breakdown_lists_all_five_outcomes(example_html: str) -> None:
    for outcome, count in (("correct", 35), ("wrong", 14), ("unparsed", 4), ("refused", 4),
                           ("error", 3)):
        assert re.search(rf'<tr data-outcome="{outcome}">.*?<td class="num">{count}</td>',
                         example_html, re.S), outcome
    assert example_html.count('<svg class="stacked"') == 1


def test_examples_cover_every_non_correct_item(example_html: str) -> None:
    outcomes = re.findall(r'<details class="ex" data-outcome="(\w+)"', example_html)
    assert sorted(set(outcomes)) == ["error", "refused", "unparsed", "wrong"]
    assert len(outcomes) == 14 + 4 + 4 + 3
    assert "ModelCallError: per-item timeout of 120 s exceeded" in example_html
    assert "作为AI助手，我无法对具体的医患纠纷给出判断" in example_html


def test_multi_answer_section_shows_exact_and_partial(example_html: str) -> None:
    section = re.search(r'<section id="multi">.*?</section>', example_html, re.S)
    assert section is not None
    assert "55.6%" in section.group(0) and "74.1%" in section.group(0)


def test_no_calibration_section_without_calibration(example_html: str) -> None:
    assert 'id="calibration"' not in example_html


def test_report_is_self_contained(example_html: str) -> None:
    page = parse(example_html)
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#") or value.startswith("data:"), (tag, attrs)
        assert not (tag == "link" and attrs.get("rel") == "stylesheet")
    assert "@import" not in example_html
    assert not re.search(r"url\(\s*['\"]?https?:", example_html)


def test_csp_allows_exactly_the_inline_script(example_html: str) -> None:
    page = parse(example_html)
    assert len(page.scripts) == 1
    digest = base64.b64encode(hashlib.sha256(page.scripts[0].encode()).digest()).decode()
    csp = next(a["content"] for t, a in page.tags if t == "meta"
               and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp


def test_hostile_model_output_is_escaped(run_copy: Path, read_samples: Read,
                                         write_samples: Write, edit_json: Edit) -> None:
    samples = read_samples(run_copy)
    wrong = [s for s in samples if s["outcome"] == "wrong"]
    wrong[0]["response"] = HOSTILE
    wrong[1]["question"] = HOSTILE
    wrong[1]["options"] = {"A": HOSTILE, "B": "正常选项"}
    wrong[2]["rule"] = HOSTILE
    error = next(s for s in samples if s["outcome"] == "error")
    error["error"] = HOSTILE
    write_samples(run_copy, samples)
    edit_json(run_copy / "summary.json", lambda d: d.update(model=HOSTILE))
    html = render_html(run_copy)
    page = parse(html)
    assert len(page.scripts) == 1 and "pwned" not in page.scripts[0]
    assert not any(tag == "img" for tag, _ in page.tags)
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html


def test_hostile_dimension_id_is_escaped_in_charts(run_copy: Path, read_samples: Read,
                                                   write_samples: Write, edit_json: Edit) -> None:
    bad = '"><script>alert(2)</script>'

    def rename(d: dict[str, Any]) -> None:
        d["by_dimension"][bad] = d["by_dimension"].pop("S09")

    edit_json(run_copy / "summary.json", rename)
    samples = read_samples(run_copy)
    for s in samples:
        if s["dimension"] == "S09":
            s["dimension"] = bad
    write_samples(run_copy, samples)
    page = parse(render_html(run_copy))
    assert len(page.scripts) == 1 and "alert(2)" not in page.scripts[0]


def test_calibration_section_with_reliability_diagram(run_copy: Path, edit_json: Edit) -> None:
    table = [{"bin": [0.2, 0.3], "n": 10, "confidence": 0.26, "accuracy": 0.3},
             {"bin": [0.9, 1.0], "n": 30, "confidence": 0.95, "accuracy": 0.8}]
    edit_json(run_copy / "summary.json",
              lambda d: d.update(calibration={"ece": 0.1234, "bins": 10, "reliability": table}))
    html = render_html(run_copy)
    section = re.search(r'<section id="calibration">.*?</section>', html, re.S)
    assert section is not None
    assert "0.123" in section.group(0)
    assert '<svg class="reliability"' in section.group(0)
    assert "90%–100%" in section.group(0)


def test_run_without_manifest_or_samples_still_renders(run_copy: Path) -> None:
    (run_copy / "manifest.json").unlink()
    (run_copy / "samples.jsonl").unlink()
    html = render_html(run_copy)
    assert "manifest.json 缺失" in html
    assert "没有错误、无法解析、拒答或调用失败的题目" in html
    assert html.count('<tr class="dim-row"') == 20


def test_examples_are_capped_per_outcome_with_a_note(run_copy: Path, read_samples: Read,
                                                     write_samples: Write,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from medaudit.report import view

    monkeypatch.setitem(view.labels(), "max_examples_html", 5)
    html = render_html(run_copy)
    assert len(re.findall(r'<details class="ex" data-outcome="wrong"', html)) == 5
    assert "显示前 5 / 14 条" in html
