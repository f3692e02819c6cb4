"""Run the Chinese recognizers over a text and resolve overlaps into a list of `Finding`s.

`scan_text` calls each recognizer's Presidio `analyze` directly on the raw string: Presidio's
`AnalyzerEngine` would first tokenize with spaCy and then enhance scores with token lemmas, neither
of which helps Chinese. `build_analyzer` still offers the same recognizers inside a Presidio
`AnalyzerEngine` (blank spaCy "zh" with the jieba segmenter, nothing downloaded) for Presidio users.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from medaudit.errors import MedauditError
from medaudit.privacy.finding import ENTITY_TYPES, Finding

DEFAULT_THRESHOLD = 0.5

# When two findings overlap with the same score and length, the earlier type here wins: a
# labelled number (住院号/医保卡号) is what its label says even if it also looks like a phone.
PRIORITY: tuple[str, ...] = (
    "EMAIL", "URL", "INSURANCE_ID", "MEDICAL_RECORD_NUMBER", "SOCIAL_HANDLE", "CN_ID_CARD",
    "BANK_CARD", "PASSPORT", "LICENSE_PLATE", "IP_ADDRESS", "PHONE", "DATE", "AGE_OVER_89",
    "PERSON", "ORGANIZATION", "ADDRESS",
)
_RANK = {t: i for i, t in enumerate(PRIORITY)}
# Types whose match is decided by a label word: they beat a longer or higher-scored pattern match
# of another type on the same characters.
# E-mail and URL come first too: their syntax is unambiguous and a label word inside them
# (…/record/wx123) is part of the address.
LABELLED = {"EMAIL", "URL", "INSURANCE_ID", "MEDICAL_RECORD_NUMBER", "SOCIAL_HANDLE"}

_lock = threading.Lock()
_recognizers: list[Any] | None = None


def check_types(types: Iterable[str] | None) -> set[str] | None:
    """Validate a user's type selection; unknown names become one clear error."""
    if types is None:
        return None
    chosen = {t.strip().upper() for t in types if t.strip()}
    unknown = sorted(chosen - set(ENTITY_TYPES))
    if unknown:
        raise MedauditError(f"unknown PHI type(s) {', '.join(unknown)}; choose from "
                            f"{', '.join(ENTITY_TYPES)}")
    return chosen or None


def recognizers() -> list[Any]:
    """The shared recognizer instances (built once per process; they are stateless)."""
    global _recognizers
    with _lock:
        if _recognizers is None:
            from medaudit.privacy.recognizers import all_recognizers

            _recognizers = all_recognizers()
        return _recognizers


def _resolve(cands: list[Finding]) -> list[Finding]:
    """Keep a non-overlapping subset: labelled types first, then higher score, longer, priority."""
    def key(f: Finding) -> tuple[int, float, int, int]:
        return (0 if f.type in LABELLED else 1, -round(f.score, 3), -(f.end - f.start),
                _RANK.get(f.type, 99))

    kept: list[Finding] = []
    for f in sorted(cands, key=key):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept)


def scan_text(text: str, types: set[str] | None = None, *,
              threshold: float = DEFAULT_THRESHOLD) -> list[Finding]:
    """Return the PHI findings in `text`, sorted by offset, without overlaps.

    `types` limits the result to those entity names (None: all). Offsets are Python `str`
    indices, so `text[f.start:f.end]` is the value.
    """
    if not text:
        return []
    wanted = check_types(types)
    cands: list[Finding] = []
    for rec in recognizers():
        entity = rec.supported_entities[0]
        for res in rec.analyze(text, [entity]):
            if res.score >= threshold and res.end > res.start:
                cands.append(Finding(res.start, res.end, entity, float(res.score), rec.name))
    kept = _resolve(cands)
    if wanted is not None:
        kept = [f for f in kept if f.type in wanted]
    return kept


def build_analyzer() -> Any:
    """A Presidio `AnalyzerEngine` for language "zh" holding only the medaudit recognizers.

    The NLP engine is spaCy's blank Chinese pipeline with the jieba segmenter, created in memory,
    so Presidio never tries to download a model. Call `analyzer.analyze(text, language="zh")`.
    """
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from medaudit.privacy.recognizers import all_recognizers

    class _BlankZhEngine(SpacyNlpEngine):
        def load(self) -> None:
            zh = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
            self.nlp = {"zh": zh}  # type: ignore[assignment]

    engine = _BlankZhEngine(models=[{"lang_code": "zh", "model_name": "blank_zh_jieba"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["zh"])
    for rec in all_recognizers():
        registry.add_recognizer(rec)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["zh"],
                          default_score_threshold=DEFAULT_THRESHOLD)
