"""Notes on how a report shows its numbers, placed below its answer.

A 95% CI over seeds is a t-interval (mean ± t·s/√n); with few seeds it can reach past what
its quantity can take (an accuracy above 100%). The report shows such an interval clipped to
the valid range (:func:`reglab.report.numbers.interval_pct`, the figures too) and says so::

    >>> clipped_note([("none", arm)])
    'Clipped: with few seeds a 95% t-interval can reach past ... test accuracy of none
    (upper bound 102.59%).'
"""

from __future__ import annotations

from collections.abc import Iterable

from reglab.analysis.results import ArmSummary
from reglab.report.numbers import DIFFERENCE, SHARE, clip_interval, clipped, finite

__all__ = ["SHARES", "clipped_note"]

SHARES = {"test_acc": "test accuracy", "train_acc": "train accuracy", "sparsity": "sparsity"}


def clipped_note(
    arms: Iterable[tuple[str, ArmSummary]], shares: tuple[str, ...] = tuple(SHARES)
) -> str | None:
    """One sentence naming every interval shown clipped (``arms``: label and summary; the
    ``shares`` a report shows with a CI, and each arm's gap and Δ vs baseline), or None."""
    found: list[str] = []
    for label, arm in arms:
        for metric in shares:
            what, ci = SHARES[metric], arm.stat(metric).ci95
            if clipped(ci, SHARE):
                found.append(f"{what} of {label} ({_bounds(ci, SHARE, '%')})")
        if clipped(arm.gap.ci95, DIFFERENCE):
            found.append(f"gap of {label} ({_bounds(arm.gap.ci95, DIFFERENCE, ' pp')})")
        vs = arm.vs_baseline
        if vs is not None and clipped(vs.ci95, DIFFERENCE):
            found.append(f"Δ vs baseline of {label} ({_bounds(vs.ci95, DIFFERENCE, ' pp')})")
    if not found:
        return None
    return (
        "Clipped: with few seeds a 95% t-interval can reach past the values its quantity can "
        "take; shown clipped to them here (accuracy to [0, 100]%, differences to "
        f"[-100, +100] pp): {'; '.join(found)}."
    )


def _bounds(ci: tuple[float | None, float | None], valid: tuple[float, float], unit: str) -> str:
    """Which bound was cut and its computed value: 'upper bound 102.59%'."""
    lo, hi = (finite(v) for v in ci)
    clo, chi = clip_interval(ci, valid)
    cut = []
    if lo is not None and lo != clo:
        cut.append(f"lower bound {100 * lo:.2f}{unit}")
    if hi is not None and hi != chi:
        cut.append(f"upper bound {100 * hi:.2f}{unit}")
    return ", ".join(cut)
