"""Strict, lenient and character-level scoring, and the Wilson interval."""

from __future__ import annotations

from medaudit.privacy.evaluate import Doc, Span, evaluate_docs, wilson


def test_wilson_bounds() -> None:
    lo, hi = wilson(95, 100) or (0, 0)
    assert 0.88 < lo < 0.95 < hi < 0.99
    assert wilson(0, 0) is None
    lo0, hi0 = wilson(0, 10) or (1, 1)
    assert lo0 == 0.0 and 0.2 < hi0 < 0.35


def test_strict_lenient_char() -> None:
    doc = Doc("d", "note", "0123456789", [Span(0, 4, "PERSON"), Span(6, 8, "DATE")])

    def predict(_: str) -> list[Span]:
        return [Span(0, 3, "PERSON"), Span(9, 10, "DATE")]

    res = evaluate_docs([doc], predict, {"PERSON", "DATE"})
    strict, lenient, char = (res.modes[m] for m in ("strict", "lenient", "char"))
    assert strict["PERSON"].tp_p == 0 and lenient["PERSON"].tp_p == 1
    assert lenient["DATE"].tp_r == 0
    assert char["PERSON"].tp_p == 3 and char["PERSON"].n_gold == 4 and char["PERSON"].n_pred == 3
    kinds = sorted(e.what for e in res.errors)
    assert kinds == ["false_alarm", "false_alarm", "miss", "miss"]
