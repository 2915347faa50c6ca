"""Section "Early stopping": each run's best and stop epoch, and why it stopped.

>>> stopping_note(load_inputs("runs/quickstart"), 10)
['es=3: best epoch 6.2 and stop epoch 9.2 on average (of 10); 3 of 5 runs stopped ...']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from reglab.report.blocks import Block, Image, Paragraph, Section, Table
from reglab.report.inputs import ReportInputs
from reglab.report.plotting import OKABE_ITO, arm_rows, new_figure, png, row_height

__all__ = ["section", "stopping_epochs", "stopping_note", "stopping_table"]


def section(inputs: ReportInputs) -> Section:
    names = [a.name for a in inputs.arms]
    budget = inputs.spec.get("train", {}).get("epochs")
    epochs = int(budget) if budget else int(inputs.runs["stop_epoch"].max())
    image = Image(
        "stopping_epochs",
        stopping_epochs(inputs, epochs),
        "Best epoch (lowest validation loss, or the early-stopping monitor's best; its weights "
        "are restored only in early-stopping arms) and stop epoch of every run, seeds side by side.",
    )
    blocks: list[Block] = [image, stopping_table(inputs.runs, names)]
    blocks += [Paragraph(t) for t in stopping_note(inputs, epochs)]
    return Section("Early stopping", "stopping", blocks)


def stopping_table(runs: pd.DataFrame, arms: list[str]) -> Table:
    """Per arm: mean best and stop epoch, and the stop reasons with their counts."""
    rows = []
    for arm in arms:
        r = runs[runs["arm"] == arm]
        if r.empty:
            continue
        reasons = r["stop_reason"].fillna("?").value_counts()
        rows.append(
            [
                arm,
                f"{r['best_epoch'].mean():.1f}",
                f"{r['stop_epoch'].mean():.1f}",
                "; ".join(f"{reason} ({count})" for reason, count in reasons.items()),
            ]
        )
    return Table(
        ["arm", "best epoch (mean)", "stop epoch (mean)", "stop reasons (runs)"],
        rows,
        frozenset({1, 2}),
    )


def stopping_note(inputs: ReportInputs, epochs: int | None) -> list[str]:
    """Per early-stopping arm: best and stop epoch, and how many runs stopped early."""
    runs = inputs.runs
    patience = pd.to_numeric(runs.get("es_patience"), errors="coerce")
    es_arms = list(dict.fromkeys(runs.loc[patience.notna(), "arm"])) if patience is not None else []
    budget = epochs if epochs is not None else int(runs["stop_epoch"].max())
    if not es_arms:
        return [
            f"No arm uses early stopping; every run's stop epoch is its last trained epoch (budget {budget})."
        ]
    out = []
    for arm in es_arms:
        rows = runs[runs["arm"] == arm]
        early = int((rows["stop_epoch"] < budget).sum())
        out.append(
            f"{arm}: best epoch {rows['best_epoch'].mean():.1f} and stop epoch "
            f"{rows['stop_epoch'].mean():.1f} on average (of {budget}); {early} of {len(rows)} "
            "runs stopped before the budget."
        )
    return out


def stopping_epochs(inputs: ReportInputs, epochs: int) -> bytes:
    """Best and stop epoch of every run, one row per arm, seeds side by side."""
    arms = [a.name for a in inputs.arms]
    fig = new_figure(7.0, row_height(len(arms)) + 0.4)
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
    arm_rows(ax, arms)
    best = Line2D(
        [],
        [],
        color=OKABE_ITO["blue"],
        marker="o",
        mfc="none",
        ls="",
        label="best epoch (lowest validation loss)",
    )
    stop = Line2D([], [], color=OKABE_ITO["vermillion"], marker="x", ls="", label="stop epoch")
    fig.legend(handles=[best, stop], loc="outside lower center", ncols=2, frameon=False)
    return png(fig)
