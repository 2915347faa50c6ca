"""Section "Generalization gap": test accuracy and train − test gap per arm, with CIs.

>>> gap_note(load_inputs("runs/quickstart"))
["The smallest generalization gap is l2=1e-3's (1.20 pp), the largest none's ...", ...]
"""

from __future__ import annotations

from reglab.analysis.results import ArmSummary
from reglab.report.blocks import Image, Paragraph, Section
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import DIFFERENCE, SHARE, finite, plain_pp, pp
from reglab.report.plotting import (
    OKABE_ITO,
    VERDICT_COLOURS,
    arm_rows,
    new_figure,
    png,
    point_ci,
    row_height,
    share_limits,
    verdict_legend,
    verdict_of,
)

__all__ = ["accuracy_and_gap", "extremes", "gap_note", "section"]


def section(inputs: ReportInputs) -> Section:
    image = Image(
        "accuracy_and_gap",
        accuracy_and_gap(inputs),
        "Test accuracy and generalization gap per arm, mean and 95% CI over seeds, coloured "
        "by verdict against the baseline.",
    )
    return Section("Generalization gap", "gap", [image, *map(Paragraph, gap_note(inputs))])


def extremes(inputs: ReportInputs, metric: str) -> tuple[ArmSummary, ArmSummary] | None:
    """The arms with the lowest and the highest mean of ``metric`` (first in study order)."""
    arms = [a for a in inputs.arms if finite(a.stat(metric).mean) is not None]
    if not arms:
        return None
    return min(arms, key=lambda a: _mean(a, metric)), max(arms, key=lambda a: _mean(a, metric))


def _mean(arm: ArmSummary, metric: str) -> float:
    return finite(arm.stat(metric).mean) or 0.0


def _gap_delta(arm: ArmSummary) -> float:
    return (arm.vs_baseline.gap_delta if arm.vs_baseline else None) or 0.0


def gap_note(inputs: ReportInputs) -> list[str]:
    """Smallest and largest gap, and the largest paired reduction against the baseline."""
    ends = extremes(inputs, "gap")
    if ends is None:
        return []
    lo, hi = ends
    base = inputs.arm(inputs.baseline or lo.name)
    text = (
        f"The smallest generalization gap is {lo.name}'s ({plain_pp(lo.gap.mean)}), the "
        f"largest {hi.name}'s ({plain_pp(hi.gap.mean)})"
    )
    if base is lo or base is hi:
        out = [text + "."]
    else:
        out = [text + f"; the baseline {base.name} has {plain_pp(base.gap.mean)}."]
    paired = [
        a for a in inputs.arms if a.vs_baseline and finite(a.vs_baseline.gap_delta) is not None
    ]
    if paired:
        best = min(paired, key=_gap_delta)
        vs, delta = best.vs_baseline, _gap_delta(best)
        assert vs is not None
        cost = f"its test accuracy changes by {pp(vs.delta)} ({vs.verdict})"
        if delta < 0:
            out.append(
                f"Paired by seed, {best.name} narrows the gap most: {pp(delta)} against the "
                f"baseline, while {cost}."
            )
        else:
            out.append(
                f"Paired by seed, no arm narrows the gap; the least widening is {best.name}'s ({pp(delta)})."
            )
    return out


def accuracy_and_gap(inputs: ReportInputs) -> bytes:
    """Test accuracy and generalization gap per arm: mean and 95% CI over seeds."""
    arms = inputs.arms
    names = [a.name for a in arms]
    verdicts = [verdict_of(a, inputs.baseline) for a in arms]
    fig = new_figure(10.0, row_height(len(arms)) + 0.5)
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, metric, label, valid in (
        (left, "test_acc", "test accuracy (%)", SHARE),
        (right, "gap", "generalization gap: train − test (pp)", DIFFERENCE),
    ):
        base = finite(inputs.arm(inputs.baseline or names[0]).stat(metric).mean)
        if base is not None:
            ax.axvline(100 * base, color=OKABE_ITO["grey"], lw=1, ls="--")
        for i, (arm, verdict) in enumerate(zip(arms, verdicts, strict=True)):
            point_ci(ax, i, arm.stat(metric), VERDICT_COLOURS[verdict], valid)
        ax.set_xlabel(label)
        arm_rows(ax, names)
    share_limits(left, "x")
    left.set_title("mean and 95% CI over seeds (dashed: baseline)", fontsize=10)
    fig.legend(handles=verdict_legend(verdicts), loc="outside lower center", ncols=4, frameon=False)
    return png(fig)
