"""One arm's metric over its seeds: n, mean, sd and a Student-t interval.

    >>> s = describe([0.97, 0.98, 0.99])
    >>> s.n, round(s.mean, 2), [round(x, 4) for x in s.ci95]
    (3, 0.98, [0.9552, 1.0048])

The interval covers seed-to-seed variation of the arm's mean (training noise: init, data
order, dropout masks) on this one test set; see docs/statistics.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy.typing as npt
from scipy import special

from reglab.analysis._checks import finite_1d
from reglab.analysis.power import probability

__all__ = ["Summary", "describe"]


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
    arr = finite_1d(values, "values", "describe", min_n=1)
    confidence = probability(confidence, "confidence", "describe")
    n, mean = arr.size, float(arr.mean())
    if n == 1:
        return Summary(1, mean, 0.0, (math.nan, math.nan), confidence)
    std = float(arr.std(ddof=1))
    # the t quantile as scipy.stats.t.ppf computes it (its _ppf), without importing scipy.stats
    half = float(special.stdtrit(n - 1, (1 + confidence) / 2)) * std / math.sqrt(n)
    return Summary(n, mean, std, (mean - half, mean + half), confidence)
