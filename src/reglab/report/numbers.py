"""How the report writes numbers: accuracies in %, differences in percentage points.

Every formatter takes None or a non-finite float (JSON null, an undefined statistic) and
writes "n/a" for it, so no caller has to check::

    >>> pct(0.8367), pp(-0.0185), p_value(0.0034), p_value(None)
    ('83.67%', '-1.85 pp', '0.003', 'n/a')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "NA",
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
    return NA if v is None else f"{100 * v:+.{digits}f} pp"


def plain_pp(value: Any, digits: int = 2) -> str:
    """An unsigned size in percentage points: 0.0229 -> '2.29 pp'."""
    v = finite(value)
    return NA if v is None else f"{100 * abs(v):.{digits}f} pp"


def interval_pct(ci: Sequence[Any] | None) -> str:
    """A confidence interval of a share: '[81.89, 85.45]%'."""
    lo, hi = _bounds(ci)
    return NA if lo is None or hi is None else f"[{100 * lo:.2f}, {100 * hi:.2f}]%"


def interval_pp(ci: Sequence[Any] | None, signed: bool = True) -> str:
    """A confidence interval of a difference: '[-2.54, -1.16] pp' ('[9.62, 12.29] pp' unsigned)."""
    lo, hi = _bounds(ci)
    if lo is None or hi is None:
        return NA
    sign = "+" if signed else ""
    return f"[{100 * lo:{sign}.2f}, {100 * hi:{sign}.2f}] pp"


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
