"""The main figures of a study as matplotlib Figures (for notebooks): ``StudyResult.plot``.

    >>> fig = plot_study(result.summary, result.epochs, "accuracy")   # mean test acc, 95% CI
    >>> fig = plot_study(result.summary, result.epochs, "curves")     # val acc per epoch
    >>> fig.savefig("accuracy.png")

Figures are built without pyplot (no global state, no window); Jupyter shows a returned
Figure inline.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reglab.analysis.results import StudySummary
from reglab.errors import invalid

__all__ = ["PlotKind", "plot_study"]

PlotKind = Literal["accuracy", "curves"]


def plot_study(summary: StudySummary, epochs: pd.DataFrame, kind: PlotKind = "accuracy") -> Figure:
    """``accuracy``: each arm's mean test accuracy with its 95% CI (clamped to [0, 100]);
    ``curves``: each arm's mean validation accuracy per epoch, with a band of ±1 s.e."""
    if kind not in get_args(PlotKind):
        raise invalid("kind", "StudyResult.plot", f"one of {list(get_args(PlotKind))}", kind)
    if kind == "accuracy":
        return _accuracy(summary)
    return _curves(summary, epochs)


def _accuracy(summary: StudySummary) -> Figure:
    names = summary.names
    fig = Figure(figsize=(7, 0.5 + 0.45 * len(names)), layout="constrained")
    ax = fig.add_subplot()
    for row, arm in enumerate(names):
        acc = summary.arm(arm).test_acc
        if acc.mean is None:
            continue
        lo, hi = (100 * min(max(v, 0.0), 1.0) if v is not None else None for v in acc.ci95)
        mean = 100 * acc.mean
        if lo is not None and hi is not None:
            ax.errorbar(mean, row, xerr=[[mean - lo], [hi - mean]], fmt="o", capsize=4)
        else:
            ax.plot(mean, row, "o")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel(f"test accuracy (%), mean and 95% CI over {summary.n_seeds} seeds")
    ax.set_title(f"Baseline: {summary.baseline}")
    ax.grid(axis="x", alpha=0.3)
    return fig


def _curves(summary: StudySummary, epochs: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    for arm in summary.names:
        rows = epochs[epochs["arm"] == arm]
        if rows.empty:
            continue
        by = rows.groupby("epoch")["val_acc"]
        mean, se = 100 * by.mean(), 100 * by.sem().fillna(0.0)
        ax.plot(mean.index, mean.to_numpy(), label=arm)
        ax.fill_between(mean.index, (mean - se).to_numpy(), (mean + se).to_numpy(), alpha=0.2)
    last = int(epochs["epoch"].max()) if len(epochs) else 1
    ax.set_xticks(np.unique(np.linspace(1, last, min(last, 10)).round().astype(int)))
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (%), mean ± 1 s.e.")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(alpha=0.3)
    return fig
