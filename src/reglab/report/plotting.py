"""Plot helpers shared by the report's figures: palette, PNG encoding, strength axes.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot, so no global
state and no GUI backend); :func:`png` renders one to PNG bytes at 100 dpi::

    >>> fig = new_figure(6, 3)
    >>> ax = fig.subplots()
    >>> data = png(fig)  # b"\\x89PNG..."
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "OKABE_ITO",
    "VERDICT_COLOURS",
    "StrengthAxis",
    "grid",
    "new_figure",
    "png",
    "strength_axis",
    "strength_label",
]

DPI = 100
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
    """The figure as PNG bytes; the figure is cleared afterwards to free its memory."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
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
