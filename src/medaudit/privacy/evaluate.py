"""Measure the scanner on a labelled corpus: strict, lenient and character-level scores per type.

Strict counts a prediction only when its span and type equal a gold span; lenient when it overlaps
a gold span of the same type; character-level scores each character (Chinese has no whitespace
tokens, so a character is the token). Every precision and recall carries a Wilson 95% interval.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medaudit.errors import InputError
from medaudit.privacy.engine import scan_text
from medaudit.privacy.finding import ENTITY_TYPES, Finding
from medaudit.privacy.readers import iter_lines

_shared_wilson: Any
try:  # the shared statistics module, when present
    from medaudit.stats import wilson_interval as _shared_wilson
except ImportError:  # pragma: no cover - older checkouts
    _shared_wilson = None


def wilson(k: int, n: int) -> tuple[float, float] | None:
    """Wilson 95% score interval for k successes in n trials (None when n is 0)."""
    if n == 0:
        return None
    if _shared_wilson is not None:
        return _shared_wilson(k, n)
    z = 1.959963984540054
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str


@dataclass
class Doc:
    id: str
    kind: str
    text: str
    gold: list[Span]


@dataclass
class Counts:
    """Counts for precision (tp_p of n_pred) and recall (tp_r of n_gold)."""

    tp_p: int = 0
    n_pred: int = 0
    tp_r: int = 0
    n_gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp_p += other.tp_p
        self.n_pred += other.n_pred
        self.tp_r += other.tp_r
        self.n_gold += other.n_gold

    def metrics(self) -> dict[str, Any]:
        p = self.tp_p / self.n_pred if self.n_pred else None
        r = self.tp_r / self.n_gold if self.n_gold else None
        f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None
        return {"precision": p, "precision_ci95": wilson(self.tp_p, self.n_pred),
                "recall": r, "recall_ci95": wilson(self.tp_r, self.n_gold), "f1": f1,
                "n_pred": self.n_pred, "n_gold": self.n_gold, "tp_pred": self.tp_p,
                "tp_gold": self.tp_r}


@dataclass
class ErrorCase:
    doc: str
    kind: str
    type: str
    start: int
    end: int
    what: str  # "miss" or "false_alarm"
    predicted_as: str | None = None


@dataclass
class EvalResult:
    corpus: str
    n_docs: int
    modes: dict[str, dict[str, Counts]] = field(default_factory=dict)
    errors: list[ErrorCase] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "n_docs": self.n_docs,
                "modes": {m: {t: c.metrics() for t, c in per.items()}
                          for m, per in self.modes.items()},
                "errors": [e.__dict__ for e in self.errors]}


def load_corpus(path: str | os.PathLike[str]) -> list[Doc]:
    """Read a labelled JSONL corpus, checking every span lies inside its text."""
    p = Path(path)
    docs: list[Doc] = []
    for line_no, line in iter_lines(p):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(p, line_no, None, f"invalid JSON ({err.msg})") from None
        text = obj.get("text")
        if not isinstance(text, str):
            raise InputError(p, line_no, "text", "missing or not a string")
        spans = []
        for i, s in enumerate(obj.get("spans") or []):
            try:
                span = Span(int(s["start"]), int(s["end"]), str(s["type"]))
            except (KeyError, TypeError, ValueError):
                raise InputError(p, line_no, f"spans.{i}", "needs start, end, type") from None
            if not 0 <= span.start < span.end <= len(text):
                raise InputError(p, line_no, f"spans.{i}", "offsets outside the text")
            spans.append(span)
        docs.append(Doc(str(obj.get("id", line_no)), str(obj.get("kind", "")), text, spans))
    if not docs:
        raise InputError(p, None, None, "has no documents")
    return docs


def _overlaps(a: Span | Finding, b: Span | Finding) -> bool:
    return a.start < b.end and b.start < a.end


def score_doc(doc: Doc, preds: list[Span], types: Iterable[str],
              modes: dict[str, dict[str, Counts]], errors: list[ErrorCase]) -> None:
    """Add one document's counts to `modes` (strict, lenient, char, any_type) and its errors."""
    gold_set = set(doc.gold)
    for t in types:
        g = [s for s in doc.gold if s.type == t]
        p = [s for s in preds if s.type == t]
        strict = Counts(sum(s in gold_set for s in p), len(p), sum(s in set(p) for s in g), len(g))
        lenient = Counts(sum(any(_overlaps(s, x) for x in g) for s in p), len(p),
                         sum(any(_overlaps(s, x) for x in p) for s in g), len(g))
        gc = {i for s in g for i in range(s.start, s.end)}
        pc = {i for s in p for i in range(s.start, s.end)}
        char = Counts(len(gc & pc), len(pc), len(gc & pc), len(gc))
        for mode, c in (("strict", strict), ("lenient", lenient), ("char", char)):
            modes[mode][t].add(c)
    anyc = Counts(sum(any(_overlaps(s, x) for x in doc.gold) for s in preds), len(preds),
                  sum(any(_overlaps(s, x) for x in preds) for s in doc.gold), len(doc.gold))
    modes["any_type"]["ALL"].add(anyc)
    for s in doc.gold:
        if s not in set(preds):
            hit = next((x for x in preds if _overlaps(s, x)), None)
            errors.append(ErrorCase(doc.id, doc.kind, s.type, s.start, s.end, "miss",
                                    None if hit is None else f"{hit.type}@{hit.start}-{hit.end}"))
    for s in preds:
        if s not in gold_set:
            errors.append(ErrorCase(doc.id, doc.kind, s.type, s.start, s.end, "false_alarm"))


