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
    >>> result.verdict, result.wilcoxon_can_reject, result.disagree
    ('better', False, True)
    >>> [c.verdict for c in with_holm([result, result])]  # Holm across a study
    ['better', 'better']
    >>> paired_comparison([0.90, 0.91], [0.92, 0.93]).verdict  # 2 seeds, one shift
    'too few seeds'

The verdict's test is the two-sided paired t-test on per-seed values, Holm-adjusted across
the study's comparisons with the baseline. It gives no verdict ("too few seeds") with fewer
than :data:`MIN_SEEDS` pairs or when every pair moved by the same amount (sd of differences
0: the t statistic is c/0 and no spread was observed to compare against). Wilcoxon's
signed-rank test, the sign-flip randomization test, a seed bootstrap interval, d_av and
P(B > A) are shown beside it (see :class:`PairedComparison`).

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
from scipy import special

from reglab.analysis._checks import Shown, paired_arrays
from reglab.analysis.descriptive import Summary, describe
from reglab.analysis.effects import d_av, paired_bootstrap_ci, probability_of_improvement
from reglab.analysis.multiplicity import holm
from reglab.analysis.nonparametric import (
    McNemarResult,
    mcnemar,
    sign_flip_p,
    wilcoxon_min_p,
    wilcoxon_p,
)
from reglab.analysis.power import (
    family_level,
    min_detectable_effect,
    power_args,
    probability,
    seeds_needed,
)

__all__ = [
    "MIN_SEEDS",
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
    "paired_t",
    "too_few_seeds",
    "with_holm",
]

Verdict = Literal["better", "worse", "no detectable difference", "too few seeds"]
VERDICTS: tuple[Verdict, ...] = ("better", "worse", "no detectable difference", "too few seeds")
MIN_SEEDS = 3  # below this many paired seeds no verdict is given

_Shown = Shown  # kept for importers of the old private name


def too_few_seeds(diff: npt.ArrayLike) -> str | None:
    """Why paired differences allow no verdict, or None when they allow one.

    >>> too_few_seeds([0.1, 0.2]), too_few_seeds([0.1, 0.1, 0.1]), too_few_seeds([0, 1, 2])
    ('2 paired seeds (at least 3 needed)', 'every seed moved by the same amount (sd 0)', None)
    """
    d = np.asarray(diff, dtype=np.float64)
    if d.size < MIN_SEEDS:
        return f"{d.size} paired seed{'s' * (d.size != 1)} (at least {MIN_SEEDS} needed)"
    if np.ptp(d) == 0:
        return "every seed moved by the same amount (sd 0)"
    return None


