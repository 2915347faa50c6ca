"""Paired tests of the secondary metrics (gap, sparsity, time per step) against the baseline.

A report that ranks arms by gap, sparsity or speed makes comparative claims; each rests on
a paired t-test over seeds, Holm-adjusted across the study's arms within that metric (one
family per metric), with the same "too few seeds" rule as the verdict::

    >>> import numpy as np
    >>> tests = paired_metric_tests(
    ...     {"l2": (np.array([0.10, 0.12, 0.11]), np.array([0.05, 0.06, 0.06]))}, alpha=0.05)
    >>> tests["l2"].verdict, round(tests["l2"].delta, 3)
    ('lower', -0.053)

Time: ``seconds`` in epochs.csv is the pack's wall time for one epoch divided by its
members, and the first epoch carries one-time start-up (allocation, kernel selection), so
:func:`step_seconds` leaves epoch 1 out and divides by the steps per epoch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from reglab.analysis.multiplicity import holm
from reglab.analysis.results import Paired
from reglab.analysis.stats import paired_t, too_few_seeds

__all__ = ["paired_metric_tests", "step_seconds"]


def paired_metric_tests(
    values: Mapping[str, tuple[np.ndarray, np.ndarray]], alpha: float
) -> dict[str, Paired]:
    """arm -> (baseline values, arm values) over the same seeds -> Holm-adjusted tests.

    Non-finite pairs are dropped first; arms with too few pairs (or sd(d) 0) get
    "too few seeds" and do not count in the family.
    """
    raw: dict[str, tuple[int, float | None, tuple[float, float], float]] = {}
    for name, (base, arm) in values.items():
        keep = np.isfinite(base) & np.isfinite(arm)
        diff = (np.asarray(arm, float) - np.asarray(base, float))[keep]  # [n]
        delta = float(diff.mean()) if diff.size else None
        if too_few_seeds(diff) is not None:
            raw[name] = (diff.size, delta, (math.nan, math.nan), math.nan)
            continue
        p, ci = paired_t(diff)
        raw[name] = (diff.size, delta, ci, p)
    adjusted = holm([r[3] for r in raw.values()]) if raw else np.array([])
    out = {}
    for (name, (n, delta, ci, p)), p_adj in zip(raw.items(), adjusted, strict=True):
        out[name] = Paired(n, delta, _ci(ci), _f(p), _f(p_adj), _verdict(delta, p_adj, alpha))
    return out


def _verdict(delta: float | None, p_holm: float, alpha: float) -> str:
    if delta is None or math.isnan(p_holm):
        return "too few seeds"
    if p_holm < alpha:
        return "higher" if delta > 0 else "lower"
    return "no detectable difference"


def _f(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _ci(ci: tuple[float, float]) -> tuple[float | None, float | None]:
    return (_f(ci[0]), _f(ci[1]))


def step_seconds(epochs: pd.DataFrame, steps_per_epoch: int) -> pd.Series:
    """Per run_id: mean seconds per training step over epochs 2.. (NaN with one epoch)."""
    if epochs.empty or "seconds" not in epochs:
        return pd.Series(dtype=float)
    later = epochs[epochs["epoch"] >= 2]
    per_run = later.groupby("run_id")["seconds"].mean() / max(1, steps_per_epoch)
    return per_run.reindex(epochs["run_id"].unique())


def step_range(
    epochs: pd.DataFrame, run_ids: list[str], steps_per_epoch: int
) -> tuple[float | None, float | None]:
    """The smallest and largest per-step time of one arm's runs over epochs 2.."""
    rows = epochs[(epochs["epoch"] >= 2) & epochs["run_id"].isin(run_ids)]["seconds"]
    rows = rows[np.isfinite(rows)]
    if rows.empty:
        return (None, None)
    per = max(1, steps_per_epoch)
    return (float(rows.min()) / per, float(rows.max()) / per)
