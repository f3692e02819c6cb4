import math

import pytest

from medaudit.stats import (
    expected_calibration_error,
    holm,
    mcnemar_exact,
    paired_difference,
    wilson_interval,
)


def test_wilson_matches_published_values() -> None:
    # Newcombe (1998) example: 81/263 -> [0.2553, 0.3662]
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=1e-4)
    assert hi == pytest.approx(0.3662, abs=1e-4)


def test_wilson_edges_stay_in_unit_interval() -> None:
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_mcnemar_exact_is_binomial_two_sided() -> None:
    # 1 vs 9 discordant: 2 * P(X <= 1 | n=10, p=.5) = 2 * 11/1024
    assert mcnemar_exact(1, 9) == pytest.approx(22 / 1024)
    assert mcnemar_exact(5, 5) == 1.0
    assert mcnemar_exact(0, 0) == 1.0


def test_holm_is_monotone_and_capped() -> None:
    adjusted = holm([0.01, 0.04, 0.03, 0.5])
    assert adjusted == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert all(a <= 1 for a in holm([0.9, 0.8]))


def test_paired_difference_counts_discordant_pairs() -> None:
    a = [True, True, False, False, True]
    b = [True, False, True, True, True]
    diff = paired_difference(a, b)
    assert (diff.b01, diff.b10) == (2, 1)
    assert diff.diff == pytest.approx(0.2)
    lo, hi = diff.diff_ci95
    assert lo < 0.2 < hi


def test_ece_zero_for_perfect_calibration_and_positive_otherwise() -> None:
    perfect = expected_calibration_error([1.0, 1.0, 0.0], [True, True, False])
    assert perfect is not None and perfect["ece"] == pytest.approx(0.0)
    over = expected_calibration_error([0.9] * 10, [True] * 5 + [False] * 5)
    assert over is not None and math.isclose(over["ece"], 0.4)
    assert expected_calibration_error([], []) is None
