"""Is an arm's gain larger in one setting than in another? A test, not two point estimates.

A demo's trend claim ("Dropout's gain is larger with fewer training images") compares the
paired per-seed differences (arm − baseline) of two settings — two separate studies, so two
independent samples — with Welch's t-test, and holds only when the gain is larger *and*
the test rejects equal gains at 5%::

    >>> gains = seed_gains(summary_small, "dropout=0.5")        # [per-seed Δ]
    >>> check = larger_gain("Dropout's gain is larger with fewer images",
    ...                     gains, seed_gains(summary_large, "dropout=0.5"), "100", "1200")
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from reglab.analysis.results import StudySummary
from reglab.demos.base import Check
from reglab.report import numbers

__all__ = ["larger_gain", "seed_gains"]


def seed_gains(summary: StudySummary, arm: str) -> list[float]:
    """``arm`` − baseline test accuracy per seed, over the seeds both finished."""

    def by_seed(name: str) -> dict[int, float]:
        runs = summary.arm(name).runs
        return {r.seed: r.test_acc for r in runs if r.status == "ok" and r.test_acc is not None}

    mine, base = by_seed(arm), by_seed(summary.baseline)
    return [mine[s] - base[s] for s in sorted(mine.keys() & base.keys())]


def larger_gain(
    claim: str, larger: Sequence[float], smaller: Sequence[float], where: str, than: str
) -> Check:
    """``claim``: the gains ``larger`` (at ``where``) exceed ``smaller`` (at ``than``);
    held when their mean is higher and Welch's two-sided p < 0.05."""
    a, b = np.asarray(larger, dtype=float), np.asarray(smaller, dtype=float)
    if len(a) < 2 or len(b) < 2:
        return Check(claim, False, f"too few seeds ({len(a)} and {len(b)}) to test")
    diff = float(a.mean() - b.mean())
    p = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
    p = 1.0 if np.isnan(p) else p  # identical constant samples: no evidence either way
    detail = (
        f"Δ {numbers.pp(float(a.mean()))} at {where}, {numbers.pp(float(b.mean()))} at {than}; "
        f"difference {numbers.pp(diff)}, Welch p = {p:.2g}"
    )
    return Check(claim, diff > 0 and p < 0.05, detail)
