"""Argument checks shared by the statistics modules (private): one message format.

>>> finite_1d([0.97, 0.98], "values", "describe", min_n=1).tolist()
[0.97, 0.98]
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from reglab.errors import invalid

__all__ = ["Shown", "finite_1d", "margin_arg", "paired_arrays", "shown"]


class Shown(str):
    """A description of a bad value, printed without quotes in the error message."""

    def __repr__(self) -> str:
        return str(self)


def shown(values: np.ndarray) -> object:
    """The bad value as the message shows it: the list when short, its shape otherwise."""
    if values.ndim == 1 and values.size <= 10:
        return values.tolist()
    return Shown(f"an array of shape {values.shape}")


def finite_1d(values: npt.ArrayLike, param: str, owner: str, min_n: int) -> np.ndarray:
    """Validate one metric over seeds: 1-D, at least ``min_n`` values, all finite."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size < min_n:
        raise invalid(param, owner, f"a 1-D array of at least {min_n} values", shown(arr))
    if not np.all(np.isfinite(arr)):
        constraint = "finite (filter diverged runs first and report how many)"
        raise invalid(param, owner, constraint, shown(arr))
    return arr


def paired_arrays(
    baseline: npt.ArrayLike, treatment: npt.ArrayLike, owner: str, min_n: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Two metrics over the same seeds, in the same order: equal lengths, finite."""
    a = finite_1d(baseline, "baseline", owner, min_n)
    b = finite_1d(treatment, "treatment", owner, min_n)
    if b.size != a.size:
        constraint = f"an array of the same length as 'baseline' ({a.size})"
        raise invalid("treatment", owner, constraint, Shown(f"length {b.size}"))
    return a, b


def margin_arg(margin: float, owner: str) -> float:
    """An equivalence margin: a finite float > 0, in the metric's units."""
    if isinstance(margin, bool) or not (math.isfinite(margin) and margin > 0):
        raise invalid("margin", owner, "a float in (0, inf) in the metric's units", margin)
    return float(margin)
