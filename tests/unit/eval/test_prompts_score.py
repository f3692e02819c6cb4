import pytest

from medaudit.bench.io import read_items
from medaudit.errors import MedauditError
from medaudit.eval.prompts import ItemView, PromptBuilder, pick_shots, template_names
from medaudit.eval.records import Outcome
from medaudit.eval.score import (
    combine_rotations,
    letters_from_probs,
    partial_credit,
    score_letters,
)


def test_prompt_has_shared_prefix_and_ends_at_answer_position(mini_items) -> None:
    items = read_items(mini_items)
    builder = PromptBuilder("zh-mcq-v1", "logprob")
    first, second = builder.build(ItemView.of(items[0])), builder.build(ItemView.of(items[1]))
    assert first.prefix == second.prefix
    assert first.text.endswith("答案：")
    assert "A. 由家属签字后实施造影" in first.text
    assert first.hash != second.hash


def test_template_hash_recorded_and_cot_refuses_logprob() -> None:
    assert {"zh-mcq-v1", "zh-mcq-cot-v1"} <= set(template_names())
    desc = PromptBuilder("zh-mcq-v1", "generate").describe()
    assert len(desc["template_sha256"]) == 64
    with pytest.raises(MedauditError, match="chain-of-thought"):
        PromptBuilder("zh-mcq-cot-v1", "logprob")
    with pytest.raises(MedauditError, match="unknown prompt template"):
        PromptBuilder("nope", "logprob")


def test_shots_come_from_pool_and_appear_in_prefix(mini_items) -> None:
    items = read_items(mini_items)
    shots = pick_shots(items[:3], 2, seed=1)
    assert len(shots) == 2
    builder = PromptBuilder("zh-mcq-v1", "logprob", shots)
    for shot in shots:
        assert shot.question in builder.prefix
    with pytest.raises(MedauditError, match="needs at least"):
        pick_shots(items[:1], 3, seed=0)


def test_rotation_remaps_key_letters(mini_items) -> None:
    multi = next(it for it in read_items(mini_items) if it.type == "multi")
    view = ItemView.of(multi)
    rotated = view.rotated(1)
    assert rotated.answer == "BCE"  # ABD shifted by one
    for old, new in zip("ABD", "BCE", strict=True):
        assert view.options[old] == rotated.options[new]
    assert view.rotated(len(view.options)).options == view.options


def test_scoring_keeps_misses_apart_from_wrong() -> None:
    assert score_letters(None, "B", "single", "none").outcome is Outcome.UNPARSED
    assert score_letters(None, "B", "single", "refusal", refused=True).outcome is Outcome.REFUSED
    assert score_letters("B", "B", "single", "x").outcome is Outcome.CORRECT
    assert score_letters("C", "B", "single", "x").outcome is Outcome.WRONG
    multi = score_letters("AB", "ABD", "multi", "x")
    assert multi.outcome is Outcome.WRONG and multi.partial_credit == pytest.approx(2 / 3)
    assert partial_credit("AE", "ABD") == 0.0


def test_letters_from_probs_argmax_threshold_and_tie() -> None:
    assert letters_from_probs({"A": 0.1, "B": 0.6, "C": 0.3}, "single") == ("B", "logprob-argmax")
    assert letters_from_probs({"A": 0.5, "B": 0.5}, "judge") == (None, "logprob-tie")
    chosen, rule = letters_from_probs({"A": 0.3, "B": 0.05, "C": 0.3, "D": 0.3, "E": 0.05}, "multi")
    assert (chosen, rule) == ("ACD", "logprob-threshold")


def test_circular_needs_every_rotation_right() -> None:
    c, w, u = Outcome.CORRECT, Outcome.WRONG, Outcome.UNPARSED
    assert combine_rotations([c, c, c]) is c
    assert combine_rotations([c, u, c]) is u
    assert combine_rotations([c, w, u]) is w
    assert combine_rotations([c, Outcome.ERROR]) is Outcome.ERROR


def test_flat_distribution_is_unparsed_for_every_type() -> None:
    flat = {k: 0.2 for k in "ABCDE"}
    for item_type in ("single", "multi"):
        assert letters_from_probs(flat, item_type) == (None, "logprob-tie")
