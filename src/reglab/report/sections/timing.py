"""Section "Time": seconds per training step after warm-up, with spread, against the baseline.

``seconds`` in epochs.csv is a pack's wall time for one epoch divided by its runs; epoch 1
is left out (it carries one-time start-up: allocation, kernel choice), and a time
difference is stated only when a paired t-test over seeds detects it (Holm over the arms;
time is a family of its own)::

    >>> time_note(load_inputs("runs/quickstart"))[1]
    'No arm's time per step differs detectably from the baseline's ...'
"""

from __future__ import annotations

from reglab.analysis.results import ArmSummary
from reglab.report.blocks import Block, Image, Paragraph, Section
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import NA, finite
from reglab.report.plotting import arm_rows, bar_colour, new_figure, png, row_height
from reglab.report.sections._metric import many
from reglab.report.sections.gap import change, tested_changes

__all__ = ["ms", "section", "spread", "time_note", "time_per_run"]


def section(inputs: ReportInputs) -> Section:
    image = Image(
        "time_per_run",
        time_per_run(inputs),
        "Milliseconds per training step after the first epoch: mean over seeds, and the "
        "range over epochs and runs.",
    )
    blocks: list[Block] = [image, *map(Paragraph, time_note(inputs))]
    return Section("Time", "time", blocks)


def ms(value: object) -> str:
    """Seconds as milliseconds: 0.01954 -> '19.54 ms'."""
    v = finite(value)
    return NA if v is None else f"{1000 * abs(v):.2f} ms"


def _ms_interval(ci: object) -> str:
    lo, hi = ci if isinstance(ci, tuple | list) and len(ci) == 2 else (None, None)
    a, b = finite(lo), finite(hi)
    return NA if a is None or b is None else f"[{1000 * a:+.2f}, {1000 * b:+.2f}] ms"


def spread(arm: ArmSummary) -> str:
    """'19.55 ms per step (range 16.69 to 22.41 ms)'."""
    lo, hi = arm.step_seconds_range
    if finite(arm.step_seconds.mean) is None:
        return "no time after the first epoch"
    text = f"{ms(arm.step_seconds.mean)} per step"
    if finite(lo) is None or finite(hi) is None:
        return text
    return text + (
        f" (every epoch {ms(lo)})" if ms(lo) == ms(hi) else f" (range {ms(lo)} to {ms(hi)})"
    )


def time_note(inputs: ReportInputs) -> list[str]:
    """How time was measured, the baseline's time, and the tested differences only."""
    if inputs.summary is None:
        return []
    base = inputs.arm(inputs.summary.baseline)
    found, tested = tested_changes(inputs.summary.others, "step_seconds")
    how = (
        "Time per step is the wall time of the pack a run trained in, per epoch, divided by "
        "the runs in that pack and the steps per epoch, averaged over epochs 2 onwards (the "
        "first epoch includes one-time start-up). Runs of one pack share one wall time, and "
        "packs ran one after another on a machine whose load may vary, so times are rough."
    )
    if finite(base.step_seconds.mean) is None:
        return [how, "The baseline has no timed epoch after the first: no time comparison."]
    head = f"The baseline {base.name}: {spread(base)}. "
    if found:
        claims = "; ".join(change(a.name, "time per step", r, ms, _ms_interval) for a, r in found)
        return [how, head + f"Detected (paired t-test over seeds, Holm over "
                f"{many(len(tested), 'arm')}): {claims}."]  # fmt: skip
    if not tested:
        why = (
            "No time difference is stated: no arm's paired time differences allow a test "
            "(fewer than 3 seeds, or the same difference on every seed: seeds of an arm "
            "that trained in one pack share one timing, so they are not independent)."
        )
    else:
        why = (
            f"No arm's time per step differs detectably from the baseline's (paired t-test "
            f"over seeds, Holm over {many(len(tested), 'arm')})."
        )
    return [how, head + why]


def time_per_run(inputs: ReportInputs) -> bytes:
    """Milliseconds per step after the first epoch per arm: the mean over seeds as a bar,
    the range over epochs and runs as a line (no ratios: they are not tested)."""
    arms = inputs.arms
    fig = new_figure(7.0, row_height(len(arms)))
    ax = fig.subplots()
    top = 1.0
    for i, arm in enumerate(arms):
        mean = finite(arm.step_seconds.mean)
        if mean is None:
            continue
        ax.barh(i, 1000 * mean, color=bar_colour(arm.name, inputs.baseline), alpha=0.8)
        lo, hi = (finite(v) for v in arm.step_seconds_range)
        if lo is not None and hi is not None:
            ax.plot([1000 * lo, 1000 * hi], [i, i], color="black", lw=1.5)
            top = max(top, 1000 * hi)
        top = max(top, 1000 * mean)
    ax.set_xlim(0, top * 1.1)
    ax.set_xlabel("ms per training step, epochs 2 onwards")
    ax.set_title("bar: mean over seeds; line: range over epochs and runs", fontsize=10)
    arm_rows(ax, [a.name for a in arms])
    return png(fig)
