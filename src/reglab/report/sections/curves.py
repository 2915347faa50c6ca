"""Section "Learning curves": train (evaluation mode) and validation accuracy per epoch.

>>> section(load_inputs("runs/quickstart")).blocks[1].text
'At each run's last epoch, train accuracy exceeds validation accuracy most for ...'
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Patch

from reglab.report.blocks import Image, Paragraph, Section
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import pp
from reglab.report.plotting import (
    OKABE_ITO,
    grid,
    integer_ticks,
    label_outer,
    new_figure,
    panel_size,
    png,
    share_limits,
)

__all__ = ["curves_note", "learning_curves", "section"]

_TRAIN, _VAL = OKABE_ITO["blue"], OKABE_ITO["vermillion"]


def section(inputs: ReportInputs) -> Section:
    if inputs.epochs.empty:
        return Section("Learning curves", "curves", [Paragraph("epochs.csv is missing.")])
    image = Image(
        "learning_curves",
        learning_curves(inputs.ok_epochs(), [a.name for a in inputs.arms]),
        "Train accuracy (evaluation mode, fixed training subset) and validation accuracy per "
        "epoch: mean over seeds, band min–max over seeds (diverged runs left out).",
    )
    return Section("Learning curves", "curves", [image, *map(Paragraph, curves_note(inputs))])


def curves_note(inputs: ReportInputs) -> list[str]:
    """The train–validation accuracy gap at each run's last epoch: largest and smallest arm."""
    epochs = inputs.ok_epochs()
    if epochs.empty:
        return []
    last = epochs.sort_values("epoch").groupby("run_id").tail(1)
    gap = (last["train_acc"] - last["val_acc"]).groupby(last["arm"]).mean().dropna()
    if gap.empty:  # regression studies have no accuracy
        return []
    shown = "; ".join(f"{arm} {pp(value)}" for arm, value in gap.items())
    return [
        "Train minus validation accuracy at each run's last epoch, mean over seeds (a "
        f"description, not tested; the tested gap is in the next section): {shown}."
    ]


def learning_curves(epochs: pd.DataFrame, arms: list[str]) -> bytes:
    """One panel per arm: train (eval mode) and validation accuracy per epoch, min–max band."""
    shown = [a for a in arms if (epochs["arm"] == a).any()]
    fig = new_figure(*panel_size(len(shown)))
    axes = grid(fig, len(shown), 4, share=True)
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
    label_outer(axes, 4)
    for ax in axes:
        integer_ticks(ax, "x")  # epochs: 1, 2, 3, never 1.5
    share_limits(axes[0], "y")  # axes share y: accuracy stays within [0, 100]%
    fig.supxlabel("epoch", fontsize=10)
    fig.supylabel("accuracy (%)", fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    band = Patch(color=OKABE_ITO["grey"], alpha=0.4)
    fig.legend(
        [*handles, band],
        [*labels, "min–max over seeds"],
        loc="outside upper center",
        ncols=3,
        frameon=False,
    )
    return png(fig)
