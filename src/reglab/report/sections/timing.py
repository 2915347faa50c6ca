"""Section "Time": seconds per run (a share of its pack's wall time) against the baseline.

>>> time_note(load_inputs("runs/quickstart"))[1]
'Cheapest: l2=1e-3 (0.60 s per run, ×0.15 the baseline); dearest: ...'
"""

from __future__ import annotations

from reglab.report.blocks import Block, Image, Paragraph, Section
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import finite, ratio, seconds
from reglab.report.plotting import arm_rows, bar_colour, new_figure, png, row_height
from reglab.report.sections.gap import extremes

__all__ = ["section", "startup_caveat", "time_note", "time_per_run"]


def section(inputs: ReportInputs) -> Section:
    image = Image(
        "time_per_run",
        time_per_run(inputs),
        "Seconds per run and the ratio to the baseline's time per run.",
    )
    blocks: list[Block] = [image, *map(Paragraph, time_note(inputs))]
    startup = startup_caveat(inputs)
    if startup:
        blocks.append(Paragraph(startup))
    return Section("Time", "time", blocks)


def time_note(inputs: ReportInputs) -> list[str]:
    """Cheapest and dearest arm per run, with their ratio to the baseline."""
    ends = extremes(inputs, "train_seconds")
    if ends is None:
        return []
    lo, hi = ends
    return [
        "Time per run is the wall time of the pack the run trained in, divided by the runs in "
        "that pack (runs of a pack train together as one batched network): it is a share of a "
        "batched pack, not the time of a standalone run.",
        f"Cheapest: {lo.name} ({seconds(lo.train_seconds.mean)} per run, "
        f"{ratio(lo.time_vs_baseline)} the baseline); dearest: {hi.name} "
        f"({seconds(hi.train_seconds.mean)}, {ratio(hi.time_vs_baseline)}).",
    ]


def startup_caveat(inputs: ReportInputs) -> str | None:
    """A warning when the first pack ran much longer per run than the rest (start-up cost)."""
    packs = inputs.manifest.get("packs") or {}
    per_run = {
        int(k): v["seconds"] / v["runs"]
        for k, v in packs.items()
        if v.get("runs") and finite(v.get("seconds"))
    }
    if len(per_run) < 3:
        return None
    first = min(per_run)
    rest = sorted(v for k, v in per_run.items() if k != first)
    median = rest[len(rest) // 2]
    if per_run[first] <= 3 * median:
        return None
    arms = sorted(set(inputs.runs.loc[inputs.runs["pack"] == first, "arm"]))
    return (
        f"The first pack (arms {', '.join(arms)}) took {per_run[first] / median:.1f}× the median "
        "time per run of the other packs; it likely includes one-time start-up costs, so time "
        "ratios against the arms in it are understated. Compare times among the other arms."
    )


def time_per_run(inputs: ReportInputs) -> bytes:
    """Seconds per run per arm (pack wall time / members), labelled with the ratio to baseline."""
    arms = inputs.arms
    fig = new_figure(7.0, row_height(len(arms)))
    ax = fig.subplots()
    means = [finite(a.train_seconds.mean) for a in arms]
    top = max((m for m in means if m is not None), default=1.0)
    for i, (arm, mean) in enumerate(zip(arms, means, strict=True)):
        if mean is None:
            continue
        ax.barh(i, mean, color=bar_colour(arm.name, inputs.baseline), alpha=0.8)
        ax.text(mean + 0.01 * top, i, ratio(arm.time_vs_baseline), va="center", fontsize=8)
    ax.set_xlim(0, top * 1.15)
    ax.set_xlabel("seconds per run (pack wall time / runs in the pack)")
    ax.set_title("labels: time relative to the baseline (black)", fontsize=10)
    arm_rows(ax, [a.name for a in arms])
    return png(fig)
