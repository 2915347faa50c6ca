"""A demo's comparison claim as a test, not two point estimates.

Two arms of one study share their seeds (the same initial weights, data order and masks per
seed), so "arm A's gap is smaller than arm B's" is a **paired** t-test over seeds of the
per-seed values; "a seed ensemble beats its members" sets one value (the ensemble's) against
its K members' values, a **one-sample** t-test of the members against it. A claim holds only
when the difference has the direction it states *and* the two-sided test rejects "no
difference" at 5%; the detail says the statistic, its degrees of freedom, p and n::

    >>> test = paired_test(gap["dropout"], gap["none"])       # per-seed values, seed order
    >>> Check("Dropout shrinks the gap", test.shows("lower"), f"... ; {test.text()}")
    >>> value_test(ensemble_nll, member_nlls).shows("lower")  # the ensemble below its members

Across two settings (two studies: independent samples), "the gain is larger here than
there" is Welch's t-test of the per-seed gains (arm − baseline), :func:`larger_gain`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from reglab.analysis.results import StudySummary
from reglab.demos.base import Check
from reglab.report import numbers
from reglab.store import RunRecord, StudyDir

__all__ = [
    "ALPHA",
    "TTest",
    "arm_test",
    "epoch_test",
    "larger_gain",
    "mean_test",
    "paired_test",
    "per_seed",
    "seed_gains",
    "seed_pairs",
    "train_test_gap",
    "value_test",
]

ALPHA = 0.05
Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class TTest:
    """A two-sided t-test of a mean difference ``diff`` (first minus second): statistic ``t``
    on ``n - 1`` degrees of freedom, ``p``; ``kind`` says which test, ``unit`` what n counts."""

    kind: str
    diff: float
    t: float
    p: float
    n: int
    unit: str = "seeds"

    def shows(self, direction: Direction) -> bool:
        """The difference is ``direction`` (of the first vs the second) and p < 0.05."""
        if self.n < 2 or not np.isfinite(self.diff) or self.p >= ALPHA:
            return False
        return self.diff > 0 if direction == "higher" else self.diff < 0

    def text(self) -> str:
        """ "paired t(4) = -3.10, p = 0.036, n = 5 seeds" (or why there is no test)."""
        if self.n < 2:
            return f"n = {self.n} {self.unit}: too few to test"
        return f"{self.kind} t({self.n - 1}) = {self.t:.3g}, p = {self.p:.2g}, n = {self.n} {self.unit}"


def paired_test(a: npt.ArrayLike, b: npt.ArrayLike, unit: str = "seeds") -> TTest:
    """Paired t-test (scipy's ``ttest_rel``) of ``a − b`` over pairs (same index, same seed);
    pairs where either value is missing (NaN) are left out."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)  # [n] each
    if x.shape != y.shape:
        raise ValueError(f"paired samples must have the same length; got {len(x)} and {len(y)}")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) < 2:
        return TTest(
            "paired", float(np.mean(x - y)) if len(x) else np.nan, np.nan, 1.0, len(x), unit
        )
    res = stats.ttest_rel(x, y)
    return TTest("paired", float(np.mean(x - y)), *_finite(res.statistic, res.pvalue), len(x), unit)


def value_test(value: float, sample: npt.ArrayLike, unit: str = "members") -> TTest:
    """One-sample t-test (scipy's ``ttest_1samp``) of ``value − sample``: is the one value
    (an ensemble's score) above or below the sample's mean (its members' scores)?"""
    x = np.asarray(sample, dtype=float)
    x = x[np.isfinite(x)]  # [n]
    diff = float(value - np.mean(x)) if len(x) else np.nan
    if len(x) < 2:
        return TTest("one-sample", diff, np.nan, 1.0, len(x), unit)
    res = stats.ttest_1samp(x, value)  # tests mean(sample) − value: flip its sign
    t, p = _finite(res.statistic, res.pvalue)
    return TTest("one-sample", diff, -t, p, len(x), unit)


