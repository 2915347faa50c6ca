"""Demo 2: L1 makes weights exactly small (sparsity), L2 shrinks them all (no sparsity).

Arms none, l1, l2 at the same coefficient; the fraction of kernel weights with |w| < 1e-3,
the weight histograms (log |w|), and what each costs in accuracy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from reglab.analysis.results import StudySummary
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import arm_test
from reglab.demos.tables import arm_table
from reglab.engine import HIST_EDGES
from reglab.engine.measure import SPARSITY_THRESHOLD
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure
from reglab.store import StudyDir

__all__ = ["SPARSITY"]

ARMS = ["none", "l1=1e-3", "l2=1e-3"]


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    spec = digits_spec("demo-sparsity", ARMS, ctx, seeds=ctx.size(10, 3), epochs=ctx.size(8, 6))
    s = ctx.study("study", spec)
    body = arm_table(
        s,
        [
            (
                f"share of weights below {SPARSITY_THRESHOLD:g} in size",
                lambda a: numbers.pct(a.sparsity.mean, 1),
            ),
            ("‖W₁‖₂ (first layer)", lambda a: f"{a.weight_l2[0]:.2f}" if a.weight_l2 else "n/a"),
        ],
    )
    l1, l2, none = s.arm("l1=1e-3"), s.arm("l2=1e-3"), s.arm("none")
    sp = {a.name: a.sparsity.mean or 0.0 for a in (l1, l2, none)}
    norms = {a.name: a.weight_l2[0] if a.weight_l2 else float("nan") for a in (l1, l2, none)}
    directory = ctx.out / "study"
    sparser = arm_test(directory, "l1=1e-3", "l2=1e-3", lambda r: r.sparsity)
    shrinks = arm_test(directory, "l2=1e-3", "none", lambda r: r.weight_l2[0])
    checks = [
        Check(
            "L1 leaves far more near-zero weights than L2 at the same coefficient",
            sp["l1=1e-3"] > 2 * sp["l2=1e-3"]
            and sp["l1=1e-3"] - sp["l2=1e-3"] > 0.1
            and sparser.shows("higher"),
            f"{numbers.pct(sp['l1=1e-3'], 1)} vs {numbers.pct(sp['l2=1e-3'], 1)} "
            f"(none: {numbers.pct(sp['none'], 1)}; means over seeds; 'far': over twice and "
            f"10 pp more); {sparser.text()}",
        ),
        Check(
            "L2 shrinks the weights (smaller norm than without regularization)",
            shrinks.shows("lower"),
            f"first-layer norm {norms['l2=1e-3']:.2f} vs {norms['none']:.2f}; {shrinks.text()}",
        ),
    ]
    figure = ctx.figure("weight-histograms", _plot(ctx.out / "study", s))
    return setting_line(spec), body, [figure], checks


def _plot(directory: Path, summary: StudySummary) -> Figure:
    hists = StudyDir(directory).arrays("hist")
    runs = StudyDir(directory).run_records()
    fig = new_figure(6, 3)
    ax = fig.subplots()
    centres = np.sqrt(np.maximum(HIST_EDGES[:-1], 1e-9) * HIST_EDGES[1:])
    colours = {"none": "black", "l1=1e-3": "vermillion", "l2=1e-3": "blue"}
    for arm in summary.names:
        total = sum(hists[r.run_id] for r in runs if r.arm == arm)
        share = np.asarray(total, dtype=float) / max(float(np.sum(total)), 1.0)
        ax.step(centres, share, where="mid", label=arm, color=OKABE_ITO[colours.get(arm, "grey")])
    ax.axvline(SPARSITY_THRESHOLD, color=OKABE_ITO["grey"], ls=":", lw=0.8)
    ax.set(xscale="log", xlabel="|w| (kernel weights)", ylabel="share of weights")
    ax.legend(frameon=False)
    return fig


SPARSITY = Demo(
    number=2,
    name="sparsity",
    title="L1 sparsity vs L2 shrinkage",
    summary="none vs l1=1e-3 vs l2=1e-3: near-zero weight share, histograms, accuracy.",
    cpu_seconds=3,
    body=_body,
)
