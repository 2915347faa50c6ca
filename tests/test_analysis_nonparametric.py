"""Reference tests for reglab.analysis.nonparametric: scipy's permutation test and
Wilcoxon, the closed-form smallest attainable p, and McNemar per seed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as st

from reglab.analysis import mcnemar, mcnemar_per_seed, sign_flip_p, wilcoxon_min_p, wilcoxon_p
from reglab.errors import ConfigError


@pytest.mark.parametrize("n", [3, 5, 8, 12])
def test_sign_flip_equals_scipy_exact_permutation_test(n: int) -> None:
    rng = np.random.default_rng(n)
    a, b = rng.normal(0.97, 0.002, n), rng.normal(0.971, 0.002, n)
    ref = st.permutation_test(
        (b, a), lambda x, y: np.mean(x - y), permutation_type="samples", n_resamples=np.inf
    )
    assert sign_flip_p(b - a) == pytest.approx(ref.pvalue, rel=1e-12)


def test_sign_flip_hand_computed_and_floor() -> None:
    # 4 differences, 16 sign patterns; |mean| >= observed for the identity, its negation,
    # flipping only -0.1 (|sum| 1.0), and its negation: 4 of 16.
    assert sign_flip_p([0.2, 0.3, -0.1, 0.4]) == 4 / 16
    assert sign_flip_p([1.0] * 5) == 2 / 32  # all one sign: the floor 2 / 2**n
    assert sign_flip_p([0.0, 0.0, 0.0]) == 1.0


def test_sign_flip_random_patterns_beyond_exact_limit() -> None:
    d = np.random.default_rng(1).normal(0.3, 1.0, 20)
    ref = st.permutation_test((d,), np.mean, permutation_type="samples", n_resamples=200_000,
                              rng=np.random.default_rng(2))  # fmt: skip
    assert sign_flip_p(d) == pytest.approx(ref.pvalue, abs=0.01)
    assert sign_flip_p(d) == sign_flip_p(d)  # a fixed seed: reproducible


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_wilcoxon_min_p_is_attained_by_one_signed_differences(n: int) -> None:
    d = np.arange(1.0, n + 1)
    assert wilcoxon_min_p(d) == 2.0 ** (1 - n)
    assert wilcoxon_p(d) == pytest.approx(wilcoxon_min_p(d), rel=1e-12)
    assert wilcoxon_p(d) == pytest.approx(st.wilcoxon(d).pvalue, rel=1e-12)


def test_wilcoxon_min_p_counts_only_nonzero_differences() -> None:
    assert wilcoxon_min_p([0.0, 1.0, -2.0, 3.0, 0.0]) == 0.25
    assert np.isnan(wilcoxon_min_p([0.0, 0.0])) and np.isnan(wilcoxon_p([0.0, 0.0]))


def test_mcnemar_per_seed_is_mcnemar_row_by_row() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.random((3, 50)) < 0.8, rng.random((3, 50)) < 0.85
    out = mcnemar_per_seed(a, b)
    assert out == tuple(mcnemar(ra, rb) for ra, rb in zip(a, b, strict=True))
    with pytest.raises(ConfigError, match="'correct_b' parameter of mcnemar_per_seed"):
        mcnemar_per_seed(a, b[:2])


@pytest.mark.parametrize("seed", range(6))
def test_wilcoxon_equals_scipy_with_and_without_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 10))
    # accuracies on 1000 examples: quantized, so ties and zeros are common
    d = (rng.binomial(1000, 0.97, n) - rng.binomial(1000, 0.97, n)) / 1000
    if not np.any(d):
        d[0] = 0.001
    ref = st.wilcoxon(d, alternative="two-sided", method="auto").pvalue
    assert wilcoxon_p(d) == pytest.approx(ref, rel=1e-9)


def test_wilcoxon_large_n_uses_the_normal_approximation() -> None:
    d = np.random.default_rng(0).normal(0.2, 1.0, 30)
    ref = st.wilcoxon(d, method="asymptotic").pvalue
    assert wilcoxon_p(d) == pytest.approx(ref, rel=1e-12)
