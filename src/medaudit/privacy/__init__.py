"""PHI detection and de-identification for Chinese clinical text, built on Presidio.

`scan_text(text)` returns `Finding`s (offsets, type, score, never the value);
`deidentify_text(text, strategy=...)` masks, tags or replaces them with surrogates.
"""

from __future__ import annotations

from typing import Any

from medaudit.privacy.finding import ENTITY_TYPES, Finding, mask_snippet

__all__ = ["ENTITY_TYPES", "DeidState", "Finding", "deidentify_text", "mask_snippet",
           "scan_text"]


def scan_text(text: str, types: set[str] | None = None) -> list[Finding]:
    """Find PHI in `text` (see `medaudit.privacy.engine.scan_text`)."""
    from medaudit.privacy.engine import scan_text as _scan

    return _scan(text, types)


def __getattr__(name: str) -> Any:
    # De-identification pulls in Faker; load it only when asked for.
    if name in ("deidentify_text", "DeidState"):
        from medaudit.privacy import deid

        return getattr(deid, name)
    raise AttributeError(name)
