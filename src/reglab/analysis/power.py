"""Power of the paired t-test: the smallest effect a study can see, and the seeds it needs.

When a comparison ends in "no detectable difference", these say what that means: the
smallest true difference the study's seeds would have detected with 80% power, and how
many seeds the observed difference would need (Cohen 1988, ch. 2; as in G*Power)::

    >>> seeds_needed(0.5, 1.0), seeds_needed(1.0, 1.0)
    (34, 10)

Two things to say beside every number these give:

- They rest on the SAMPLE sd of the paired differences, itself uncertain with few seeds
  (with 5 seeds its 95% interval spans about 0.6x to 2.9x the estimate), so they are
  rough guides, not guarantees.
- They must use the level the verdict uses. With Holm across k comparisons the level a
  comparison faces depends on its rank among the p's, unknown in advance; reglab plans at
  :func:`family_level` = alpha / k (Bonferroni), the level at which Holm is sure to reject
  whatever the rank (Holm rejects every hypothesis Bonferroni rejects), so the power stated
  is a lower bound on the verdict's power.
"""

from __future__ import annotations

import math

import numpy as np

from reglab.errors import invalid

__all__ = [
    "family_level",
    "min_detectable_effect",
    "paired_t_power",
    "power_args",
    "probability",
    "seeds_needed",
]


def probability(value: float, param: str, owner: str) -> float:
    """Check a probability argument (alpha, power) lies in (0, 1)."""
    if not 0 < value < 1:
        raise invalid(param, owner, "a float in (0, 1)", value)
    return float(value)


def paired_t_power(effect: float, n: int, alpha: float = 0.05) -> float:
    """Power of the two-sided paired t-test with n pairs at standardized effect d_z.

    Under the alternative, t follows the noncentral t with n-1 degrees of freedom and
    noncentrality d_z·sqrt(n) (Cohen, 1988, ch. 2; as in G*Power and statsmodels).
    """
    from scipy import stats as st  # ~0.5 s to import: only where a power is computed

    df, nc = n - 1, abs(effect) * math.sqrt(n)
    crit = float(st.t.ppf(1 - alpha / 2, df))
    # P(T < -crit) is written as P(T' > crit) with T' ~ nct(df, -nc), the same quantity
    # by symmetry: scipy's nct.cdf returns nan far in the lower tail (e.g. df=99, nc=10).
    return float(st.nct.sf(crit, df, nc) + st.nct.sf(crit, df, -nc))


def family_level(alpha: float, m: int) -> float:
    """The per-comparison level power is planned at: alpha / m over m comparisons.

    >>> family_level(0.05, 4)
    0.0125
    """
    alpha = probability(alpha, "alpha", "family_level")
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 1:
        raise invalid("m", "family_level", "an int in [1, inf)", m)
    return alpha / int(m)


def power_args(n: int, alpha: float, power: float, owner: str, n_name: str = "n") -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise invalid(n_name, owner, "an int in [2, inf)", n)
    alpha = probability(alpha, "alpha", owner)
    if not alpha < power < 1:
        raise invalid("power", owner, f"a float in (alpha={alpha}, 1)", power)


def min_detectable_effect(sd_diff: float, n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest true mean difference a two-sided paired t-test on n pairs detects with
    the given power, in the metric's units (sd_diff · d_z; 0.0 when sd_diff is 0).

    >>> round(min_detectable_effect(1.0, 34), 3)  # d_z at 34 pairs
    0.495
    """
    power_args(n, alpha, power, "min_detectable_effect")
    if not (math.isfinite(sd_diff) and sd_diff >= 0):
        raise invalid("sd_diff", "min_detectable_effect", "a float in [0, inf)", sd_diff)
    if sd_diff == 0:
        return 0.0
    high = 1.0
    while paired_t_power(high, n, alpha) < power:  # power rises with d; bracket the root
        high *= 2
    from scipy import optimize

    d = optimize.brentq(lambda x: paired_t_power(x, n, alpha) - power, 0.0, high, xtol=1e-12)
    return float(d) * sd_diff


def seeds_needed(
    delta: float,
    sd_diff: float,
    alpha: float = 0.05,
    power: float = 0.8,
    max_n: int = 100_000,
) -> int | None:
    """Smallest n >= 2 pairs at which the paired t-test detects a true mean difference
    ``delta`` (with sd of differences ``sd_diff``) with the given power; None when no
    n <= max_n does (always when delta == 0). sd_diff == 0 and delta != 0 gives 2.

    >>> seeds_needed(0.5, 1.0), seeds_needed(1.0, 1.0)  # G*Power: 34 and 10
    (34, 10)
    """
    power_args(max_n, alpha, power, "seeds_needed", "max_n")
    if not (math.isfinite(sd_diff) and sd_diff >= 0):
        raise invalid("sd_diff", "seeds_needed", "a float in [0, inf)", sd_diff)
    if not math.isfinite(delta):
        raise invalid("delta", "seeds_needed", "a finite float", delta)
    if delta == 0:
        return None
    if sd_diff == 0:
        return 2
    d = abs(delta) / sd_diff
    if paired_t_power(d, max_n, alpha) < power:
        return None
    low, high = 1, max_n  # power(low) < power <= power(high); power rises with n
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if paired_t_power(d, mid, alpha) >= power else (mid, high)
    return high