@dataclass(frozen=True)
class PairedComparison:
    """Treatment vs baseline over the same seeds; ``delta`` = mean(treatment - baseline).

    The verdict's test (paired t, Holm across the study):
      ``p_value`` two-sided paired-t p; ``ci95`` its 95% interval whatever ``alpha`` is (the
      name is the summary.json contract); ``p_holm`` equals ``p_value`` until
      :func:`with_holm` adjusts it; ``verdict`` = better/worse when p_holm < alpha, else
      "no detectable difference"; "too few seeds" (``too_few`` says why) with fewer than
      MIN_SEEDS pairs or sd(d) == 0, and then p_value, ci95, p_holm, cohen_dz and the
      power fields are nan/None: no p, no interval, no "p < 0.001".
    Shown beside it, never deciding it:
      ``p_wilcoxon`` (signed rank) and ``p_wilcoxon_holm`` (Holm over the same family);
      ``wilcoxon_min_p`` its smallest attainable p at this n and ``wilcoxon_can_reject``
      whether that is < alpha (False at 5 seeds: 0.0625); ``disagree`` is True when t and
      Wilcoxon, both Holm-adjusted, fall on different sides of alpha. ``p_sign_flip`` is
      the exact randomization test over seeds (replaces pooled McNemar). ``boot_ci95`` the
      seed-bootstrap percentile interval; ``prob_improvement`` P(treatment run > baseline
      run); ``d_av`` = delta / mean arm sd; ``cohen_dz`` = delta / sd(d), the paired-t
      effect, not on Cohen's d scale (no size labels).
    Power: ``min_detectable_effect`` and ``seeds_needed`` at ``power_alpha`` (alpha / k
    over the k comparisons of the family, see :func:`reglab.analysis.power.family_level`),
    from the SAMPLE sd ``sd_diff``; ``seeds_needed`` is None when no n <= 100000 reaches
    ``power``.
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
    too_few: str | None = None
    sd_diff: float = math.nan
    power_alpha: float = 0.05
    d_av: float = math.nan
    p_sign_flip: float = math.nan
    p_wilcoxon_holm: float = math.nan
    wilcoxon_min_p: float = math.nan
    wilcoxon_can_reject: bool = False
    disagree: bool = False
    boot_ci95: tuple[float, float] = (math.nan, math.nan)
    prob_improvement: float = math.nan


def paired_comparison(
    baseline: npt.ArrayLike,
    treatment: npt.ArrayLike,
    alpha: float = 0.05,
    power: float = 0.8,
    *,
    plan: bool = True,
    secondary: bool = True,
) -> PairedComparison:
    """Paired t-test (as scipy.stats.ttest_rel) of treatment against baseline, the
    "too few seeds" rule, and the secondary numbers of :class:`PairedComparison`.

    ``plan=False`` skips the power analysis (nan / None) and ``secondary=False`` the
    numbers shown beside the verdict (nan; ``disagree`` False): for simulations, where
    only the verdict is wanted.

    >>> r = paired_comparison([0.70, 0.72, 0.71], [0.73, 0.74, 0.74])
    >>> r.n, round(r.delta, 3), r.verdict
    (3, 0.027, 'better')
    """
    owner = "paired_comparison"
    a, b = paired_arrays(baseline, treatment, owner, min_n=1)
    power_args(max(a.size, 2), alpha, power, owner)
    diff = b - a  # [n] treatment minus baseline, per seed
    delta, n = float(diff.mean()), diff.size
    extra = _secondary(a, b, alpha) if secondary else PairedComparison(
        n, math.nan, (math.nan, math.nan), math.nan, math.nan, math.nan, math.nan,
        "too few seeds", math.nan, None, alpha, power,
    )  # fmt: skip
    reason = too_few_seeds(diff)
    if reason is not None:
        if n and np.ptp(diff) == 0:
            delta = float(diff[0])  # exactly c; the float mean of n copies may not be
        sd = float(diff.std(ddof=1)) if n > 1 else math.nan
        return dataclasses.replace(  # descriptions kept; no p-value, interval or plan
            extra, delta=delta, too_few=reason, sd_diff=sd, power=power,
            p_wilcoxon=math.nan, p_wilcoxon_holm=math.nan, p_sign_flip=math.nan,
        )  # fmt: skip
    p, (low, high) = paired_t(diff)
    sd = float(diff.std(ddof=1))
    comp = dataclasses.replace(
        extra,
        n=n,
        delta=delta,
        ci95=(low, high),
        p_value=p,
        cohen_dz=delta / sd,
        p_holm=p,
        verdict=decide(delta, p, alpha),
        alpha=alpha,
        power=power,
        sd_diff=sd,
    )
    comp = _with_disagreement(comp) if secondary else comp
    return _planned(comp, 1) if plan else comp


def paired_t(diff: np.ndarray, confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Two-sided one-sample t-test of mean(diff) = 0 and its interval: what
    scipy.stats.ttest_rel gives for the pairs, from the t CDF (scipy.special.stdtr) without
    the per-call overhead of scipy.stats (1 ms; simulations call this millions of times).
    Needs sd(diff) > 0 and at least 2 values (callers apply :func:`too_few_seeds`).

    >>> p, ci = paired_t(np.array([1.0, 2.0, 3.0]))
    >>> round(p, 4), [round(x, 3) for x in ci]
    (0.0742, [-0.484, 4.484])
    """
    n = diff.size
    mean, se = float(diff.mean()), float(diff.std(ddof=1)) / math.sqrt(n)
    t = mean / se
    half = float(special.stdtrit(n - 1, (1 + confidence) / 2)) * se  # t quantile
    return float(2 * special.stdtr(n - 1, -abs(t))), (mean - half, mean + half)


