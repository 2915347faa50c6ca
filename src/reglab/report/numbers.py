"""How the report writes numbers: accuracies in %, differences in percentage points.

Every formatter takes None or a non-finite float (JSON null, an undefined statistic) and
writes "n/a" for it, so no caller has to check::

    >>> pct(0.8367), pp(-0.0185), p_value(0.0034), p_value(None)
    ('83.67%', '-1.85 pp', '0.003', 'n/a')

Intervals are clipped to the values their quantity can take: a t-interval of an accuracy
(a share) can reach past 100% with few seeds, and is written as it is clipped::

    >>> interval_pct([0.6408, 1.0259]), clipped([0.6408, 1.0259])
    ('[64.08, 100.00]%', True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "DIFFERENCE",
    "NA",
    "SHARE",
    "clip_interval",
    "clipped",
    "finite",
    "interval_pct",
    "interval_pp",
    "p_value",
    "pct",
    "plain_pp",
    "pp",
    "ratio",
    "seconds",
]

NA = "n/a"
SHARE = (0.0, 1.0)  # the values a share (an accuracy, a sparsity) can take
DIFFERENCE = (-1.0, 1.0)  # the values a difference of two shares can take


def _shown(value: float, digits: int) -> float:
    """``100 * value`` rounded as shown, with no negative zero ('-0.00' reads as a loss)."""
    return round(100 * value, digits) + 0.0


def finite(value: Any) -> float | None:
    """The value as a float when it is a finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def pct(value: Any, digits: int = 2) -> str:
    """A share as a percentage: 0.8367 -> '83.67%'."""
    v = finite(value)
    return NA if v is None else f"{100 * v:.{digits}f}%"


def pp(value: Any, digits: int = 2) -> str:
    """A difference of shares in signed percentage points: -0.0185 -> '-1.85 pp'."""
    v = finite(value)
    return NA if v is None else f"{_shown(v, digits):+.{digits}f} pp"


def plain_pp(value: Any, digits: int = 2) -> str:
    """An unsigned size in percentage points: 0.0229 -> '2.29 pp'."""
    v = finite(value)
    return NA if v is None else f"{100 * abs(v):.{digits}f} pp"


def clip_interval(
    ci: Sequence[Any] | None, valid: tuple[float, float] = SHARE
) -> tuple[float | None, float | None]:
    """An interval's finite bounds clipped to ``valid`` (None for a missing bound).

    >>> clip_interval([0.64, 1.03]), clip_interval([-1.2, 0.1], DIFFERENCE)
    ((0.64, 1.0), (-1.0, 0.1))
    """
    lo, hi = _bounds(ci)
    low, high = valid
    return (
        None if lo is None else min(max(lo, low), high),
        None if hi is None else min(max(hi, low), high),
    )


def clipped(ci: Sequence[Any] | None, valid: tuple[float, float] = SHARE) -> bool:
    """Whether an interval reaches past ``valid`` (and is shown clipped)."""
    return clip_interval(ci, valid) != _bounds(ci)


def interval_pct(ci: Sequence[Any] | None) -> str:
    """A confidence interval of a share, clipped to [0, 100]%: '[81.89, 85.45]%'."""
    lo, hi = clip_interval(ci, SHARE)
    return NA if lo is None or hi is None else f"[{100 * lo:.2f}, {100 * hi:.2f}]%"


def interval_pp(ci: Sequence[Any] | None, signed: bool = True) -> str:
    """A confidence interval of a difference of shares, clipped to [-100, +100] pp:
    '[-2.54, -1.16] pp' ('[9.62, 12.29] pp' unsigned)."""
    lo, hi = clip_interval(ci, DIFFERENCE)
    if lo is None or hi is None:
        return NA
    sign = "+" if signed else ""
    return f"[{_shown(lo, 2):{sign}.2f}, {_shown(hi, 2):{sign}.2f}] pp"


def p_value(value: Any) -> str:
    """A p-value with three decimals, '<0.001' below that."""
    v = finite(value)
    if v is None:
        return NA
    return "<0.001" if v < 0.001 else f"{v:.3f}"


def seconds(value: Any) -> str:
    v = finite(value)
    return NA if v is None else f"{v:.2f} s"


def ratio(value: Any) -> str:
    """A time ratio: 1.8 -> '×1.80'."""
    v = finite(value)
    return NA if v is None else f"×{v:.2f}"


def _bounds(ci: Sequence[Any] | None) -> tuple[float | None, float | None]:
    if not ci or len(ci) != 2:
        return None, None
    return finite(ci[0]), finite(ci[1])
