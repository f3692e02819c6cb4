"""Map a next-token top-k logprob list to option letters, for API backends that expose only top-k.

Why a module: every API backend (OpenAI-compatible, vLLM) gets the same kind of list and must
map it the same way. Tokens are matched to option letters after NFKC normalisation (full-width
Ａ is A) and stripping spaces, brackets, asterisks and punctuation (" A", "A.", "(A", "**A**"
count as A); lower-case letters do not count ("a" is usually the English article). Tokens that
map to the same letter are summed (log-sum-exp). A letter missing from the list is less likely
than every listed token, but the API does not say by how much; it gets a *floor*: the smallest
listed logprob minus ln 10 (`FLOOR_GAP`), which ranks it below every listed letter without
inventing a precise number. If no letter is listed at all, every letter gets the same floor and
the distribution is uniform: the scorer must treat that as "no answer", not as A.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

FLOOR_GAP = math.log(10.0)
_STRIP = " \t\r\n()[]{}*\"'`.:,;、。"


def token_letter(token: str, letters: Sequence[str]) -> str | None:
    """The option letter a top-logprob token stands for, or None ("A", " A", "Ａ", "(A" -> A)."""
    text = unicodedata.normalize("NFKC", token).strip(_STRIP)
    return text if text and text in set(letters) else None  # a set: "AB" is not in ["A", "B"]


def letters_from_top(top: Sequence[tuple[str, float]], letters: Sequence[str]) -> dict[str, float]:
    """Map (token, logprob) pairs to per-letter logprobs, flooring letters that are absent."""
    found: dict[str, list[float]] = {}
    for token, logprob in top:
        letter = token_letter(token, letters)
        if letter is not None and math.isfinite(logprob):
            found.setdefault(letter, []).append(logprob)
    finite = [lp for _, lp in top if math.isfinite(lp)]
    floor = (min(finite) if finite else 0.0) - FLOOR_GAP
    out: dict[str, float] = {}
    for letter in letters:
        values = found.get(letter)
        if values:
            top_lp = max(values)
            out[letter] = top_lp + math.log(sum(math.exp(v - top_lp) for v in values))
        else:
            out[letter] = floor
    return out
