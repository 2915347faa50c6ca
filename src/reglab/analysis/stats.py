"""Seed statistics: is a difference between two arms real, or seed noise?

Pure functions over 1-D numpy arrays of one metric (test accuracy, say), one value per
seed. Every test statistic and distribution comes from :mod:`scipy.stats`::

    >>> import numpy as np
    >>> from reglab.analysis.stats import describe, paired_comparison, with_holm
    >>> none = np.array([0.9797, 0.9801, 0.9789, 0.9795, 0.9803])
    >>> drop = np.array([0.9807, 0.9812, 0.9799, 0.9810, 0.9806])
    >>> round(describe(drop).mean, 5)
    0.98068
    >>> result = paired_comparison(none, drop)  # arrays are paired: same seeds, same order
    >>> result.verdict
    'better'
    >>> [c.verdict for c in with_holm([result, result])]  # Holm across a study
    ['better', 'better']

NaN values are rejected, not skipped: the caller filters diverged runs and reports how
many it dropped, so that a filtered n is never mistaken for the n that was planned.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats as st

from reglab.analysis.power import min_detectable_effect, power_args, probability, seeds_needed
from reglab.errors import invalid

__all__ = [
    "VERDICTS",
    "McNemarResult",
    "PairedComparison",
    "Summary",
    "Verdict",
    "decide",
    "describe",
    "holm",
    "mcnemar",
    "paired_comparison",
    "with_holm",
]

Verdict = Literal["better", "worse", "no detectable difference"]
VERDICTS: tuple[Verdict, ...] = ("better", "worse", "no detectable difference")


class _Shown(str):
    """A description of a bad value, printed without quotes in the error message."""

    def __repr__(self) -> str:
        return str(self)


def _shown(values: np.ndarray) -> object:
    """The bad value as the message shows it: the list when short, its shape otherwise."""
    if values.ndim == 1 and values.size <= 10:
        return values.tolist()
    return _Shown(f"an array of shape {values.shape}")


def _finite_1d(values: npt.ArrayLike, param: str, owner: str, min_n: int) -> np.ndarray:
    """Validate one metric over seeds: 1-D, at least ``min_n`` values, all finite."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size < min_n:
        raise invalid(param, owner, f"a 1-D array of at least {min_n} values", _shown(arr))
    if not np.all(np.isfinite(arr)):
        constraint = "finite (filter diverged runs first and report how many)"
        raise invalid(param, owner, constraint, _shown(arr))
    return arr


@dataclass(frozen=True)
class Summary:
    """One arm's metric over its seeds: n, mean, std (ddof=1) and a Student-t interval.

    ``ci95`` holds the two-sided interval at ``confidence`` (0.95 unless asked otherwise;
    the name follows summary.json). With n == 1 the spread is unknown: std is 0.0 and the
    interval is (nan, nan), never a zero-width interval that would claim certainty.
    """

    n: int
    mean: float
    std: float
    ci95: tuple[float, float]
    confidence: float = 0.95


def describe(values: npt.ArrayLike, confidence: float = 0.95) -> Summary:
    """Summarize one arm: ``mean ± t_{n-1, (1+c)/2} · std / sqrt(n)`` (Student, 1908).

    >>> [round(x, 4) for x in describe([0.97, 0.98, 0.99]).ci95]
    [0.9552, 1.0048]
    """
    arr = _finite_1d(values, "values", "describe", min_n=1)
    confidence = probability(confidence, "confidence", "describe")
    n, mean = arr.size, float(arr.mean())
    if n == 1:
        return Summary(1, mean, 0.0, (math.nan, math.nan), confidence)
    std = float(arr.std(ddof=1))
    half = float(st.t.ppf((1 + confidence) / 2, n - 1)) * std / math.sqrt(n)
    return Summary(n, mean, std, (mean - half, mean + half), confidence)


