"""Tests for reglab.analysis.selection: each claim follows its numbers (scipy's paired t
and the TOST at the stated level), ties, too few seeds, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from reglab.analysis import choose, tost_paired
from reglab.errors import ConfigError


def _study(means: dict[str, float], n: int = 8, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 0.002, n)  # [n] seed noise every arm shares (paired)
    return {k: m + shared + rng.normal(0, 0.0005, n) for k, m in means.items()}


def test_claims_follow_the_pairwise_tests_at_alpha_over_pairs() -> None:
    arms = _study({"a": 0.970, "b": 0.980, "c": 0.9805, "d": 0.9790})
    s = choose(arms, margin=0.005, alpha=0.05)
    assert s.best == "c" and s.level == pytest.approx(0.05 / 6)
    for arm in s.arms:
        if arm.name == s.best:
            assert arm.standing == "best"
            continue
        t = st.ttest_rel(arms[arm.name], arms[s.best])
        assert arm.p_different == pytest.approx(t.pvalue, rel=1e-12)
        assert arm.ci == pytest.approx(tuple(t.confidence_interval(1 - s.level)), rel=1e-12)
        tost = tost_paired(arms[s.best], arms[arm.name], 0.005, s.level)
        assert arm.p_equivalent == pytest.approx(tost.p_value, rel=1e-12)
        assert arm.worse == (t.pvalue < s.level and arm.delta < 0)
        assert arm.equivalent == (tost.p_value < s.level)
    assert s.worse == ("a",) and set(s.equivalent) == {"b", "d"}
    assert "6 pairs of the 4 arms" in s.procedure and "0.05/6" in s.procedure


def test_equivalence_needs_the_margin_not_a_failed_test() -> None:
    arms = _study({"a": 0.980, "b": 0.9795}, n=4, seed=3)  # no detectable difference
    tight, loose = choose(arms, margin=0.0001), choose(arms, margin=0.005)
    assert tight.arms[0].p_different > 0.5 and tight.best == "b"
    assert tight.equivalent == () and tight.undecided == ("a",)  # not a tie by default
    assert loose.equivalent == ("a",)


def test_too_few_seeds_makes_no_claim_and_ties_go_to_the_first_arm() -> None:
    s = choose({"x": [0.9, 0.8], "y": [0.95, 0.7]})
    assert s.too_few == "2 shared seeds (at least 3 needed)"
    assert s.best == "x" and s.arms[1].standing == "too few seeds"
    assert math.isnan(s.arms[1].p_different)
    same = choose({"x": [0.9, 0.8, 0.7], "y": [0.9, 0.8, 0.7]})
    assert same.best == "x" and same.arms[1].standing == "too few seeds"  # sd(d) == 0


def test_choose_rejects_bad_input() -> None:
    with pytest.raises(ConfigError, match=r"arrays over the same seeds \(equal lengths\)"):
        choose({"x": [0.9, 0.8, 0.7], "y": [0.9, 0.8]})
    with pytest.raises(ConfigError, match="'margin' parameter of choose"):
        choose({"x": [0.9, 0.8, 0.7]}, margin=0.0)


def test_a_single_arm_is_best_with_nothing_compared() -> None:
    s = choose({"only": [0.9, 0.8, 0.7]})
    assert s.best == "only" and s.procedure == "only is the only arm: nothing was compared."
    assert s.worse == s.equivalent == s.undecided == ()
