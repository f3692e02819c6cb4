"""Map an extraction or a letter distribution to an outcome.

Misses are never wrong: no answer is `unparsed`, a refusal is `refused`, a failed call is
`error`. Multi-answer items are scored by exact match; partial credit (exam rule: any wrong letter
scores 0, otherwise the share of key letters chosen) is reported beside it, never mixed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from medaudit.eval.records import Outcome


@dataclass(frozen=True)
class Scored:
    outcome: Outcome
    extracted: str | None
    rule: str
    partial_credit: float | None = None


def partial_credit(chosen: str, answer: str) -> float:
    if set(chosen) - set(answer):
        return 0.0
    return len(set(chosen)) / len(set(answer))


def score_letters(
    chosen: str | None, answer: str, item_type: str, rule: str, refused: bool = False
) -> Scored:
    if chosen is None:
        return Scored(Outcome.REFUSED if refused else Outcome.UNPARSED, None, rule)
    outcome = Outcome.CORRECT if chosen == answer else Outcome.WRONG
    credit = partial_credit(chosen, answer) if item_type == "multi" else None
    return Scored(outcome, chosen, rule, credit)


def letters_from_probs(probs: Mapping[str, float], item_type: str) -> tuple[str | None, str]:
    """Choose letters from a renormalised letter distribution read in one forward pass.

    single/judge: the most probable letter ("logprob-argmax"); an exact tie is `unparsed`
    ("logprob-tie") rather than silently favouring A. multi: every letter whose probability is
    at least the uniform share 1/k, and always the top letter ("logprob-threshold").
    """
    ranked = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[-1][1]:
        return None, "logprob-tie"  # a flat distribution (e.g. no letter in an API's top-k)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1] and item_type != "multi":
        return None, "logprob-tie"
    if item_type != "multi":
        return ranked[0][0], "logprob-argmax"
    floor = 1.0 / len(probs)
    chosen = {k for k, v in probs.items() if v >= floor} | {ranked[0][0]}
    return "".join(sorted(chosen)), "logprob-threshold"


def letters_from_yesno(yes_probs: Mapping[str, float]) -> tuple[str | None, str]:
    """multi via per-option yes/no: letters whose P(是) > P(否); none chosen -> the most likely."""
    chosen = {k for k, p in yes_probs.items() if p > 0.5}
    if not chosen:
        chosen = {max(yes_probs.items(), key=lambda kv: kv[1])[0]}
    return "".join(sorted(chosen)), "logprob-yesno"


def combine_rotations(outcomes: list[Outcome]) -> Outcome:
    """CircularEval: correct only when every rotation is correct; otherwise the most serious
    failure in the order error > wrong > unparsed > refused."""
    if all(o is Outcome.CORRECT for o in outcomes):
        return Outcome.CORRECT
    for worst in (Outcome.ERROR, Outcome.WRONG, Outcome.UNPARSED, Outcome.REFUSED):
        if worst in outcomes:
            return worst
    return Outcome.WRONG