def decide(delta: float, p_value: float, alpha: float = 0.05) -> Verdict:
    """The verdict on a comparison: "better"/"worse" when p < alpha, else no detectable one.

    A nan p (undefined test) is never significant.
    """
    if p_value < alpha and delta > 0:
        return "better"
    if p_value < alpha and delta < 0:
        return "worse"
    return "no detectable difference"


@dataclass(frozen=True)
class PairedComparison:
    """Treatment vs baseline over the same seeds; ``delta`` = mean(treatment - baseline).

    ``ci95`` is the 95% paired-t interval whatever ``alpha`` is (its name is the
    summary.json contract). ``p_holm`` equals ``p_value`` until :func:`with_holm` adjusts
    it across a study; ``verdict`` uses ``p_holm``. ``min_detectable_effect`` and
    ``seeds_needed`` use the observed sd of the differences; ``seeds_needed`` is None when
    no n <= 100000 reaches ``power`` (always so when delta == 0).

    When every difference is equal (sd of differences == 0): if all are zero, p_value,
    p_wilcoxon and cohen_dz are nan (identical arms; no test is defined) and the verdict
    is "no detectable difference"; if all equal c != 0, p_value is 0.0, cohen_dz is ±inf
    and ci95 is (c, c).
    """

    n: int
    delta: float
    ci95: tuple[float, float]
    p_value: float
    p_wilcoxon: float
    cohen_dz: float
    p_holm: float
    verdict: Verdict
    min_detectable_effect: float
    seeds_needed: int | None
    alpha: float = 0.05
    power: float = 0.8


def paired_comparison(
    baseline: npt.ArrayLike,
    treatment: npt.ArrayLike,
    alpha: float = 0.05,
    power: float = 0.8,
) -> PairedComparison:
    """Paired t-test (scipy.stats.ttest_rel) and Wilcoxon signed-rank test of treatment
    against baseline, with Cohen's d_z = mean(d) / sd(d) (Cohen, 1988, §2.3.5) and the
    power analysis of :func:`min_detectable_effect` and :func:`seeds_needed`.

    >>> r = paired_comparison([0.70, 0.72, 0.71], [0.73, 0.74, 0.74])
    >>> r.n, round(r.delta, 3), r.verdict
    (3, 0.027, 'better')
    """
    owner = "paired_comparison"
    a = _finite_1d(baseline, "baseline", owner, min_n=2)
    b = _finite_1d(treatment, "treatment", owner, min_n=2)
    if b.size != a.size:
        constraint = f"an array of the same length as 'baseline' ({a.size})"
        raise invalid("treatment", owner, constraint, _Shown(f"length {b.size}"))
    power_args(a.size, alpha, power, owner)
    diff = b - a  # [n] treatment minus baseline, per seed
    delta, n = float(diff.mean()), diff.size
    if np.ptp(diff) == 0:  # every seed moved by the same amount: scipy's t is 0/0 or c/0
        delta = float(diff[0])  # exactly c; the float mean of n copies of c may not be
        p, ci, sd = _constant_difference(delta)
        dz = math.nan if delta == 0 else math.copysign(math.inf, delta)
    else:
        test = st.ttest_rel(b, a)
        low, high = test.confidence_interval(0.95)
        p, ci, sd = float(test.pvalue), (float(low), float(high)), float(diff.std(ddof=1))
        dz = delta / sd
    return PairedComparison(
        n=n,
        delta=delta,
        ci95=ci,
        p_value=p,
        p_wilcoxon=_wilcoxon(diff),
        cohen_dz=dz,
        p_holm=p,
        verdict=decide(delta, p, alpha),
        min_detectable_effect=min_detectable_effect(sd, n, alpha, power),
        seeds_needed=seeds_needed(delta, sd, alpha, power),
        alpha=alpha,
        power=power,
    )


def _constant_difference(c: float) -> tuple[float, tuple[float, float], float]:
    """p, interval and sd when all differences equal c (see PairedComparison)."""
    return (math.nan if c == 0 else 0.0), (c, c), 0.0