def mean_test(sample: npt.ArrayLike, value: float, unit: str = "seeds") -> TTest:
    """One-sample t-test of ``sample − value``: is the sample's mean above or below a fixed
    ``value`` (a threshold the claim names, such as the epoch budget)?"""
    flipped = value_test(value, sample, unit)
    return TTest("one-sample", -flipped.diff, -flipped.t, flipped.p, flipped.n, unit)


def seed_pairs(a: Mapping[int, float], b: Mapping[int, float]) -> tuple[list[float], list[float]]:
    """Two arms' per-seed values (seed → value) as two lists over the seeds both have."""
    seeds = sorted(a.keys() & b.keys())
    return [a[s] for s in seeds], [b[s] for s in seeds]


def per_seed(directory: Path, arm: str, value: Callable[[RunRecord], float]) -> dict[int, float]:
    """``value`` of each finished run of ``arm`` in the study at ``directory``, by seed."""
    runs = StudyDir(directory).run_records()
    return {r.seed: float(value(r)) for r in runs if r.arm == arm and r.status == "ok"}


def arm_test(
    directory: Path, arm: str, reference: str, value: Callable[[RunRecord], float]
) -> TTest:
    """Paired t-test over seeds of ``value`` in ``arm`` minus ``reference`` (one study)."""
    mine, theirs = seed_pairs(
        per_seed(directory, arm, value), per_seed(directory, reference, value)
    )
    return paired_test(mine, theirs)


def epoch_test(directory: Path, arm: str, reference: str, field: str, epoch: int) -> TTest:
    """Paired t-test over seeds of an :class:`EpochRecord` ``field`` (``"val_acc"``) at
    ``epoch`` (1-based), ``arm`` minus ``reference``; seeds that stopped before it are left out."""
    records = [r for r in StudyDir(directory).epoch_records() if r.epoch == epoch]

    def at(name: str) -> dict[int, float]:
        return {r.seed: float(getattr(r, field)) for r in records if r.arm == name}

    return paired_test(*seed_pairs(at(arm), at(reference)))


def seed_gains(summary: StudySummary, arm: str) -> list[float]:
    """``arm`` − baseline test accuracy per seed, over the seeds both finished."""

    def by_seed(name: str) -> dict[int, float]:
        runs = summary.arm(name).runs
        return {r.seed: r.test_acc for r in runs if r.status == "ok" and r.test_acc is not None}

    mine, base = seed_pairs(by_seed(arm), by_seed(summary.baseline))
    return [m - b for m, b in zip(mine, base, strict=True)]


def larger_gain(
    claim: str, larger: Sequence[float], smaller: Sequence[float], where: str, than: str
) -> Check:
    """``claim``: the gains ``larger`` (at ``where``) exceed ``smaller`` (at ``than``), two
    settings' studies; held when their mean is higher and Welch's two-sided p < 0.05."""
    a, b = np.asarray(larger, dtype=float), np.asarray(smaller, dtype=float)
    if len(a) < 2 or len(b) < 2:
        return Check(claim, False, f"too few seeds ({len(a)} and {len(b)}) to test")
    diff = float(a.mean() - b.mean())
    _, p = _finite(*stats.ttest_ind(a, b, equal_var=False))
    detail = (
        f"Δ {numbers.pp(float(a.mean()))} at {where}, {numbers.pp(float(b.mean()))} at {than}; "
        f"difference {numbers.pp(diff)}, Welch p = {p:.2g}"
    )
    return Check(claim, diff > 0 and p < ALPHA, detail)


def train_test_gap(run: RunRecord) -> float:
    """Train minus test accuracy of one run (both measured without dropout)."""
    return run.train_acc - run.test_acc


def _finite(t: float, p: float) -> tuple[float, float]:
    """Identical samples (every difference the same) leave scipy's t undefined (0/0): no
    evidence either way, p = 1. A constant non-zero difference gives t = ±inf, p = 0."""
    t, p = float(t), float(p)
    return (0.0, 1.0) if np.isnan(p) else (t, p)
