"""Reference tests for reglab.analysis.stats: scipy on fixed data, textbook values, hand
computations, properties, and the error messages."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp
from scipy import stats as st

from reglab.analysis import (
    MIN_SEEDS,
    VERDICTS,
    McNemarResult,
    decide,
    describe,
    holm,
    mcnemar,
    min_detectable_effect,
    paired_comparison,
    paired_t_power,
    seeds_needed,
    with_holm,
)
from reglab.errors import ConfigError

# Student's sleep data (Cushny & Peebles, 1905), extra hours of sleep per patient under
# two drugs; R's `t.test(extra ~ group, data = sleep, paired = TRUE)` prints
# t = -4.0621, df = 9, p-value = 0.002833, 95% CI [-2.4598858, -0.7001142], mean -1.58.
SLEEP_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
SLEEP_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])

# With 2 df the t CDF is F(t) = 1/2 + t / (2 sqrt(2 + t^2)); solving F(t) = 0.975 gives
# t^2 = 2 q^2 / (1 - q^2) with q = 0.95: the 97.5% quantile, 4.3027, without scipy.
T2_975 = math.sqrt(2 * 0.95**2 / (1 - 0.95**2))

ACC_A = np.array([0.9797, 0.9801, 0.9789, 0.9795, 0.9803, 0.9790, 0.9799])
ACC_B = np.array([0.9807, 0.9802, 0.9799, 0.9810, 0.9806, 0.9788, 0.9811])


# --- describe ---------------------------------------------------------------------


def test_describe_matches_scipy_t_interval() -> None:
    s = describe(ACC_A)
    lo, hi = st.t.interval(0.95, ACC_A.size - 1, loc=ACC_A.mean(), scale=st.sem(ACC_A))
    assert s.n == 7
    assert s.mean == pytest.approx(ACC_A.mean(), rel=1e-15)
    assert s.std == pytest.approx(np.std(ACC_A, ddof=1), rel=1e-15)
    assert s.ci95 == pytest.approx((lo, hi), rel=1e-12)


def test_describe_hand_computed_df2() -> None:
    # [1, 2, 3]: mean 2, sd 1, and t_{2, .975} = 4.303 from the closed form below.
    s = describe([1.0, 2.0, 3.0])
    half = T2_975 / math.sqrt(3)
    assert s.ci95 == pytest.approx((2 - half, 2 + half), rel=1e-12)


def test_describe_other_confidence_is_recorded() -> None:
    s = describe(ACC_A, confidence=0.99)
    assert s.confidence == 0.99
    assert s.ci95[1] - s.ci95[0] > np.subtract(*describe(ACC_A).ci95[::-1])


def test_describe_single_value_has_no_interval() -> None:
    s = describe([0.98])
    assert (s.n, s.mean, s.std) == (1, 0.98, 0.0)
    assert all(math.isnan(x) for x in s.ci95)


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        (
            [0.9, float("nan")],
            {},
            "The 'values' parameter of describe must be finite (filter diverged runs first "
            "and report how many). Got [0.9, nan] instead.",
        ),
        (
            [],
            {},
            "The 'values' parameter of describe must be a 1-D array of at least 1 values. "
            "Got [] instead.",
        ),
        (
            [0.9, 0.8],
            {"confidence": 1.5},
            "The 'confidence' parameter of describe must be a float in (0, 1). Got 1.5 instead.",
        ),
    ],
)
def test_describe_rejects_bad_input(values: list[float], kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        describe(values, **kwargs)


# --- paired_comparison ------------------------------------------------------------


def test_paired_comparison_textbook_sleep_data() -> None:
    r = paired_comparison(SLEEP_1, SLEEP_2)
    assert r.n == 10
    assert r.delta == pytest.approx(1.58, rel=1e-12)
    assert r.p_value == pytest.approx(0.002833, abs=5e-7)
    assert r.ci95 == pytest.approx((0.7001142, 2.4598858), abs=5e-8)
    assert r.cohen_dz == pytest.approx(4.0621277 / math.sqrt(10), rel=1e-7)
    assert r.verdict == "better"


def test_paired_comparison_closed_form_df2() -> None:
    # differences [1, 2, 3]: t = 2 / (1 / sqrt 3) = 2 sqrt 3 on 2 df, where the t CDF is
    # F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so p = 1 - t / sqrt(2 + t^2).
    r = paired_comparison([0.0, 0.0, 0.0], [1.0, 2.0, 3.0])
    t = 2 * math.sqrt(3)
    assert r.p_value == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-12)
    half = T2_975 / math.sqrt(3)
    assert r.ci95 == pytest.approx((2 - half, 2 + half), rel=1e-12)
    assert r.cohen_dz == pytest.approx(2.0)
    assert r.verdict == "no detectable difference"  # p = 0.074


def test_paired_comparison_matches_scipy_calls() -> None:
    r = paired_comparison(ACC_A, ACC_B)
    ref = st.ttest_rel(ACC_B, ACC_A)
    d = ACC_B - ACC_A
    assert r.delta == pytest.approx(d.mean(), rel=1e-14)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    assert r.ci95 == pytest.approx(tuple(ref.confidence_interval(0.95)), rel=1e-12)
    assert r.p_wilcoxon == pytest.approx(st.wilcoxon(d).pvalue, rel=1e-12)
    assert r.p_holm == r.p_value
    sd = d.std(ddof=1)
    assert r.min_detectable_effect == pytest.approx(sd * _grid_mde(d.size), abs=sd * 2e-5)
    assert r.seeds_needed == seeds_needed(d.mean(), sd)


def _grid_mde(n: int) -> float:
    """d_z at 80% power for n pairs: first point of a coarse then fine grid (no brentq)."""
    coarse = np.linspace(0.0, 5.0, 501)
    top = coarse[np.argmax([paired_t_power(d, n) >= 0.8 for d in coarse])]
    fine = np.linspace(top - 0.01, top, 1001)
    return float(fine[np.argmax([paired_t_power(d, n) >= 0.8 for d in fine])])


def test_identical_arms_give_too_few_seeds_and_no_test() -> None:
    r = paired_comparison([0.9, 0.8, 0.7], [0.9, 0.8, 0.7])
    assert math.isnan(r.p_value) and math.isnan(r.p_wilcoxon) and math.isnan(r.cohen_dz)
    assert r.delta == 0.0 and all(math.isnan(x) for x in r.ci95)
    assert r.verdict == "too few seeds" and r.too_few is not None
    assert math.isnan(r.min_detectable_effect) and r.seeds_needed is None


def test_constant_nonzero_difference_is_too_few_seeds_not_p_zero() -> None:
    # issue 12: 2 seeds on digits moved by the same -1.35 pp printed "p < 0.001".
    r = paired_comparison([0.5, 0.25, 0.0], [1.0, 0.75, 0.5])
    assert r.delta == 0.5 and r.verdict == "too few seeds"
    assert r.too_few == "every seed moved by the same amount (sd 0)"
    assert all(math.isnan(x) for x in (r.p_value, r.p_holm, r.p_wilcoxon, r.p_sign_flip))
    assert all(math.isnan(x) for x in (*r.ci95, r.cohen_dz, r.min_detectable_effect))
    assert r.seeds_needed is None


def test_constant_difference_delta_is_exactly_c() -> None:
    r = paired_comparison([0.0, 0.0, 0.0], [0.1, 0.1, 0.1])  # float mean would be 0.1 + 2e-17
    assert r.delta == 0.1


@pytest.mark.parametrize("n", [1, 2])
def test_fewer_than_three_seeds_gives_no_verdict(n: int) -> None:
    r = paired_comparison([0.90, 0.85][:n], [0.99, 0.97][:n])
    assert r.verdict == "too few seeds" and math.isnan(r.p_value)
    assert r.too_few == f"{n} paired seed{'s' * (n > 1)} (at least {MIN_SEEDS} needed)"
    assert r.delta == pytest.approx(np.mean(np.subtract([0.99, 0.97][:n], [0.90, 0.85][:n])))


def test_too_few_seeds_stays_out_of_the_holm_family() -> None:
    few = paired_comparison([0.9, 0.8], [0.95, 0.81])
    out = with_holm([few, paired_comparison(SLEEP_1, SLEEP_2)])
    assert out[0].verdict == "too few seeds" and math.isnan(out[0].p_holm)
    assert out[1].p_holm == out[1].p_value  # a family of one: no adjustment
    assert out[1].power_alpha == 0.05


def test_worse_verdict() -> None:
    assert paired_comparison(SLEEP_2, SLEEP_1).verdict == "worse"


@pytest.mark.parametrize(
    ("baseline", "treatment", "kwargs", "message"),
    [
        (
            [0.9, 0.8, 0.7],
            [0.9, 0.8],
            {},
            "The 'treatment' parameter of paired_comparison must be an array of the same "
            "length as 'baseline' (3). Got length 2 instead.",
        ),
        (
            [],
            [],
            {},
            "The 'baseline' parameter of paired_comparison must be a 1-D array of at least "
            "1 values. Got [] instead.",
        ),
        (
            [0.9, 0.8],
            [0.8, float("nan")],
            {},
            "The 'treatment' parameter of paired_comparison must be finite (filter diverged "
            "runs first and report how many). Got [0.8, nan] instead.",
        ),
        (
            [0.9, 0.8],
            [0.8, 0.7],
            {"alpha": 0.0},
            "The 'alpha' parameter of paired_comparison must be a float in (0, 1). "
            "Got 0.0 instead.",
        ),
        (
            [0.9, 0.8],
            [0.8, 0.7],
            {"power": 0.01},
            "The 'power' parameter of paired_comparison must be a float in (alpha=0.05, 1). "
            "Got 0.01 instead.",
        ),
        (
            [[0.9, 0.8]],
            [[0.8, 0.7]],
            {},
            "The 'baseline' parameter of paired_comparison must be a 1-D array of at least "
            "1 values. Got an array of shape (1, 2) instead.",
        ),
    ],
)
def test_paired_comparison_rejects_bad_input(
    baseline: list, treatment: list, kwargs: dict, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        paired_comparison(baseline, treatment, **kwargs)


# n <= 8: with tied differences scipy's wilcoxon enumerates all 2^n sign flips, slowly.
accuracies = hnp.arrays(np.float64, hst.integers(2, 8), elements=hst.floats(0.0, 1.0, width=32))


@settings(max_examples=60, deadline=None)
@given(hst.data())
def test_swapping_arms_negates_the_comparison(data: hst.DataObject) -> None:
    a = data.draw(accuracies)
    b = data.draw(hnp.arrays(np.float64, a.size, elements=hst.floats(0.0, 1.0, width=32)))
    ab, ba = paired_comparison(a, b), paired_comparison(b, a)
    assert ba.delta == -ab.delta
    flipped = (-ab.ci95[1], -ab.ci95[0])
    assert ba.ci95 == pytest.approx(flipped, rel=1e-12, abs=1e-15, nan_ok=True)
    assert ba.d_av == pytest.approx(-ab.d_av, nan_ok=True)
    assert ba.prob_improvement == pytest.approx(1 - ab.prob_improvement, nan_ok=True)
    assert ba.p_sign_flip == pytest.approx(ab.p_sign_flip, nan_ok=True)
    assert ba.disagree == ab.disagree
    assert ba.cohen_dz == pytest.approx(-ab.cohen_dz, nan_ok=True)
    assert ba.p_value == pytest.approx(ab.p_value, nan_ok=True)
    assert ba.p_wilcoxon == pytest.approx(ab.p_wilcoxon, nan_ok=True)
    swap = {"better": "worse", "worse": "better"}
    assert ba.verdict == swap.get(ab.verdict, ab.verdict)
    assert ab.verdict in VERDICTS


# --- verdicts and Holm ------------------------------------------------------------


def test_verdict_strings_are_the_public_contract() -> None:
    assert VERDICTS == ("better", "worse", "no detectable difference", "too few seeds")
    assert decide(0.1, 0.01) == "better"
    assert decide(-0.1, 0.01) == "worse"
    assert decide(0.1, 0.05) == "no detectable difference"  # p < alpha, strictly
    assert decide(0.0, 0.0) == "no detectable difference"
    assert decide(0.1, math.nan) == "no detectable difference"


def test_holm_hand_computed() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04
    # then running max -> 0.02, 0.03, 0.06, 0.06
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02], rtol=1e-15)


def test_holm_keeps_nan_out_of_m_and_caps_at_one() -> None:
    adjusted = holm([0.01, np.nan, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adjusted, [0.03, np.nan, 0.06, 0.06, 0.02], rtol=1e-15)
    np.testing.assert_array_equal(holm([0.5, 0.6]), [1.0, 1.0])
    np.testing.assert_array_equal(holm([]), [])
    np.testing.assert_allclose(holm([0.2, 0.2, 0.2]), [0.6, 0.6, 0.6], rtol=1e-15)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hst.integers(1, 20), elements=hst.floats(0.0, 1.0)))
def test_holm_properties(p: np.ndarray) -> None:
    adjusted = holm(p)
    assert np.all(adjusted >= p) and np.all(adjusted <= 1.0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= 0)  # monotone in p
    assert np.all(adjusted <= np.minimum(1.0, p.size * p))  # never worse than Bonferroni


def test_holm_rejects_values_outside_unit_interval() -> None:
    message = (
        "The 'p_values' parameter of holm must be a 1-D array of values in [0, 1] or nan. "
        "Got [0.5, 1.5] instead."
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        holm([0.5, 1.5])


def test_with_holm_fills_adjusted_p_and_verdicts() -> None:
    strong = paired_comparison(SLEEP_1, SLEEP_2)  # p = 0.0028
    weak = paired_comparison(ACC_A, ACC_B)
    out = with_holm([strong, weak, paired_comparison(SLEEP_2, SLEEP_1)], alpha=0.05)
    expected = holm([strong.p_value, weak.p_value, strong.p_value])
    assert [c.p_holm for c in out] == pytest.approx(expected.tolist())
    assert [c.verdict for c in out] == [decide(c.delta, c.p_holm) for c in out]
    assert out[0].verdict == "better" and out[2].verdict == "worse"
    assert out[0].p_value == strong.p_value  # the raw p is kept
    assert with_holm([]) == []
    # power is planned at the Bonferroni level alpha / k, from the sample sd
    assert all(c.power_alpha == pytest.approx(0.05 / 3) for c in out)
    assert out[1].min_detectable_effect == pytest.approx(
        min_detectable_effect(out[1].sd_diff, out[1].n, 0.05 / 3)
    )
    assert out[1].seeds_needed == seeds_needed(out[1].delta, out[1].sd_diff, 0.05 / 3)
    assert out[1].min_detectable_effect > weak.min_detectable_effect


# --- McNemar ----------------------------------------------------------------------


def test_mcnemar_hand_computed() -> None:
    # 1 example only a got right, 9 only b got right, 20 both, 5 neither.
    a = np.array([1] * 1 + [0] * 9 + [1] * 20 + [0] * 5, dtype=bool)
    b = np.array([0] * 1 + [1] * 9 + [1] * 20 + [0] * 5, dtype=bool)
    r = mcnemar(a, b)
    # exact: 2 P(X <= 1), X ~ Bin(10, 1/2) = 2 (1 + 10) / 1024; chi2 = (|9 - 1| - 1)^2 / 10
    assert r == McNemarResult(n01=9, n10=1, statistic=4.9, p_value=22 / 1024)


def test_mcnemar_textbook_large_counts() -> None:
    # b = 25, c = 15 discordant pairs: corrected chi2 = (10 - 1)^2 / 40 = 2.025.
    a = np.array([1] * 25 + [0] * 15, dtype=bool)
    r = mcnemar(a, ~a)
    assert (r.n01, r.n10) == (15, 25)
    assert r.statistic == pytest.approx(2.025)
    assert r.p_value == pytest.approx(st.binomtest(15, 40).pvalue, rel=1e-15)
    assert r.p_value == pytest.approx(0.1539, abs=1e-4)  # exact binomial, 2-sided


def test_mcnemar_no_discordant_pairs_and_balanced() -> None:
    assert mcnemar([True, False], [True, False]) == McNemarResult(0, 0, 0.0, 1.0)
    r = mcnemar([1, 0, 1, 0], [0, 1, 1, 0])
    assert (r.n01, r.n10, r.statistic, r.p_value) == (1, 1, 0.0, 1.0)


def test_mcnemar_rejects_bad_input() -> None:
    with pytest.raises(ConfigError, match=re.escape("length as 'correct_a' (2). Got length 3")):
        mcnemar([True, False], [True, False, True])
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "The 'correct_b' parameter of mcnemar must be a non-empty 1-D array of booleans. "
            "Got [0.5, 1.0] instead."
        ),
    ):
        mcnemar([True, False], [0.5, 1.0])


# --- power ------------------------------------------------------------------------


@pytest.mark.parametrize(("delta", "n"), [(0.5, 34), (1.0, 10), (0.8, 15), (0.2, 199)])
def test_seeds_needed_matches_gpower(delta: float, n: int) -> None:
    # G*Power / statsmodels TTestPower (two-sided, alpha .05, power .8): d=.5 -> 33.4,
    # d=1 -> 9.9, d=.8 -> 14.3, d=.2 -> 198.2 pairs, rounded up.
    assert seeds_needed(delta, 1.0) == n
    assert seeds_needed(-delta, 1.0) == n
    assert seeds_needed(delta * 0.01, 0.01) == n  # only delta / sd matters
    assert paired_t_power(delta, n) >= 0.8 > paired_t_power(delta, n - 1)


def test_power_known_value() -> None:
    assert paired_t_power(0.5, 34) == pytest.approx(0.8078, abs=1e-4)  # G*Power
    assert paired_t_power(0.0, 10) == pytest.approx(0.05, rel=1e-9)  # size of the test


def test_min_detectable_effect_inverts_power() -> None:
    mde = min_detectable_effect(2.0, 34)
    assert paired_t_power(mde / 2.0, 34) == pytest.approx(0.8, abs=1e-9)
    assert mde / 2.0 < 0.5  # 34 pairs are slightly more than d=.5 needs
    assert min_detectable_effect(0.0, 5) == 0.0
    assert min_detectable_effect(1.0, 2) > min_detectable_effect(1.0, 3)


def test_seeds_needed_edge_cases() -> None:
    assert seeds_needed(0.0, 1.0) is None
    assert seeds_needed(0.1, 0.0) == 2
    assert seeds_needed(1e-6, 1.0, max_n=1000) is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: min_detectable_effect(1.0, 1),
            "The 'n' parameter of min_detectable_effect must be an int in [2, inf). Got 1 instead.",
        ),
        (
            lambda: min_detectable_effect(-1.0, 5),
            "The 'sd_diff' parameter of min_detectable_effect must be a float in [0, inf). "
            "Got -1.0 instead.",
        ),
        (
            lambda: seeds_needed(0.5, 1.0, power=0.01),
            "The 'power' parameter of seeds_needed must be a float in (alpha=0.05, 1). "
            "Got 0.01 instead.",
        ),
        (
            lambda: seeds_needed(0.5, 1.0, max_n=1),
            "The 'max_n' parameter of seeds_needed must be an int in [2, inf). Got 1 instead.",
        ),
    ],
)
def test_power_rejects_bad_input(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        call()
