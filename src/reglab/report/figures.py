"""Per-arm plots of the report: accuracy and gap, weight histograms, sparsity, epochs, time.

Each function takes the loaded :class:`~reglab.report.inputs.ReportInputs` and returns PNG
bytes; arms are rows, top to bottom in study order, coloured by their verdict::

    >>> data = accuracy_and_gap(load_inputs("runs/quickstart"))
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from reglab.engine import HIST_EDGES
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import finite, ratio
from reglab.report.plotting import OKABE_ITO, VERDICT_COLOURS, grid, new_figure, png

__all__ = [
    "accuracy_and_gap",
    "arm_histogram",
    "sparsity",
    "stopping_epochs",
    "time_per_run",
    "verdict_of",
    "weight_histograms",
]

_SPARSE_BELOW = -3.0  # log10 of the sparsity threshold |w| < 1e-3 (runs.csv "sparsity")


def verdict_of(arm: dict[str, Any], baseline: str | None) -> str:
    return "baseline" if arm["name"] == baseline else arm["vs_baseline"]["verdict"]


def _height(n: int) -> float:
    return 1.2 + 0.32 * n


def _bar_colour(arm: str, baseline: str | None) -> str:
    """Black for the baseline's bar, blue for the others."""
    return OKABE_ITO["black"] if arm == baseline else OKABE_ITO["blue"]


def _arm_rows(ax: Axes, names: list[str]) -> None:
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)


def _verdict_legend(verdicts: list[str]) -> list[Line2D]:
    seen = [v for v in VERDICT_COLOURS if v in verdicts]
    return [Line2D([], [], color=VERDICT_COLOURS[v], marker="o", ls="", label=v) for v in seen]


def accuracy_and_gap(inputs: ReportInputs) -> bytes:
    """Test accuracy and generalization gap per arm: mean and 95% CI over seeds."""
    arms = inputs.arms
    names = [a["name"] for a in arms]
    verdicts = [verdict_of(a, inputs.baseline) for a in arms]
    fig = new_figure(10.0, _height(len(arms)) + 0.5)
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, metric, label in (
        (left, "test_acc", "test accuracy (%)"),
        (right, "gap", "generalization gap: train − test accuracy (pp)"),
    ):
        base = inputs.arm(inputs.baseline or names[0])[metric]["mean"]
        if finite(base) is not None:
            ax.axvline(100 * base, color=OKABE_ITO["grey"], lw=1, ls="--")
        for i, (arm, verdict) in enumerate(zip(arms, verdicts, strict=True)):
            _point_ci(ax, i, arm[metric], VERDICT_COLOURS[verdict])
        ax.set_xlabel(label)
        _arm_rows(ax, names)
    left.set_title("mean and 95% CI over seeds (dashed: baseline)", fontsize=10)
    fig.legend(
        handles=_verdict_legend(verdicts), loc="outside lower center", ncols=4, frameon=False
    )
    return png(fig)


def _point_ci(ax: Axes, y: float, stat: dict[str, Any], colour: str) -> None:
    mean, lo, hi = (finite(v) for v in (stat["mean"], *stat["ci95"]))
    if mean is None:
        return
    if lo is not None and hi is not None:
        ax.hlines(y, 100 * lo, 100 * hi, color=colour, lw=2)
    ax.plot(100 * mean, y, "o", color=colour)


def arm_histogram(inputs: ReportInputs, arm: str) -> np.ndarray | None:
    """An arm's |w| histogram summed over its finished runs, as shares of all weights."""
    ok = inputs.runs[(inputs.runs["arm"] == arm) & (inputs.runs["status"] == "ok")]
    counts = [inputs.hist[r] for r in ok["run_id"] if r in inputs.hist]
    if not counts:
        return None
    total = np.sum(counts, axis=0).astype(float)
    return total / total.sum() if total.sum() > 0 else None


def _log_edges() -> np.ndarray:
    """HIST_EDGES on a log10 axis; the first bin [0, 1e-8) is drawn as [-9, -8]."""
    return np.concatenate([[-9.0], np.log10(HIST_EDGES[1:])])