def _wilcoxon(diff: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p (scipy's defaults: zero differences dropped).

    nan when every difference is zero: scipy then warns and returns 1.0, which would
    read as evidence of equality rather than as "no test possible".
    """
    if not np.any(diff):
        return math.nan
    nonzero = diff[diff != 0]
    # With ties or zeros scipy's "auto" runs a permutation test that loops in Python:
    # 0.2 s at n=10 but 1.5 s at n=13. Beyond n=10 the tie-corrected normal
    # approximation is close and instant, so use it there.
    ties = len(nonzero) < len(diff) or len(np.unique(nonzero)) < len(nonzero)
    method = "asymptotic" if ties and len(diff) > 10 else "auto"
    return float(st.wilcoxon(diff, alternative="two-sided", method=method).pvalue)


def holm(p_values: npt.ArrayLike) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (Holm, 1979), step-down, in the input order.

    With the m non-nan p's sorted ascending, p_adj_(i) = max_{j<=i} min(1, (m-j+1) p_(j)).
    nan p's stay nan and do not count in m. Reject H_i at level alpha iff p_adj_i < alpha.

    >>> holm([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1 or np.any((p < 0) | (p > 1)):
        raise invalid("p_values", "holm", "a 1-D array of values in [0, 1] or nan", _shown(p))
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    order = valid[np.argsort(p[valid], kind="stable")]
    m = order.size
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def with_holm(
    comparisons: Sequence[PairedComparison], alpha: float = 0.05
) -> list[PairedComparison]:
    """Fill ``p_holm`` and ``verdict`` across one study's comparisons (same family)."""
    alpha = probability(alpha, "alpha", "with_holm")
    adjusted = holm([c.p_value for c in comparisons])
    return [
        dataclasses.replace(c, p_holm=float(p), verdict=decide(c.delta, float(p), alpha))
        for c, p in zip(comparisons, adjusted, strict=True)
    ]


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's test on paired correctness; n01: a wrong, b right; n10: a right, b wrong."""

    n01: int
    n10: int
    statistic: float
    p_value: float


def mcnemar(correct_a: npt.ArrayLike, correct_b: npt.ArrayLike) -> McNemarResult:
    """McNemar (1947) test of two classifiers on the same test examples.

    ``p_value`` is always the exact test: two-sided binomial (scipy.stats.binomtest) of n01
    successes in n01 + n10 discordant pairs at 1/2, valid at every count. ``statistic`` is
    the chi-square with Edwards' continuity correction, max(|n01 - n10| - 1, 0)² / (n01 +
    n10), for reporting only. No discordant pair: statistic 0.0, p 1.0.

    >>> mcnemar([1, 1, 0, 0, 1], [1, 0, 1, 1, 1])
    McNemarResult(n01=2, n10=1, statistic=0.0, p_value=1.0)
    """
    a = np.asarray(correct_a)
    b = np.asarray(correct_b)
    for name, arr in (("correct_a", a), ("correct_b", b)):
        if arr.ndim != 1 or arr.size == 0 or not np.all((arr == 0) | (arr == 1)):
            raise invalid(name, "mcnemar", "a non-empty 1-D array of booleans", _shown(arr))
    if b.size != a.size:
        constraint = f"an array of the same length as 'correct_a' ({a.size})"
        raise invalid("correct_b", "mcnemar", constraint, _Shown(f"length {b.size}"))
    a, b = a.astype(bool), b.astype(bool)
    n01, n10 = int(np.sum(~a & b)), int(np.sum(a & ~b))
    if n01 + n10 == 0:
        return McNemarResult(0, 0, 0.0, 1.0)
    statistic = max(abs(n01 - n10) - 1, 0) ** 2 / (n01 + n10)
    p = float(st.binomtest(n01, n01 + n10, 0.5, alternative="two-sided").pvalue)
    return McNemarResult(n01, n10, float(statistic), p)
