"""Demo 9: the Dropout paper's MNIST setup (Srivastava et al. 2014, section 6.1.1 and
appendix B.1), CPU-sized: a 3×1024 ReLU network, dropout 0.2 on the inputs and 0.5 on the
hidden units, max-norm 3, SGD with momentum ramped from 0.5 to 0.99 and an exponentially
decaying learning rate — on 3,000 MNIST images for 20 epochs instead of 60,000 for
thousands. Arms: none, dropout + max-norm (the paper's), dropout alone.

The study is ``examples/srivastava2014-short.toml`` (tests keep the two the same); the
GPU-sized run is ``examples/srivastava2014.toml``::

    $ reglab demo srivastava            # runs/demos/srivastava/
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from reglab.analysis.results import ArmSummary, StudySummary
from reglab.analysis.stats import PairedComparison, paired_comparison
from reglab.demos.base import Check, Demo, DemoContext, setting_line
from reglab.demos.claims import arm_test, train_test_gap
from reglab.demos.curves import arm_curve
from reglab.demos.tables import arm_table
from reglab.engine.schedule import schedule_table
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure
from reglab.study import StudySpec

__all__ = ["ARMS", "SRIVASTAVA", "short_spec"]

NONE, PAPER, DROPOUT = "none", "indrop=0.2+dropout=0.5+maxnorm=3", "indrop=0.2+dropout=0.5"
ARMS = [NONE, PAPER, DROPOUT]
COLOURS = {NONE: "black", PAPER: "vermillion", DROPOUT: "blue"}


def short_spec(ctx: DemoContext) -> StudySpec:
    """The short variant (examples/srivastava2014-short.toml); ``quick``: digits, 3×64."""
    epochs = ctx.size(20, 4)
    table: dict[str, Any] = {
        "name": "srivastava2014-short",
        "arms": ARMS,
        "seeds": 3,
        "data": ctx.size(
            {"name": "mnist", "val_size": 2000, "train_subset": 3000},
            {"name": "digits", "val_size": 300, "train_subset": 300},
        ),
        "model": {"hidden": [ctx.size(1024, 64)] * 3},
        "optimizer": {
            "name": "sgd",
            "lr": 0.2,
            "schedule": "exponential",
            "lr_decay": 0.9,
            "momentum": 0.5,
            "momentum_final": 0.99,
            "momentum_epochs": epochs // 2,
        },
        "train": {
            "epochs": epochs,
            "batch_size": ctx.size(100, 32),
            "train_eval_size": 2000,
            "device": ctx.device,
        },
    }
    return StudySpec.from_dict(table, where="the demo 'srivastava'")


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    spec = short_spec(ctx)
    s = ctx.study("study", spec)
    body = arm_table(s, [("test loss (NLL)", lambda a: _f3(a.test_loss.mean))])
    paper, none, dropout = s.arm(PAPER), s.arm(NONE), s.arm(DROPOUT)
    added = _paired(s, DROPOUT, PAPER)
    body += (
        f"\nMax-norm on top of dropout (paired over {added.n} seeds; a test of its own, "
        f"outside the table's Holm family): {_verdict(added)}."
        f"{_never_bound(dropout, paper)}\n\n"
        f"The paper trains for thousands of epochs on 60,000 images; this run is "
        f"{spec.train.epochs} epochs on {spec.data.train_subset or 'all'} images, the early "
        "part of such a training. `examples/srivastava2014.toml` is the GPU-sized run "
        "(500 epochs on all of MNIST's training images).\n"
    )
    vs = paper.vs_baseline
    gap = arm_test(ctx.out / "study", PAPER, NONE, train_test_gap)
    checks = [
        Check(
            "Dropout with max-norm is more accurate than no regularization in the paper's setup",
            vs is not None and vs.verdict == "better",
            f"Δ {numbers.pp(vs.delta if vs else None)}, verdict '{vs.verdict if vs else 'n/a'}'",
        ),
        Check(
            "Dropout with max-norm narrows the train–test gap",
            gap.shows("lower"),
            f"gap {numbers.plain_pp(paper.gap.mean)} vs {numbers.plain_pp(none.gap.mean)}; "
            f"{gap.text()}",
        ),
        Check(
            "Max-norm adds to dropout: dropout with max-norm beats dropout alone",
            added.verdict == "better",
            f"{_verdict(added)}; "
            f"{numbers.pct(paper.test_acc.mean)} vs {numbers.pct(dropout.test_acc.mean)}",
        ),
    ]
    figures = [
        ctx.figure("schedule", _plot_schedule(spec)),
        ctx.figure("curves", _plot_curves(ctx.out / "study", s)),
    ]
    return setting_line(spec), body, figures, checks


def _paired(s: StudySummary, baseline: str, treatment: str) -> PairedComparison:
    """Paired comparison of two arms' test accuracies over the seeds both finished."""
    acc = {
        name: {r.seed: r.test_acc for r in s.arm(name).runs if r.test_acc is not None}
        for name in (baseline, treatment)
    }
    seeds = sorted(set(acc[baseline]) & set(acc[treatment]))
    return paired_comparison(
        [acc[baseline][k] for k in seeds], [acc[treatment][k] for k in seeds], plan=False
    )


