"""Multiplicity: Holm's step-down adjustment of a family of p-values.

>>> holm([0.01, 0.04, 0.03, 0.005]).tolist()
[0.03, 0.06, 0.06, 0.02]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from reglab.analysis._checks import shown
from reglab.errors import invalid

__all__ = ["holm"]


def holm(p_values: npt.ArrayLike) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (Holm, 1979), step-down, in the input order.

    With the m non-nan p's sorted ascending, p_adj_(i) = max_{j<=i} min(1, (m-j+1) p_(j)).
    nan p's stay nan and do not count in m. Reject H_i at level alpha iff p_adj_i < alpha.

    >>> holm([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1 or np.any((p < 0) | (p > 1)):
        raise invalid("p_values", "holm", "a 1-D array of values in [0, 1] or nan", shown(p))
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    order = valid[np.argsort(p[valid], kind="stable")]
    m = order.size
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted
