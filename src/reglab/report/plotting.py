"""Plot helpers shared by the report's figures: palette, PNG encoding, strength axes.

Also the pieces several sections' plots share: arms as rows (``arm_rows``, ``row_height``),
a verdict's colour and legend, a mean with its 95% CI drawn as a point and a line.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot, so no global
state and no GUI backend); :func:`png` renders one to PNG bytes at 100 dpi::

    >>> fig = new_figure(6, 3)
    >>> ax = fig.subplots()
    >>> data = png(fig)  # b"\\x89PNG..."

Layout rules every figure follows (tests/test_report_figures.py checks them on every figure
of a report): constrained layout, and figures never narrower than :data:`MIN_WIDTH` so that
a figure-level legend or x-label fits; legends outside the axes' data; epochs on integer ticks
(:func:`integer_ticks`); a share's axis never past [0, 100]% (:func:`share_limits`) and its
CIs clipped to it (:func:`point_ci`, :func:`band`). :func:`png` saves with a tight bounding
box, so even a label that overflows is never cut.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from reglab.analysis.results import ArmSummary, Described
from reglab.report.numbers import SHARE, clip_interval, finite

__all__ = [
    "DPI",
    "MIN_WIDTH",
    "OKABE_ITO",
    "VERDICT_COLOURS",
    "StrengthAxis",
    "arm_rows",
    "band",
    "bar_colour",
    "grid",
    "integer_ticks",
    "label_outer",
    "new_figure",
    "num",
    "panel_size",
    "png",
    "point_ci",
    "row_height",
    "share_limits",
    "strength_axis",
    "strength_label",
    "verdict_legend",
    "verdict_of",
]

DPI = 100
MIN_WIDTH = 6.4  # inches: a figure-level legend of three entries or a long x-label fits
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour blindness.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
VERDICT_COLOURS = {
    "baseline": OKABE_ITO["black"],
    "better": OKABE_ITO["green"],
    "worse": OKABE_ITO["vermillion"],
    "no detectable difference": OKABE_ITO["sky"],
    "too few seeds": OKABE_ITO["grey"],
}


def new_figure(width: float, height: float) -> Figure:
    """A figure of width × height inches with constrained layout."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes; the figure is cleared afterwards to free its memory.

    The bounding box is tight (every label and legend inside, a small margin around): a
    layout that overflows would widen the image rather than cut a word.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.05)
    fig.clear()
    return buf.getvalue()


def grid(fig: Figure, n: int, ncols: int = 4, share: bool = False) -> list[Axes]:
    """``n`` panels in rows of ``ncols`` (sharing x and y with ``share``); unused ones hidden."""
    cols = max(1, min(ncols, n))
    rows = math.ceil(n / cols)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=share, sharey=share)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return flat[:n]


def label_outer(axes: list[Axes], ncols: int = 4) -> None:
    """Tick labels only on the outer panels of a shared grid, as ``Axes.label_outer`` does,
    but a panel with no panel below it (a short last row) keeps its x tick labels."""
    cols = max(1, min(ncols, len(axes)))
    for i, ax in enumerate(axes):
        ax.label_outer()
        if i + cols >= len(axes):
            ax.xaxis.set_tick_params(which="both", labelbottom=True)


def panel_size(
    n: int, ncols: int = 4, width: float = 2.55, height: float = 2.3
) -> tuple[float, float]:
    """Figure size (inches) for ``n`` panels of ``width`` × ``height`` in rows of ``ncols``,
    with room for a figure-level legend and labels; never narrower than :data:`MIN_WIDTH`."""
    cols = max(1, min(ncols, n))
    rows = math.ceil(max(1, n) / cols)
    return max(MIN_WIDTH, width * cols + 0.4), height * rows + 0.7


def integer_ticks(ax: Axes, axis: str = "x") -> None:
    """Integer ticks only (epochs, counts): never 1.5 epochs."""
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def share_limits(ax: Axes, axis: str = "y") -> None:
    """Keep a percentage axis (of a share: accuracy, sparsity) inside [0, 100]."""
    get, put = (ax.get_xlim, ax.set_xlim) if axis == "x" else (ax.get_ylim, ax.set_ylim)
    lo, hi = get()
    put(max(lo, 0.0), min(hi, 100.0))


def band(
    ax: Axes,
    x: Sequence[float],
    stats: Sequence[Described],
    colour: str,
    valid: tuple[float, float] = SHARE,
    label: str = "95% CI over seeds",
) -> None:
    """Each stat's 95% CI, clipped to ``valid`` (in shares), as a band in percent."""
    bounds = [clip_interval(s.ci95, valid) for s in stats]
    lo = np.array([num(b[0]) for b in bounds]) * 100
    hi = np.array([num(b[1]) for b in bounds]) * 100
    ax.fill_between(list(x), lo, hi, color=colour, alpha=0.2, lw=0, label=label)


@dataclass(frozen=True)
class StrengthAxis:
    """Where strengths go on a log axis that also shows 0 (or inf: the technique off).

    ``x`` holds each strength's position (log10 for finite positive values); the off value
    sits one decade beyond the measured range, marked by ``break_at``.
    """

    x: list[float]
    ticks: list[float]
    labels: list[str]
    break_at: float | None

    def apply(self, ax: Axes, label: str) -> None:
        ax.set_xticks(self.ticks, self.labels)
        ax.set_xlabel(label)
        if self.break_at is not None:
            ax.axvline(self.break_at, color=OKABE_ITO["grey"], lw=0.8, ls=":")


def strength_axis(values: Sequence[float]) -> StrengthAxis:
    """Positions and tick labels for strengths; 0 sits left of the rest, inf right."""
    logs = [math.log10(v) for v in values if 0 < v < math.inf]
    lo, hi = (min(logs), max(logs)) if logs else (0.0, 0.0)
    xs: list[float] = []
    for v in values:
        if v <= 0:
            xs.append(lo - 1.0)
        elif v == math.inf:
            xs.append(hi + 1.0)
        else:
            xs.append(math.log10(v))
    labels = ["0 (off)" if v <= 0 else "off" if v == math.inf else f"{v:g}" for v in values]
    breaks = [lo - 0.5] if any(v <= 0 for v in values) and logs else []
    breaks += [hi + 0.5] if any(v == math.inf for v in values) and logs else []
    unique = dict(zip(xs, labels, strict=True))
    return StrengthAxis(xs, list(unique), list(unique.values()), breaks[0] if breaks else None)


def strength_label(technique: str) -> str:
    """The x-axis label for a technique's strength (max-norm's radius: smaller is stronger)."""
    if technique == "maxnorm":
        return "max-norm radius c (log scale; smaller is stronger)"
    if technique == "es":
        return "early-stopping patience (epochs, log scale)"
    return f"{technique} strength (log scale)"


# ---- arms as rows: shared by the gap, weights, early-stopping and time figures ---------------
def verdict_of(arm: ArmSummary, baseline: str | None) -> str:
    """'baseline' for the baseline, else the arm's verdict against it."""
    if arm.name == baseline or arm.vs_baseline is None:
        return "baseline"
    return arm.vs_baseline.verdict


def row_height(n: int) -> float:
    """Figure height (inches) for ``n`` arms as rows."""
    return 1.2 + 0.32 * n


def bar_colour(arm: str, baseline: str | None) -> str:
    """Black for the baseline's bar, blue for the others."""
    return OKABE_ITO["black"] if arm == baseline else OKABE_ITO["blue"]


def arm_rows(ax: Axes, names: list[str]) -> None:
    """One row per arm, top to bottom in study order."""
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)


def verdict_legend(verdicts: list[str]) -> list[Line2D]:
    seen = [v for v in VERDICT_COLOURS if v in verdicts]
    return [Line2D([], [], color=VERDICT_COLOURS[v], marker="o", ls="", label=v) for v in seen]


def point_ci(
    ax: Axes, y: float, stat: Described, colour: str, valid: tuple[float, float] = SHARE
) -> None:
    """A mean (point) and its 95% CI (line) at row ``y``, in percent; the CI is clipped to
    ``valid`` (a share's [0, 1] by default; a difference's is ``numbers.DIFFERENCE``)."""
    mean = finite(stat.mean)
    lo, hi = clip_interval(stat.ci95, valid)
    if mean is None:
        return
    if lo is not None and hi is not None:
        ax.hlines(y, 100 * lo, 100 * hi, color=colour, lw=2)
    ax.plot(100 * mean, y, "o", color=colour, clip_on=False)


def num(value: Any) -> float:
    """A finite number as a float, anything else as NaN (a gap in a plotted line)."""
    v = finite(value)
    return float("nan") if v is None else v
