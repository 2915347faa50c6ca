"""Layout checks on a matplotlib figure, as a reader would see its PNG.

    with captured_figures() as shots:          # every Figure.savefig in the block
        build_document(load_inputs(study))
    assert all(not s.problems for s in shots), shots

For each figure saved inside the block, after its layout is drawn:

1. every visible text (titles, axis and tick labels, figure labels, texts in the axes) and
   every legend lies inside the figure (nothing cut when the PNG is the figure's box);
2. no two of them overlap (a legend over a tick label, crowded tick labels, an x-label on
   another panel's ticks), and no legend overlaps any axes' plot area (legends sit outside
   the data);
3. an axis labelled in percent of a share ("(%)") stays within [0, 100];
4. an axis whose label starts with "epoch" has integer ticks only.

Tolerances: boxes may touch (1 px) and may reach 1 px past the figure's edge.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

TOUCH = 1.0  # px: boxes closer than this to overlapping are fine


@dataclass
class Shot:
    """One saved figure: the function that made it and what is wrong with its layout."""

    name: str
    problems: list[str] = field(default_factory=list)
    share_axes: int = 0  # axes checked to stay within [0, 100]%
    epoch_axes: int = 0  # axes checked for integer ticks


@contextlib.contextmanager
def captured_figures() -> Iterator[list[Shot]]:
    """Check every figure saved in the block (by Figure.savefig, before it is cleared)."""
    shots: list[Shot] = []
    original = Figure.savefig

    def savefig(fig: Figure, *args: Any, **kwargs: Any) -> None:
        shots.append(check_figure(fig, _maker()))
        original(fig, *args, **kwargs)

    Figure.savefig = savefig  # type: ignore[method-assign]
    try:
        yield shots
    finally:
        Figure.savefig = original  # type: ignore[method-assign]


def _maker() -> str:
    """The report function that called png(): two frames above savefig's wrapper."""
    frame = sys._getframe(3)
    return f"{frame.f_code.co_name} ({frame.f_code.co_filename.rsplit('/', 1)[-1]})"


def check_figure(fig: Figure, name: str) -> Shot:
    """Draw ``fig`` with Agg and list its layout problems."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    shot = Shot(name)
    boxes = _boxes(fig, renderer)
    inside = fig.bbox.padded(TOUCH)
    for label, box in boxes:
        if not _contains(inside, box):
            shot.problems.append(
                f"{label} reaches outside the figure: {_px(box)} vs {_px(fig.bbox)}"
            )
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if _overlap(box_a, box_b):
                shot.problems.append(f"{a} overlaps {b}")
    for label, box in _legend_boxes(fig, renderer):
        for ax in _axes(fig):
            if _overlap(box, ax.bbox):
                shot.problems.append(f"{label} lies over the plot area of {_name(ax)}")
    _check_ranges(fig, shot)
    return shot


# ---- what is drawn ---------------------------------------------------------------------------
def _axes(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_visible()]


def _boxes(fig: Figure, renderer: Any) -> list[tuple[str, Bbox]]:
    """Every visible text outside legends (tick labels only in view) and every legend."""
    in_legends = {id(t) for leg in _legends(fig) for t in [*leg.get_texts(), leg.get_title()]}
    ticks: dict[int, str] = {}
    hidden: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown = _ticks_in_view(axis) if ax.get_visible() else []
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                for text in (tick.label1, tick.label2):
                    if tick in shown:
                        ticks[id(text)] = f"{_name(ax)} {axis.axis_name}-tick {text.get_text()!r}"
                    else:
                        hidden.add(id(text))
    out: list[tuple[str, Bbox]] = []
    for text in fig.findobj(Text):
        assert isinstance(text, Text)
        if id(text) in in_legends or id(text) in hidden or not _drawn(text):
            continue
        label = ticks.get(id(text)) or f"text {text.get_text()!r}"
        out.append((label, text.get_window_extent(renderer)))
    out += _legend_boxes(fig, renderer)
    return out


def _drawn(text: Text) -> bool:
    if not text.get_visible() or not text.get_text().strip():
        return False
    return text.axes is None or text.axes.get_visible()


def _ticks_in_view(axis: Axis) -> list[Any]:
    lo, hi = sorted(axis.get_view_interval())
    slack = 1e-9 * max(1.0, abs(hi - lo))
    ticks = axis.get_major_ticks(len(axis.get_majorticklocs()))
    ticks += axis.get_minor_ticks(len(axis.get_minorticklocs()))
    return [t for t in ticks if lo - slack <= t.get_loc() <= hi + slack]


def _legends(fig: Figure) -> list[Legend]:
    found = list(fig.legends)
    found += [leg for ax in _axes(fig) if (leg := ax.get_legend()) is not None]
    return [leg for leg in found if leg.get_visible()]


def _legend_boxes(fig: Figure, renderer: Any) -> list[tuple[str, Bbox]]:
    return [
        (f"legend {[t.get_text() for t in leg.get_texts()]}", leg.get_window_extent(renderer))
        for leg in _legends(fig)
    ]


# ---- ranges ----------------------------------------------------------------------------------
def _check_ranges(fig: Figure, shot: Shot) -> None:
    """Percent-of-a-share axes within [0, 100]; epoch axes on integer ticks."""
    for ax in _axes(fig):
        for axis, label in (
            (ax.xaxis, ax.get_xlabel() or fig.get_supxlabel()),
            (ax.yaxis, ax.get_ylabel() or fig.get_supylabel()),
        ):
            lo, hi = sorted(axis.get_view_interval())
            if "(%)" in label:
                shot.share_axes += 1
                if lo < -1e-9 or hi > 100 + 1e-9:
                    shot.problems.append(f"{_name(ax)}: {label!r} spans [{lo:.2f}, {hi:.2f}]")
            if label.lower().startswith("epoch"):  # an epoch axis, not "..., epochs 2 onwards"
                shot.epoch_axes += 1
                odd = [t for t in _locs_in_view(axis) if abs(t - round(t)) > 1e-9]
                if odd:
                    shot.problems.append(f"{_name(ax)}: {label!r} has ticks at {odd}")


def _locs_in_view(axis: Axis) -> list[float]:
    lo, hi = sorted(axis.get_view_interval())
    return [float(t) for t in axis.get_majorticklocs() if lo <= t <= hi]


# ---- geometry --------------------------------------------------------------------------------
def _overlap(a: Bbox, b: Bbox) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > TOUCH and height > TOUCH


def _contains(outer: Bbox, inner: Bbox) -> bool:
    return (
        inner.x0 >= outer.x0
        and inner.y0 >= outer.y0
        and inner.x1 <= outer.x1
        and inner.y1 <= outer.y1
    )


def _name(ax: Axes) -> str:
    return f"axes {ax.get_title()!r}" if ax.get_title() else f"axes #{ax.figure.axes.index(ax)}"


def _px(box: Bbox) -> str:
    return f"[{box.x0:.0f}, {box.y0:.0f}, {box.x1:.0f}, {box.y1:.0f}]"
