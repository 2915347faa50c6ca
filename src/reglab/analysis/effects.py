"""How large a paired difference is, and how sure: effect sizes, P(A > B), bootstrap CI.

All take two metrics over the same seeds in the same order (baseline, treatment)::

    >>> a = [0.70, 0.72, 0.71, 0.69]
    >>> b = [0.73, 0.74, 0.74, 0.70]
    >>> round(d_av(a, b), 2), round(d_z(a, b), 2), probability_of_improvement(a, b)
    (1.41, 2.35, 0.84375)
    >>> [round(x, 4) for x in paired_bootstrap_ci(a, b)]
    [0.015, 0.03]

- ``d_av`` = mean(d) / ((sd_a + sd_b) / 2) (Cumming, 2012; Lakens, 2013, eq. 10): the
  difference in units of the arms' own seed-to-seed spread, comparable with a two-group d.
- ``d_z`` = mean(d) / sd(d) is the paired-t effect (Cohen, 1988, §2.3.5): it grows as the
  pairing removes shared seed noise, so it is not on Cohen's d scale and carries no
  "small/medium/large" label here.
- :func:`probability_of_improvement` is rliable's P(B > A) (Agarwal et al., 2021): the share
  of (baseline run, treatment run) pairs, across seeds, where treatment is higher, ties 1/2
  (the Mann-Whitney U over n·n).
- :func:`paired_bootstrap_ci` resamples seeds (pairs stay together) and takes percentiles
  of the mean difference (Efron & Tibshirani, 1993, ch. 13). It assumes nothing about the
  shape of d but with few seeds it is too narrow (it cannot see values beyond the observed
  ones); it is shown beside the t interval, not used for the verdict.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from reglab.analysis._checks import paired_arrays
from reglab.analysis.power import probability
from reglab.errors import invalid

__all__ = ["d_av", "d_z", "paired_bootstrap_ci", "probability_of_improvement"]


def d_z(baseline: npt.ArrayLike, treatment: npt.ArrayLike) -> float:
    """mean(d) / sd(d), ddof=1; nan with n < 2 or sd(d) == 0 (undefined, not infinite)."""
    a, b = paired_arrays(baseline, treatment, "d_z")
    diff = b - a
    if diff.size < 2 or np.ptp(diff) == 0:
        return math.nan
    return float(diff.mean() / diff.std(ddof=1))


def d_av(baseline: npt.ArrayLike, treatment: npt.ArrayLike) -> float:
    """mean(d) / mean of the two arms' sds (ddof=1); nan with n < 2 or both sds zero."""
    a, b = paired_arrays(baseline, treatment, "d_av")
    if a.size < 2:
        return math.nan
    spread = (a.std(ddof=1) + b.std(ddof=1)) / 2
    return math.nan if spread == 0 else float((b - a).mean() / spread)


def probability_of_improvement(baseline: npt.ArrayLike, treatment: npt.ArrayLike) -> float:
    """P(treatment run > baseline run) over all n·n run pairs, ties counted 1/2.

    Equals scipy.stats.mannwhitneyu(treatment, baseline).statistic / n**2.
    """
    a, b = paired_arrays(baseline, treatment, "probability_of_improvement")
    wins = (b[:, None] > a[None, :]).sum() + 0.5 * (b[:, None] == a[None, :]).sum()
    return float(wins / (a.size * b.size))


def paired_bootstrap_ci(
    baseline: npt.ArrayLike,
    treatment: npt.ArrayLike,
    confidence: float = 0.95,
    n_boot: int = 10_000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile interval of mean(d) over ``n_boot`` resamples of the seeds, with
    replacement, from ``numpy.random.default_rng(seed)`` (so the same data give the same
    interval). (nan, nan) with fewer than 2 seeds.
    """
    owner = "paired_bootstrap_ci"
    a, b = paired_arrays(baseline, treatment, owner)
    confidence = probability(confidence, "confidence", owner)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 100:
        raise invalid("n_boot", owner, "an int in [100, inf)", n_boot)
    diff = b - a  # [n]
    if diff.size < 2:
        return (math.nan, math.nan)
    idx = np.random.default_rng(seed).integers(0, diff.size, size=(int(n_boot), diff.size))
    means = diff[idx].mean(axis=1)  # [n_boot]
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return (float(low), float(high))
