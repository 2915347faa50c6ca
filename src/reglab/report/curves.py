"""Line plots of the report: learning curves, validation curves over strength, bias–variance.

Each function returns PNG bytes (see :mod:`reglab.report.plotting`)::

    >>> data = learning_curves(inputs.epochs, [a["name"] for a in inputs.arms])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from reglab.report.inputs import ReportInputs, SweepPoint
from reglab.report.numbers import finite
from reglab.report.plotting import (
    OKABE_ITO,
    grid,
    new_figure,
    png,
    strength_axis,
    strength_label,
)

__all__ = ["biasvar_curve", "learning_curves", "validation_curve"]

_TRAIN, _VAL = OKABE_ITO["blue"], OKABE_ITO["vermillion"]


def learning_curves(epochs: pd.DataFrame, arms: list[str]) -> bytes:
    """One panel per arm: train (eval mode) and validation accuracy per epoch, min–max band."""
    shown = [a for a in arms if (epochs["arm"] == a).any()]
    cols = min(4, len(shown))
    rows = -(-len(shown) // cols)
    fig = new_figure(3.0 * cols + 0.4, 2.3 * rows + 0.6)
    axes = grid(fig, len(shown), cols, share=True)
    for ax, arm in zip(axes, shown, strict=True):
        per_epoch = epochs[epochs["arm"] == arm].groupby("epoch")
        for column, colour, label in (
            ("train_acc", _TRAIN, "train (eval mode)"),
            ("val_acc", _VAL, "validation"),
        ):
            stats = per_epoch[column].agg(["mean", "min", "max"]) * 100
            ax.fill_between(stats.index, stats["min"], stats["max"], color=colour, alpha=0.2, lw=0)
            ax.plot(stats.index, stats["mean"], color=colour, marker="o", ms=3, label=label)
        ax.set_title(arm, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes:
        ax.label_outer()
    fig.supxlabel("epoch")
    fig.supylabel("accuracy (%)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        [*handles, _band()],
        [*labels, "min–max over seeds"],
        loc="outside upper center",
        ncols=3,
        frameon=False,
    )
    return png(fig)


def _band() -> Patch:
    return Patch(color=OKABE_ITO["grey"], alpha=0.4)


def validation_curve(inputs: ReportInputs, points: list[SweepPoint], technique: str) -> bytes:
    """Test accuracy and generalization gap against one technique's strength (95% CI band)."""
    axis = strength_axis([p.strength for p in points])
    fig = new_figure(9.0, 3.4)
    left, right = fig.subplots(1, 2)
    for ax, metric, label, colour in (
        (left, "test_acc", "test accuracy (%)", OKABE_ITO["blue"]),
        (right, "gap", "generalization gap (pp)", OKABE_ITO["orange"]),
    ):
        stats = [inputs.arm(p.arm)[metric] for p in points]
        mean = np.array([_num(s["mean"]) for s in stats]) * 100
        lo = np.array([_num(s["ci95"][0]) for s in stats]) * 100
        hi = np.array([_num(s["ci95"][1]) for s in stats]) * 100
        ax.fill_between(axis.x, lo, hi, color=colour, alpha=0.2, lw=0, label="95% CI over seeds")
        ax.plot(axis.x, mean, color=colour, marker="o", label="mean over seeds")
        axis.apply(ax, strength_label(technique))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    left.set_title(f"test accuracy vs {technique}", fontsize=10)
    right.set_title(f"train − test accuracy vs {technique}", fontsize=10)
    return png(fig)


def biasvar_curve(biasvar: dict[str, Any]) -> bytes:
    """Loss, bias and variance of the test error against the technique's strength."""
    points = sorted(biasvar["points"], key=lambda p: p["strength"])
    axis = strength_axis([float(p["strength"]) for p in points])
    regression = biasvar.get("task") == "regression"
    fig = new_figure(6.5, 3.8)
    ax = fig.subplots()
    series = [
        ("loss", "expected loss", OKABE_ITO["black"], "o"),
        ("bias", "bias²" if regression else "bias", OKABE_ITO["blue"], "s"),
        ("variance", "variance", OKABE_ITO["orange"], "^"),
    ]
    if regression:
        series.append(("noise", "noise", OKABE_ITO["grey"], "x"))
    for key, label, colour, marker in series:
        ax.plot(
            axis.x, [_num(p.get(key)) for p in points], marker=marker, color=colour, label=label
        )
    axis.apply(ax, strength_label(str(biasvar.get("technique", "technique"))))
    what = "squared error" if regression else "0-1 loss (error rate)"
    ax.set_ylabel(f"test {what}")
    ax.set_title(
        f"bias–variance over {biasvar.get('rounds', '?')} bootstrap rounds "
        f"({biasvar.get('dataset', '?')})",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return png(fig)


def _num(value: Any) -> float:
    v = finite(value)
    return float("nan") if v is None else v
