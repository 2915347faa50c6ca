"""Reference tests for reglab.analysis.effects: closed forms, scipy's Mann-Whitney U and
bootstrap, and the exact bootstrap distribution enumerated for a small n."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats as st

from reglab.analysis import d_av, d_z, paired_bootstrap_ci, probability_of_improvement
from reglab.errors import ConfigError

A = np.array([0.9797, 0.9801, 0.9789, 0.9795, 0.9803, 0.9790, 0.9799])
B = np.array([0.9807, 0.9802, 0.9799, 0.9810, 0.9806, 0.9788, 0.9811])


def test_d_av_and_d_z_closed_forms() -> None:
    # a = [1, 2, 3] (sd 1), b = [2, 4, 6] (sd 2), d = [1, 2, 3] (mean 2, sd 1)
    assert d_av([1, 2, 3], [2, 4, 6]) == pytest.approx(2 / 1.5)
    assert d_z([1, 2, 3], [2, 4, 6]) == pytest.approx(2.0)
    assert d_z(A, B) == pytest.approx(st.ttest_rel(B, A).statistic / math.sqrt(A.size))


def test_effect_sizes_undefined_without_spread() -> None:
    assert math.isnan(d_z([1, 2, 3], [2, 3, 4]))  # sd(d) = 0: undefined, not infinite
    assert math.isnan(d_av([1, 1], [2, 2])) and math.isnan(d_av([1], [2]))


def test_probability_of_improvement_is_mann_whitney_u_over_n_squared() -> None:
    ref = st.mannwhitneyu(B, A).statistic / A.size**2
    assert probability_of_improvement(A, B) == pytest.approx(ref, rel=1e-15)
    assert probability_of_improvement([1, 1], [1, 1]) == 0.5  # ties count 1/2
    assert probability_of_improvement([0, 0], [1, 1]) == 1.0


def test_bootstrap_matches_the_exact_bootstrap_distribution() -> None:
    # n = 4: all 4**4 equally likely resamples enumerated; percentiles within MC error.
    a, b = np.array([0.0, 0.0, 0.0, 0.0]), np.array([0.1, 0.4, -0.2, 0.5])
    means = np.array([b[list(i)].mean() for i in itertools.product(range(4), repeat=4)])
    exact = np.quantile(means, [0.025, 0.975])
    got = paired_bootstrap_ci(a, b, n_boot=40_000)
    assert got == pytest.approx(tuple(exact), abs=0.02)


def test_bootstrap_agrees_with_scipy_percentile_bootstrap() -> None:
    ref = st.bootstrap((B - A,), np.mean, method="percentile", n_resamples=20_000,
                       rng=np.random.default_rng(3)).confidence_interval  # fmt: skip
    got = paired_bootstrap_ci(A, B, n_boot=20_000)
    assert got == pytest.approx((ref.low, ref.high), abs=5e-5)
    assert paired_bootstrap_ci(A, B, seed=7) == paired_bootstrap_ci(A, B, seed=7)


def test_bootstrap_rejects_bad_arguments() -> None:
    with pytest.raises(
        ConfigError,
        match=r"'n_boot' parameter of paired_bootstrap_ci must be an int in \[100, inf\)",
    ):
        paired_bootstrap_ci(A, B, n_boot=10)
    assert all(math.isnan(x) for x in paired_bootstrap_ci([0.5], [0.6]))