def _verdict(c: PairedComparison) -> str:
    """Δ with its interval and the verdict, or why there is none."""
    if c.too_few:
        return f"Δ {numbers.pp(c.delta)}, no verdict ({c.too_few})"
    return f"Δ {numbers.pp(c.delta)} {numbers.interval_pp(c.ci95)}, verdict '{c.verdict}'"


def _never_bound(dropout: ArmSummary, paper: ArmSummary) -> str:
    """A sentence when max-norm changed nothing: with the same seeds (same initial weights,
    data order and masks) the two arms' runs differ only where the constraint projected."""
    a = {r.seed: r.test_acc for r in dropout.runs}
    b = {r.seed: r.test_acc for r in paper.runs}
    if not a or a != b:
        return ""
    return (
        " Every seed's result is identical with and without max-norm: no unit's incoming "
        "weights reached the bound, so the constraint never acted."
    )


def _f3(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _plot_schedule(spec: StudySpec) -> Figure:
    table = schedule_table(spec.optimizer, spec.train.epochs)
    epochs = np.arange(1, len(table) + 1)
    fig = new_figure(6, 2.6)
    lr_ax, mom_ax = fig.subplots(1, 2)
    lr_ax.plot(epochs, [h.lr for h in table], color=OKABE_ITO["black"], label="lr")
    step = [h.lr / (1 - h.momentum) for h in table]  # SGD's step once momentum settles
    lr_ax.plot(epochs, step, "--", color=OKABE_ITO["vermillion"], label="lr / (1 − momentum)")
    lr_ax.set(xlabel="epoch", ylabel="learning rate", yscale="log")
    lr_ax.legend(frameon=False, fontsize=7)
    mom_ax.plot(epochs, [h.momentum for h in table], color=OKABE_ITO["black"])
    mom_ax.set(xlabel="epoch", ylabel="momentum")
    return fig


def _plot_curves(directory: Path, summary: StudySummary) -> Figure:
    fig = new_figure(7, 2.8)
    val_ax, gap_ax = fig.subplots(1, 2)
    for arm in summary.names:
        colour = OKABE_ITO[COLOURS.get(arm, "grey")]
        x, val = arm_curve(directory, arm, "val_acc")
        _, train = arm_curve(directory, arm, "train_acc")
        val_ax.plot(x, val * 100, color=colour, label=arm)
        gap_ax.plot(x, (train - val) * 100, color=colour, label=arm)
    val_ax.set(xlabel="epoch", ylabel="validation accuracy %")
    gap_ax.set(xlabel="epoch", ylabel="train − validation (pp)")
    val_ax.legend(frameon=False, fontsize=7)
    return fig


SRIVASTAVA = Demo(
    number=9,
    name="srivastava",
    title="The Dropout paper's MNIST setup, with its schedules",
    summary="3×1024 ReLU, indrop 0.2, dropout 0.5, max-norm 3, SGD momentum 0.5→0.99, "
    "decaying lr; 3,000 MNIST images, 20 epochs.",
    cpu_seconds=207,
    body=_body,
)