def evaluate_docs(docs: list[Doc], predict: Any, types: set[str] | None = None,
                  corpus: str = "") -> EvalResult:
    """Score `predict(text) -> list[Span]` on `docs` for `types` (default: all in the corpus)."""
    present = {s.type for d in docs for s in d.gold}
    chosen = sorted(types or (present | set(ENTITY_TYPES)))
    modes: dict[str, dict[str, Counts]] = {m: defaultdict(Counts)
                                           for m in ("strict", "lenient", "char", "any_type")}
    result = EvalResult(corpus, len(docs), modes)
    for doc in docs:
        preds = [p for p in predict(doc.text) if p.type in chosen]
        gold = [g for g in doc.gold if g.type in chosen]
        score_doc(Doc(doc.id, doc.kind, doc.text, gold), preds, chosen, modes, result.errors)
        result.texts[doc.id] = doc.text
    for m in ("strict", "lenient", "char"):
        total = Counts()
        for t in chosen:
            total.add(modes[m][t])
        modes[m]["ALL (micro)"] = total
    return result


def evaluate_corpus(path: str | os.PathLike[str], types: set[str] | None = None) -> EvalResult:
    docs = load_corpus(path)

    def predict(text: str) -> list[Span]:
        return [Span(f.start, f.end, f.type) for f in scan_text(text)]

    return evaluate_docs(docs, predict, types, str(path))


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _ci(ci: tuple[float, float] | None) -> str:
    return "–" if ci is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def format_tables(result: EvalResult, *, markdown: bool = False) -> str:
    """Per-type tables for strict, lenient and character-level scores."""
    lines = [f"corpus {result.corpus}: {result.n_docs} documents"]
    for mode in ("strict", "lenient", "char", "any_type"):
        lines.append("")
        lines.append(f"{'### ' if markdown else ''}{mode} (P/R with Wilson 95% CI)")
        lines.append("")
        head = ["type", "gold", "pred", "precision", "P 95% CI", "recall", "R 95% CI", "F1"]
        lines.append("| " + " | ".join(head) + " |" if markdown else
                     f"{'type':<22}{'gold':>6}{'pred':>6}  {'P':>6} {'P 95% CI':<17}"
                     f"{'R':>6} {'R 95% CI':<17}{'F1':>6}")
        if markdown:
            lines.append("|" + "---|" * len(head))
        for t, c in result.modes[mode].items():
            if c.n_gold == 0 and c.n_pred == 0:
                continue
            m = c.metrics()
            if markdown:
                lines.append(f"| {t} | {c.n_gold} | {c.n_pred} | {_fmt(m['precision'])} | "
                             f"{_ci(m['precision_ci95'])} | {_fmt(m['recall'])} | "
                             f"{_ci(m['recall_ci95'])} | {_fmt(m['f1'])} |")
            else:
                lines.append(f"{t:<22}{c.n_gold:>6}{c.n_pred:>6}  {_fmt(m['precision']):>6} "
                             f"{_ci(m['precision_ci95']):<17}{_fmt(m['recall']):>6} "
                             f"{_ci(m['recall_ci95']):<17}{_fmt(m['f1']):>6}")
    return "\n".join(lines)


def format_errors(result: EvalResult, limit: int, *, show_values: bool = False) -> str:
    """The first `limit` misses and false alarms, masked unless `show_values`."""
    counts = Counter(e.what for e in result.errors)
    lines = ["", f"errors: {counts['miss']} misses, {counts['false_alarm']} false alarms "
             "(strict; a boundary error counts as both)"]
    for e in result.errors[:limit]:
        text = result.texts.get(e.doc, "")
        lo, hi = max(0, e.start - 10), min(len(text), e.end + 10)
        value = text[e.start:e.end] if show_values else f"[{e.type}]"
        ctx = (text[lo:e.start] + "«" + value + "»" + text[e.end:hi]).replace("\n", " ")
        extra = f" (predicted {e.predicted_as})" if e.predicted_as else ""
        lines.append(f"{e.what:<12}{e.doc:<14}{e.type:<22}{e.start}-{e.end}{extra}  {ctx}")
    return "\n".join(lines)
