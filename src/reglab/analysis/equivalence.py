"""Equivalence over seeds: TOST, "equivalent within ±m", never a failed difference test.

A difference test that fails to reject says nothing about equality (with 5 seeds almost
every arm "fails to differ"). Two one-sided paired t-tests (Schuirmann, 1987) test
H0: |mean(d)| >= m against H1: |mean(d)| < m; both must reject at alpha. Equivalently,
the (1 - 2 alpha) paired-t interval of mean(d) lies inside (-m, m)::

    >>> e = tost_paired([0.970, 0.972, 0.971, 0.973, 0.969],
    ...                 [0.971, 0.972, 0.972, 0.972, 0.970], margin=0.005)
    >>> e.verdict, round(e.p_value, 5)
    ('equivalent', 0.00016)

The margin is in the metric's units (0.005 = 0.5 pp of accuracy) and is the user's
statement of "too small to matter"; :data:`DEFAULT_MARGIN` is reglab's default. The same
"too few seeds" rule as the verdict applies (fewer than MIN_SEEDS pairs, or sd(d) == 0:
no claim). Equal to statsmodels' ``ttost_paired(treatment, baseline, -m, m)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy.typing as npt
from scipy import special

from reglab.analysis._checks import margin_arg, paired_arrays
from reglab.analysis.power import probability
from reglab.analysis.stats import too_few_seeds

__all__ = ["DEFAULT_MARGIN", "EQUIVALENCE_VERDICTS", "Equivalence", "tost_paired"]

DEFAULT_MARGIN = 0.005  # 0.5 pp of accuracy
EquivalenceVerdict = Literal["equivalent", "not shown equivalent", "too few seeds"]
EQUIVALENCE_VERDICTS: tuple[EquivalenceVerdict, ...] = (
    "equivalent",
    "not shown equivalent",
    "too few seeds",
)


@dataclass(frozen=True)
class Equivalence:
    """TOST of mean(treatment - baseline) inside (-margin, margin).

    ``p_lower`` tests H0: mean(d) <= -margin, ``p_upper`` H0: mean(d) >= margin;
    ``p_value`` = max of the two. ``ci`` is the (1 - 2 alpha) paired-t interval (90% at
    alpha = 0.05). ``verdict`` is "equivalent" ("equivalent within ±margin") iff
    p_value < alpha; "too few seeds" (``too_few`` says why) leaves p's and ci nan.
    """

    n: int
    delta: float
    margin: float
    alpha: float
    p_lower: float
    p_upper: float
    p_value: float
    ci: tuple[float, float]
    verdict: EquivalenceVerdict
    too_few: str | None = None

    @property
    def equivalent(self) -> bool:
        return self.verdict == "equivalent"


def tost_paired(
    baseline: npt.ArrayLike,
    treatment: npt.ArrayLike,
    margin: float = DEFAULT_MARGIN,
    alpha: float = 0.05,
) -> Equivalence:
    """Two one-sided paired t-tests of treatment - baseline against ±margin (see module)."""
    owner = "tost_paired"
    a, b = paired_arrays(baseline, treatment, owner, min_n=1)
    margin = margin_arg(margin, owner)
    alpha = probability(alpha, "alpha", owner)
    diff = b - a  # [n]
    n, delta = diff.size, float(diff.mean())
    reason = too_few_seeds(diff)
    if reason is not None:
        nan2 = (math.nan, math.nan)
        return Equivalence(
            n, delta, margin, alpha, math.nan, math.nan, math.nan, nan2, "too few seeds", reason
        )
    se = float(diff.std(ddof=1)) / math.sqrt(n)
    df = n - 1
    # the t CDF from scipy.special: scipy.stats' distributions cost ~0.2 ms a call
    p_lower = float(special.stdtr(df, -(delta + margin) / se))  # H0: mean(d) <= -m
    p_upper = float(special.stdtr(df, (delta - margin) / se))  # H0: mean(d) >= m
    half = float(special.stdtrit(df, 1 - alpha)) * se
    p = max(p_lower, p_upper)
    verdict: EquivalenceVerdict = "equivalent" if p < alpha else "not shown equivalent"
    return Equivalence(
        n, delta, margin, alpha, p_lower, p_upper, p, (delta - half, delta + half), verdict
    )
