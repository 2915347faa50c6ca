"""Section "Generalization gap": test accuracy and train − test gap per arm, with CIs.

>>> gap_note(load_inputs("runs/quickstart"))
["The baseline none's generalization gap is 2.31 pp. Each arm's gap was compared ..."]

No ranking without a test: a change of gap is stated only when the paired t-test over
seeds detects it (Holm over the arms, gap being a family of its own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reglab.analysis.results import ArmSummary, Paired
from reglab.report.blocks import Image, Paragraph, Section
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import DIFFERENCE, SHARE, finite, interval_pp, plain_pp, pp
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
from reglab.report.sections._metric import p_is, values_range

__all__ = ["accuracy_and_gap", "change", "extremes", "gap_note", "section", "tested_changes"]


def section(inputs: ReportInputs) -> Section:
    image = Image(
        "accuracy_and_gap",
        accuracy_and_gap(inputs),
        "Test accuracy and generalization gap per arm, mean and 95% CI over seeds, coloured "
        "by verdict against the baseline.",
    )
    return Section("Generalization gap", "gap", [image, *map(Paragraph, gap_note(inputs))])


def extremes(inputs: ReportInputs, metric: str) -> tuple[ArmSummary, ArmSummary] | None:
    """The arms with the lowest and the highest mean of ``metric`` (first in study order).
    A description for figures and tables, not a claim: sentences use tested comparisons."""
    arms = [a for a in inputs.arms if finite(a.stat(metric).mean) is not None]
    if not arms:
        return None
    return min(arms, key=lambda a: _mean(a, metric)), max(arms, key=lambda a: _mean(a, metric))


def _mean(arm: ArmSummary, metric: str) -> float:
    return finite(arm.stat(metric).mean) or 0.0


def tested_changes(
    arms: Sequence[ArmSummary], metric: str
) -> tuple[list[tuple[ArmSummary, Paired]], list[Paired]]:
    """The arms whose paired test of ``metric`` ("gap", "sparsity", "step_seconds") against
    the baseline detected a change (Holm within the metric), and every tested result."""
    found, tested = [], []
    for arm in arms:
        result = None if arm.vs_baseline is None else getattr(arm.vs_baseline, metric)
        if result is None or result.p_value is None:
            continue
        tested.append(result)
        if result.detected:
            found.append((arm, result))
    return found, tested


def change(
    name: str,
    what: str,
    result: Paired,
    show: Callable[[Any], str],
    show_ci: Callable[[Any], str] = interval_pp,
) -> str:
    """'l2=1e-3: gap lower by 1.20 pp (95% CI [...], Holm p=0.004)'."""
    return (
        f"{name}: {what} {result.verdict} by {show(result.delta)} (95% CI "
        f"{show_ci(result.ci95)}, Holm p{p_is(result.p_holm)})"
    )


def gap_note(inputs: ReportInputs) -> list[str]:
    """The gap per arm against the baseline, stated only where a paired test detects it."""
    if inputs.summary is None or extremes(inputs, "gap") is None:
        return []
    base = inputs.arm(inputs.summary.baseline)
    found, tested = tested_changes(inputs.summary.others, "gap")
    head = (
        f"The baseline {base.name}'s generalization gap is {plain_pp(base.gap.mean)}. Each arm's "
        "gap was compared with it by a paired t-test over seeds, Holm-corrected over the "
        f"{len(tested)} arms tested (a family of its own, beside the verdicts')."
    )
    if not tested:
        return [head.split(" Each")[0] + " No arm had enough paired seeds to test its gap."]
    if not found:
        deltas = sorted(finite(t.delta) or 0.0 for t in tested)
        spread = values_range(pp(deltas[0]), pp(deltas[-1]))
        return [
            head + f" No arm's gap differs detectably from the baseline's; the observed "
            f"paired changes {spread}."
        ]
    return [head + " Detected: " + "; ".join(change(a.name, "gap", r, plain_pp) for a, r in found)
            + "."]  # fmt: skip


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
            point_ci(
                ax, i, arm.stat(metric), VERDICT_COLOURS.get(verdict, OKABE_ITO["grey"]), valid
            )
        ax.set_xlabel(label)
        arm_rows(ax, names)
    share_limits(left, "x")
    left.set_title("mean and 95% CI over seeds (dashed: baseline)", fontsize=10)
    fig.legend(handles=verdict_legend(verdicts), loc="outside lower center", ncols=4, frameon=False)
    return png(fig)
