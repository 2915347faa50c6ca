"""The study's metric as sentences write it: accuracy in % and pp, test MSE as a number.

Every comparative phrase the report and the terminal use for the verdict metric comes from
here, so that a regression study (test MSE, lower is better) reads as correctly as a
classification one::

    >>> name(summary), value(summary, 0.9812), delta(summary, -0.0021)
    ('test accuracy', '98.12%', '-0.21 pp')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reglab.analysis.results import StudySummary
from reglab.report.numbers import NA, finite, interval_pct, interval_pp, p_value, pct, plain_pp, pp

__all__ = [
    "delta",
    "interval",
    "interval_delta",
    "many",
    "name",
    "p_is",
    "short",
    "size",
    "value",
    "values_range",
]


def name(summary: StudySummary) -> str:
    return "test accuracy" if summary.higher_is_better else "test MSE (lower is better)"


def short(summary: StudySummary) -> str:
    return "test acc" if summary.higher_is_better else "test MSE"


def value(summary: StudySummary, v: Any) -> str:
    if summary.higher_is_better:
        return pct(v)
    f = finite(v)
    return NA if f is None else f"{f:.4g}"


def interval(summary: StudySummary, ci: Sequence[Any] | None) -> str:
    if summary.higher_is_better:
        return interval_pct(ci)
    lo, hi = (None, None) if not ci else (finite(ci[0]), finite(ci[1]))
    return NA if lo is None or hi is None else f"[{lo:.4g}, {hi:.4g}]"


def delta(summary: StudySummary, v: Any) -> str:
    if summary.higher_is_better:
        return pp(v)
    f = finite(v)
    return NA if f is None else f"{f:+.3g}"


def size(summary: StudySummary, v: Any) -> str:
    """An unsigned difference: '0.21 pp' or '0.0031'."""
    if summary.higher_is_better:
        return plain_pp(v)
    f = finite(v)
    return NA if f is None else f"{abs(f):.4g}"


def interval_delta(summary: StudySummary, ci: Sequence[Any] | None) -> str:
    if summary.higher_is_better:
        return interval_pp(ci)
    lo, hi = (None, None) if not ci else (finite(ci[0]), finite(ci[1]))
    return NA if lo is None or hi is None else f"[{lo:+.3g}, {hi:+.3g}]"


def many(n: int, word: str, plural: str | None = None) -> str:
    """'1 comparison', '0 comparisons', '3 seeds'."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def values_range(low: str, high: str) -> str:
    """'range from X to Y', or 'are all X' when the two ends read the same."""
    return f"are all {low}" if low == high else f"range from {low} to {high}"


def p_is(v: Any) -> str:
    """'=0.105' or '<0.001', to follow 'p': f"p{p_is(x)}" reads p=0.105 or p<0.001."""
    shown = p_value(v)
    return shown if shown.startswith("<") else "=" + shown