def _secondary(a: np.ndarray, b: np.ndarray, alpha: float) -> PairedComparison:
    """A comparison holding only the secondary numbers (the rest filled by the caller)."""
    diff = b - a
    p_w = wilcoxon_p(diff) if diff.size else math.nan
    min_p = wilcoxon_min_p(diff) if diff.size else math.nan
    return PairedComparison(
        n=diff.size, delta=math.nan, ci95=(math.nan, math.nan), p_value=math.nan,
        p_wilcoxon=p_w, cohen_dz=math.nan, p_holm=math.nan, verdict="too few seeds",
        min_detectable_effect=math.nan, seeds_needed=None, alpha=alpha,
        d_av=d_av(a, b), p_sign_flip=sign_flip_p(diff) if diff.size else math.nan,
        p_wilcoxon_holm=p_w, wilcoxon_min_p=min_p, wilcoxon_can_reject=bool(min_p < alpha),
        boot_ci95=paired_bootstrap_ci(a, b, n_boot=2000),
        prob_improvement=probability_of_improvement(a, b) if diff.size else math.nan,
    )  # fmt: skip


def _with_disagreement(c: PairedComparison) -> PairedComparison:
    t_rejects = c.p_holm < c.alpha
    w_rejects = c.p_wilcoxon_holm < c.alpha
    return dataclasses.replace(c, disagree=bool(t_rejects != w_rejects))


def _planned(c: PairedComparison, m: int) -> PairedComparison:
    """Power analysis at alpha / m from the sample sd of the differences."""
    level = family_level(c.alpha, m)
    return dataclasses.replace(
        c,
        power_alpha=level,
        min_detectable_effect=min_detectable_effect(c.sd_diff, c.n, level, c.power),
        seeds_needed=seeds_needed(c.delta, c.sd_diff, level, c.power),
    )


def decide(delta: float, p_value: float, alpha: float = 0.05) -> Verdict:
    """The verdict on a tested comparison: "better"/"worse" when p < alpha, else no
    detectable difference. A nan p (undefined test) is never significant. ("too few
    seeds" is decided before any test, by :func:`too_few_seeds`.)
    """
    if p_value < alpha and delta > 0:
        return "better"
    if p_value < alpha and delta < 0:
        return "worse"
    return "no detectable difference"


def with_holm(
    comparisons: Sequence[PairedComparison], alpha: float = 0.05, *, plan: bool = True
) -> list[PairedComparison]:
    """Fill ``p_holm``, ``p_wilcoxon_holm``, ``verdict``, ``disagree`` and the power
    analysis (at alpha / k, k = comparisons with a verdict) across one study's
    comparisons (one family). "too few seeds" comparisons stay so and do not count in k.
    """
    alpha = probability(alpha, "alpha", "with_holm")
    tested = [c.verdict != "too few seeds" for c in comparisons]
    p_t = holm([c.p_value if ok else math.nan for c, ok in zip(comparisons, tested, strict=True)])
    p_w = holm(
        [c.p_wilcoxon if ok else math.nan for c, ok in zip(comparisons, tested, strict=True)]
    )
    k = max(1, sum(tested))
    out = []
    for c, ok, pt, pw in zip(comparisons, tested, p_t, p_w, strict=True):
        if not ok:
            out.append(dataclasses.replace(c, alpha=alpha))
            continue
        c = dataclasses.replace(
            c, p_holm=float(pt), p_wilcoxon_holm=float(pw), alpha=alpha,
            verdict=decide(c.delta, float(pt), alpha),
            wilcoxon_can_reject=bool(c.wilcoxon_min_p < alpha),
        )  # fmt: skip
        c = _with_disagreement(c)
        out.append(_planned(c, k) if plan else c)
    return out
