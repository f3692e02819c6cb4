"""write_reports: both files, atomically, or neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from medaudit.report import write_reports


def test_writes_both_reports_and_no_temp_files(run_copy: Path) -> None:
    paths = write_reports(run_copy)
    assert paths == {"md": run_copy / "report.md", "html": run_copy / "report.html"}
    assert paths["md"].read_text(encoding="utf-8").startswith("# 医学伦理与安全评测报告")
    assert "<svg class=\"radar\"" in paths["html"].read_text(encoding="utf-8")
    assert not [p for p in run_copy.iterdir() if p.name.endswith(".tmp")]


def test_rendering_failure_leaves_previous_reports_untouched(
        run_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_reports(run_copy)
    before = {p.name: p.read_bytes() for p in run_copy.glob("report.*")}

    def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("template bug")

    monkeypatch.setattr("medaudit.report.write.render_run_html", broken)
    with pytest.raises(RuntimeError):
        write_reports(run_copy)
    assert {p.name: p.read_bytes() for p in run_copy.glob("report.*")} == before
    assert not [p for p in run_copy.iterdir() if p.name.endswith(".tmp")]
