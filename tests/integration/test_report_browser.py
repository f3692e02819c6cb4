"""report.html in a real browser: headless Debian Chromium renders it offline, runs its script
under the report's own Content-Security-Policy, and does not execute hostile model output.

CI installs chromium (apt-get install -y chromium fonts-noto-cjk) and sets
MEDAUDIT_REQUIRE_SERVICES=1, so a missing browser fails there instead of skipping. To refresh the
README screenshot: MEDAUDIT_REPORT_SCREENSHOT=docs/img/report.png pytest -m browser
tests/integration/test_report_browser.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from medaudit.report import write_reports

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "runs" / "example"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run")


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("MEDAUDIT_REQUIRE_SERVICES") == "1":
        pytest.fail("chromium is not installed but CI requires it: apt-get install -y chromium")
    pytest.skip("chromium not found on PATH or at /usr/bin/chromium; install it with "
                "apt-get install -y chromium chromium-driver")


def _browse(chromium: str, page: Path, tmp_path: Path,
            *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _report(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(EXAMPLE, run)
    return write_reports(run)["html"]


def test_rendered_dom_has_dimensions_radar_and_examples(chromium: str, tmp_path: Path) -> None:
    dom = _browse(chromium, _report(tmp_path), tmp_path, "--dump-dom").stdout
    assert len(re.findall(r'<tr class="dim-row" data-dim="[ES]\d\d"', dom)) == 20
    assert "E01 知情同意与患者自主" in dom and "S09 医疗信息真实性" in dom
    radar = re.search(r'<svg class="radar".*?</svg>', dom, re.S)
    assert radar is not None and radar.group(0).count('class="axis-label"') == 20
    assert len(re.findall(r'<details class="ex"', dom)) == 25
    # The inline script ran under the CSP (its sha256 is allowed) and showed the filter bar.
    assert re.search(r'<body[^>]*data-js="ready"', dom)
    assert re.search(r'<div id="filters" class="filters">', dom)
    assert re.search(r'<b id="f-count">25 / 25</b>', dom)


def test_hostile_output_does_not_execute_in_the_browser(chromium: str, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(EXAMPLE, run)
    lines = (run / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    samples = [json.loads(line) for line in lines]
    wrong = [s for s in samples if s["outcome"] == "wrong"]
    wrong[0]["response"] = ("</pre><script>document.body.setAttribute('data-pwned','script')"
                            "</script>")
    wrong[1]["response"] = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
    wrong[2]["question"] = "<svg onload=\"document.body.setAttribute('data-pwned','svg')\"></svg>"
    (run / "samples.jsonl").write_text(
        "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in samples), encoding="utf-8")
    html = write_reports(run)["html"]
    dom = _browse(chromium, html, tmp_path, "--dump-dom").stdout
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None and "data-pwned" not in body.group(0)
    assert 'data-js="ready"' in body.group(0)
    assert "&lt;script&gt;document.body.setAttribute" in dom


def _png_rows(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Width, height, filtered scanlines and bytes per pixel of an 8-bit non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = 1 + width * bpp
    return width, height, [raw[i * stride:(i + 1) * stride] for i in range(height)], bpp


def test_screenshot_is_a_full_non_blank_page(chromium: str, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _browse(chromium, _report(tmp_path), tmp_path, f"--screenshot={shot}",
            "--window-size=1280,2400", "--hide-scrollbars")
    data = shot.read_bytes()
    width, height, rows, bpp = _png_rows(data)
    assert (width, height) == (1280, 2400)
    assert len(data) > 50_000
    # A row that is one flat colour filters to a single repeated byte after its first pixel,
    # whatever the PNG filter; a page with text and charts has most rows far from flat.
    busy = sum(1 for row in rows if len(set(row[1 + bpp:])) > 1)
    assert busy / height > 0.3, f"only {busy} of {height} rows have content"
    target = os.environ.get("MEDAUDIT_REPORT_SCREENSHOT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
