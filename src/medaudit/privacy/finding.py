"""The `Finding` record every scanner result is, and the masked snippet shown in logs and reports.

A finding carries offsets, never the value: whoever prints it must go back to the text, and the only
helper offered for that (`mask_snippet`) replaces every detected value in the window by its type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

ENTITY_TYPES: tuple[str, ...] = (
    "PERSON", "CN_ID_CARD", "PHONE", "EMAIL", "ADDRESS", "MEDICAL_RECORD_NUMBER",
    "INSURANCE_ID", "BANK_CARD", "PASSPORT", "LICENSE_PLATE", "SOCIAL_HANDLE", "IP_ADDRESS",
    "URL", "DATE", "AGE_OVER_89", "ORGANIZATION",
)


@dataclass(frozen=True, order=True)
class Finding:
    """One detected PHI span: `text[start:end]` (Python str offsets) is of `type` with `score`."""

    start: int
    end: int
    type: str
    score: float = field(compare=False)
    recognizer: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "type": self.type,
                "score": round(self.score, 3)}


def mask_snippet(text: str, finding: Finding, findings: Sequence[Finding] = (),
                 width: int = 12) -> str:
    """Return the text around `finding` with it (and every other finding in view) as `[TYPE]`.

    Characters of the window that belong to no finding are kept so a reviewer can see why the
    value was flagged; characters of any finding, even one cut by the window edge, never are.
    """
    lo = max(0, finding.start - width)
    hi = min(len(text), finding.end + width)
    spans = sorted({f for f in (*findings, finding) if f.start < hi and f.end > lo})
    out: list[str] = []
    pos = lo
    for f in spans:
        if f.end <= pos:
            continue
        if f.start > pos:
            out.append(text[pos:f.start])
        out.append(f"[{f.type}]")
        pos = max(pos, f.end)
    if pos < hi:
        out.append(text[pos:hi])
    snippet = "".join(out).replace("\n", " ").replace("\r", " ")
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(text) else "")
