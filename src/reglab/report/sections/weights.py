"""Section "Weights: histograms and sparsity": where each arm's kernel weights lie.

>>> weights_note(load_inputs("runs/quickstart"))
['Sparsity is the share of kernel weights with |w| < 1e-3; the baseline none has ...']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from reglab.analysis.results import ArmSummary
from reglab.engine import HIST_EDGES
from reglab.report.blocks import Block, Image, Paragraph, Section
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import SHARE, clip_interval, finite, interval_pct, pct, plain_pp
from reglab.report.plotting import (
    OKABE_ITO,
    arm_rows,
    bar_colour,
    grid,
    label_outer,
    new_figure,
    panel_size,
    png,
    row_height,
    share_limits,
)
from reglab.report.sections.gap import change, extremes, tested_changes

__all__ = ["arm_histogram", "section", "sparsity", "weight_histograms", "weights_note"]

_SPARSE_BELOW = -3.0  # log10 of the sparsity threshold |w| < 1e-3 (runs.csv "sparsity")


def section(inputs: ReportInputs) -> Section:
    blocks: list[Block] = []
    hist = weight_histograms(inputs)
    if hist is not None:
        caption = "Distribution of |w| over all kernel weights, all seeds of each arm pooled."
        blocks.append(Image("weight_histograms", hist, caption))
    caption = "Share of kernel weights with |w| < 1e-3, mean and 95% CI over seeds."
    blocks.append(Image("sparsity", sparsity(inputs), caption))
    blocks += [Paragraph(t) for t in weights_note(inputs)]
    return Section("Weights: histograms and sparsity", "weights", blocks)


def _technique_arms(runs: pd.DataFrame, column: str) -> list[str]:
    if column not in runs:
        return []
    values = pd.to_numeric(runs[column], errors="coerce").fillna(0.0)
    return list(dict.fromkeys(runs.loc[values > 0, "arm"]))


def weights_note(inputs: ReportInputs) -> list[str]:
    """Sparsity against the baseline where a paired test detects it, and the measured
    sparsity of the L1 and L2 arms side by side (no claim about L1 against L2: untested)."""
    if inputs.summary is None or extremes(inputs, "sparsity") is None:
        return []
    base = inputs.arm(inputs.summary.baseline)
    found, tested = tested_changes(inputs.summary.others, "sparsity")
    out = [
        f"Sparsity is the share of kernel weights with |w| < 1e-3; the baseline {base.name} "
        f"has {_measured(base)}. "
        + (
            "Detected against it (paired t-test over seeds, Holm over the "
            f"{len(tested)} arms tested): "
            + "; ".join(change(a.name, "sparsity", r, plain_pp) for a, r in found)
            + "."
            if found
            else f"No arm's sparsity differs detectably from the baseline's (paired t-test "
            f"over seeds, Holm over the {len(tested)} arms tested)."
        )
    ]
    groups = {c: _technique_arms(inputs.runs, c) for c in ("l1", "l2")}
    if groups["l1"] and groups["l2"]:
        shown = {
            c: "; ".join(f"{n} {_measured(inputs.arm(n))}" for n in names)
            for c, names in groups.items()
        }
        out.append(
            f"Measured here, share of kernel weights below 1e-3 (mean [95% CI] over seeds): "
            f"L1 arms {shown['l1']}; L2 arms {shown['l2']}. L1 and L2 arms were not tested "
            "against each other; what each does to sparsity under this optimizer and "
            "training length is what these numbers show, nothing more."
        )
    return out


def _measured(arm: ArmSummary) -> str:
    if arm.diverged:
        return "no value (diverged)"
    return f"{pct(arm.sparsity.mean)} {interval_pct(arm.sparsity.ci95)}"


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
    hists = {a.name: arm_histogram(inputs, a.name) for a in inputs.arms}
    shown = [(n, h) for n, h in hists.items() if h is not None]
    if not shown:
        return None
    base = hists.get(inputs.baseline or "")
    fig = new_figure(*panel_size(len(shown), height=2.1))
    edges = _log_edges()
    axes = grid(fig, len(shown), 4, share=True)
    for ax, (name, hist) in zip(axes, shown, strict=True):
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
        ax.tick_params(axis="x", labelsize=8)
    label_outer(axes, 4)
    fig.supxlabel(
        "|w| of kernel weights (log scale; dotted: the sparsity threshold 1e-3)", fontsize=10
    )
    fig.supylabel("share of weights (%)", fontsize=10)
    handles = [
        Line2D([], [], color=OKABE_ITO["blue"], lw=6, alpha=0.7, label="this arm"),
        Line2D([], [], color=OKABE_ITO["grey"], lw=1.2, label=f"baseline ({inputs.baseline})"),
    ]
    fig.legend(handles=handles, loc="outside upper center", ncols=2, frameon=False)
    return png(fig)


def sparsity(inputs: ReportInputs) -> bytes:
    """Share of kernel weights with |w| < 1e-3 per arm, mean and 95% CI over seeds."""
    arms = inputs.arms
    fig = new_figure(7.0, row_height(len(arms)))
    ax = fig.subplots()
    for i, arm in enumerate(arms):
        stat = arm.sparsity
        mean = finite(stat.mean)
        if mean is None:
            continue
        lo, hi = clip_interval(stat.ci95, SHARE)
        err = None if lo is None or hi is None else [[100 * (mean - lo)], [100 * (hi - mean)]]
        colour = bar_colour(arm.name, inputs.baseline)
        ax.barh(i, 100 * mean, xerr=err, color=colour, alpha=0.8, capsize=3)
    ax.set_xlabel("sparsity: kernel weights with |w| < 1e-3 (%)")
    ax.set_title("mean and 95% CI over seeds (black: baseline)", fontsize=10)
    arm_rows(ax, [a.name for a in arms])
    share_limits(ax, "x")
    return png(fig)