def weight_histograms(inputs: ReportInputs) -> bytes | None:
    """log10|w| of all kernel weights per arm (shares), the baseline's in grey behind."""
    hists = {a["name"]: arm_histogram(inputs, a["name"]) for a in inputs.arms}
    shown = [(n, h) for n, h in hists.items() if h is not None]
    if not shown:
        return None
    base = hists.get(inputs.baseline or "")
    cols = min(4, len(shown))
    fig = new_figure(3.0 * cols + 0.4, 2.1 * -(-len(shown) // cols) + 0.7)
    edges = _log_edges()
    for ax, (name, hist) in zip(grid(fig, len(shown), cols, share=True), shown, strict=True):
        if base is not None and name != inputs.baseline:
            ax.stairs(100 * base, edges, color=OKABE_ITO["grey"], lw=1.2, label="baseline")
        ax.stairs(
            100 * hist, edges, fill=True, color=OKABE_ITO["blue"], alpha=0.7, label="this arm"
        )
        ax.axvline(_SPARSE_BELOW, color=OKABE_ITO["vermillion"], lw=0.8, ls=":")
        ax.set_title(
            f"{name}: {100 * hist[edges[1:] <= _SPARSE_BELOW].sum():.1f}% < 1e-3", fontsize=9
        )
        ax.set_xticks([-9, -8, -6, -4, -2, 0], ["0", "1e-8", "1e-6", "1e-4", "1e-2", "1"])
        ax.label_outer()
    fig.supxlabel("|w| of kernel weights (log scale; dotted: sparsity threshold 1e-3)")
    fig.supylabel("share of weights (%)")
    handles = [
        Line2D([], [], color=OKABE_ITO["blue"], lw=6, alpha=0.7, label="this arm"),
        Line2D([], [], color=OKABE_ITO["grey"], lw=1.2, label=f"baseline ({inputs.baseline})"),
    ]
    fig.legend(handles=handles, loc="outside upper center", ncols=2, frameon=False)
    return png(fig)


def sparsity(inputs: ReportInputs) -> bytes:
    """Share of kernel weights with |w| < 1e-3 per arm, mean and 95% CI over seeds."""
    arms = inputs.arms
    fig = new_figure(7.0, _height(len(arms)))
    ax = fig.subplots()
    for i, arm in enumerate(arms):
        stat = arm["sparsity"]
        mean = finite(stat["mean"])
        if mean is None:
            continue
        lo, hi = (finite(v) for v in stat["ci95"])
        err = None if lo is None or hi is None else [[100 * (mean - lo)], [100 * (hi - mean)]]
        colour = _bar_colour(arm["name"], inputs.baseline)
        ax.barh(i, 100 * mean, xerr=err, color=colour, alpha=0.8, capsize=3)
    ax.set_xlabel("sparsity: kernel weights with |w| < 1e-3 (%)")
    ax.set_title("mean and 95% CI over seeds (black: baseline)", fontsize=10)
    _arm_rows(ax, [a["name"] for a in arms])
    return png(fig)


def stopping_epochs(inputs: ReportInputs, epochs: int) -> bytes:
    """Best and stop epoch of every run, one row per arm, seeds side by side."""
    arms = [a["name"] for a in inputs.arms]
    fig = new_figure(7.0, _height(len(arms)) + 0.4)
    ax = fig.subplots()
    for i, arm in enumerate(arms):
        rows = inputs.runs[inputs.runs["arm"] == arm].sort_values("seed")
        offsets = (np.arange(len(rows)) - (len(rows) - 1) / 2) * min(0.15, 0.7 / max(1, len(rows)))
        ax.plot(rows["best_epoch"], i + offsets, "o", color=OKABE_ITO["blue"], ms=7, mfc="none")
        ax.plot(rows["stop_epoch"], i + offsets, "x", color=OKABE_ITO["vermillion"], ms=5)
    ax.axvline(epochs, color=OKABE_ITO["grey"], lw=1, ls="--")
    ax.set_xlabel("epoch (dashed: the epoch budget)")
    ax.set_xlim(0.5, epochs + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _arm_rows(ax, arms)
    handles = [
        Line2D(
            [],
            [],
            color=OKABE_ITO["blue"],
            marker="o",
            mfc="none",
            ls="",
            label="best epoch (lowest validation loss)",
        ),
        Line2D([], [], color=OKABE_ITO["vermillion"], marker="x", ls="", label="stop epoch"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    return png(fig)


def time_per_run(inputs: ReportInputs) -> bytes:
    """Seconds per run per arm (pack wall time / members), labelled with the ratio to baseline."""
    arms = inputs.arms
    fig = new_figure(7.0, _height(len(arms)))
    ax = fig.subplots()
    means = [finite(a["train_seconds"]["mean"]) for a in arms]
    top = max((m for m in means if m is not None), default=1.0)
    for i, (arm, mean) in enumerate(zip(arms, means, strict=True)):
        if mean is None:
            continue
        colour = _bar_colour(arm["name"], inputs.baseline)
        ax.barh(i, mean, color=colour, alpha=0.8)
        ax.text(mean + 0.01 * top, i, ratio(arm.get("time_vs_baseline")), va="center", fontsize=8)
    ax.set_xlim(0, top * 1.15)
    ax.set_xlabel("seconds per run (pack wall time / runs in the pack)")
    ax.set_title("labels: time relative to the baseline (black)", fontsize=10)
    _arm_rows(ax, [a["name"] for a in arms])
    return png(fig)
