"""Presidio recognizer base classes adapted to Chinese text.

Presidio's own context enhancer compares context words with the lemmas of whitespace tokens, which
does not work for Chinese (no spaces, no lemmas). These classes therefore look for context words
in a character window around each match, inside `analyze`, so they give the same results whether
they run under Presidio's `AnalyzerEngine` or under `medaudit.privacy.engine.scan_text`.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from medaudit.privacy import lexicon

LANGUAGE = "zh"
DEFAULT_FLAGS = regex.MULTILINE | regex.IGNORECASE


class ContextWindow:
    """Context and negative words of one entity type, matched in a character window."""

    def __init__(self, entity: str) -> None:
        cfg = lexicon.load("context")
        spec = cfg["types"].get(entity, {})
        self.before = int(cfg["window_before"])
        self.after = int(cfg["window_after"])
        self.boost = float(cfg["boost"])
        words = spec.get("context") or []
        negative = spec.get("negative") or []
        self.positive = regex.compile(lexicon.alternation(words)) if words else None
        self.negative = regex.compile(lexicon.alternation(negative)) if negative else None

    def adjust(self, text: str, start: int, end: int, score: float) -> float:
        """Return the score after context: 0 next to a negative word, boosted next to a positive."""
        # The window stops at line breaks: a label on the previous line says nothing.
        left = text[max(0, start - self.before):start].rpartition("\n")[2]
        right = text[end:end + self.after].partition("\n")[0]
        if self.negative is not None and (self.negative.search(left)
                                          or self.negative.search(right)):
            return 0.0
        if self.positive is not None and (self.positive.search(left)
                                          or self.positive.search(right)):
            return min(1.0, score + self.boost)
        return score


class ChinesePatternRecognizer(PatternRecognizer):
    """A `PatternRecognizer` with character-window context and a per-match filter hook."""

    ENTITY = ""

    def __init__(self, patterns: Sequence[Pattern], *, flags: int = DEFAULT_FLAGS) -> None:
        super().__init__(supported_entity=self.ENTITY, patterns=list(patterns),
                         supported_language=LANGUAGE, context=[], global_regex_flags=flags,
                         name=type(self).__name__)
        self.window = ContextWindow(self.ENTITY)

    def keep(self, text: str, start: int, end: int) -> bool:
        """Per-match false-positive filter that may look at the surrounding text; True keeps."""
        return True

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        raw = super().analyze(text, entities or [self.ENTITY], nlp_artifacts, regex_flags)
        out: list[RecognizerResult] = []
        for res in raw:
            if not self.keep(text, res.start, res.end):
                continue
            res.score = self.window.adjust(text, res.start, res.end, res.score)
            if res.score > EntityRecognizer.MIN_SCORE:
                out.append(res)
        return out


class ChineseRuleRecognizer(EntityRecognizer):
    """Base for recognizers driven by word lists and rules rather than one regex per match."""

    ENTITY = ""

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], supported_language=LANGUAGE,
                         name=type(self).__name__, context=[])

    def load(self) -> None:
        """Word lists are loaded lazily through `lexicon.load`; nothing to do here."""

    def find(self, text: str) -> list[tuple[int, int, float]]:
        raise NotImplementedError

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        return [RecognizerResult(self.ENTITY, s, e, score,
                                 recognition_metadata={
                                     RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                                     RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                for s, e, score in self.find(text)]
