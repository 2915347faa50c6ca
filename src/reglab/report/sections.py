"""The sections of a report, in order, each built from the loaded inputs.

A study gives: setup, verdicts, learning curves, gap, validation curves (with sweeps),
weights, early stopping, time, bias–variance (with biasvar.json), what to choose. A
bias–variance folder alone gives its setup and the bias–variance section::

    >>> [s.title for s in study_sections(load_inputs("runs/quickstart"))]
"""

from __future__ import annotations

from typing import Any

from reglab.report import curves, figures, notes, tables
from reglab.report.blocks import Block, Bullets, Image, Paragraph, Section
from reglab.report.choose import what_to_choose
from reglab.report.inputs import ReportInputs, sweep_points
from reglab.report.text import arm_sentence

__all__ = ["biasvar_sections", "study_sections"]


def study_sections(inputs: ReportInputs) -> list[Section]:
    """Every section of a study's report (see the module docstring)."""
    assert inputs.summary is not None, "a study has a summary"
    summary = inputs.summary
    names = [a["name"] for a in inputs.arms]
    out = [
        Section("Setup and provenance", "setup", [tables.setup_table(inputs)]),
        Section("Verdicts", "verdicts", _verdict_blocks(summary)),
        _curves(inputs, names),
        _gap(inputs),
        *_sweeps(inputs),
        _weights(inputs),
        _stopping(inputs, names),
        _time(inputs),
    ]
    if inputs.biasvar is not None:
        out.extend(biasvar_sections(inputs.biasvar, with_setup=False))
    out.append(_choice(inputs))
    return out


def _verdict_blocks(summary: dict[str, Any]) -> list[Block]:
    return [
        tables.verdict_table(summary),
        Paragraph(
            "Test accuracy in %, gap (clean train accuracy − test accuracy) and Δ in "
            "percentage points (pp). p: paired t-test over seeds; p (Holm): corrected for the "
            f"{len(summary['arms']) - 1} comparisons with the baseline, which the verdict uses "
            f"(α={summary.get('alpha', 0.05)}); McNemar p: exact test on per-example test "
            "correctness pooled over the paired seeds."
        ),
        Bullets([arm_sentence(a, summary) for a in summary["arms"]]),
    ]


def _curves(inputs: ReportInputs, names: list[str]) -> Section:
    if inputs.epochs.empty:
        return Section("Learning curves", "curves", [Paragraph("epochs.csv is missing.")])
    image = Image(
        "learning_curves",
        curves.learning_curves(inputs.ok_epochs(), names),
        "Train accuracy (evaluation mode, fixed training subset) and validation accuracy per "
        "epoch: mean over seeds, band min–max over seeds (diverged runs left out).",
    )
    return Section("Learning curves", "curves", [image, *map(Paragraph, notes.curves_note(inputs))])


def _gap(inputs: ReportInputs) -> Section:
    image = Image(
        "accuracy_and_gap",
        figures.accuracy_and_gap(inputs),
        "Test accuracy and generalization gap per arm, mean and 95% CI over seeds, coloured "
        "by verdict against the baseline.",
    )
    return Section("Generalization gap", "gap", [image, *map(Paragraph, notes.gap_note(inputs))])


def _sweeps(inputs: ReportInputs) -> list[Section]:
    blocks: list[Block] = []
    for i, sweep in enumerate(inputs.spec.get("sweeps", [])):
        technique, base = sweep.get("technique", "?"), sweep.get("base", "none")
        points = sweep_points(inputs, technique, base)
        if len(points) < 2:
            continue
        png = curves.validation_curve(inputs, points, technique)
        caption = (
            f"{technique} sweep on {base}: test accuracy and gap against strength (log scale, "
            "the base arm at 0), mean and 95% CI over seeds."
        )
        blocks += [
            Image(f"sweep_{i}_{technique}", png, caption),
            Paragraph(notes.sweep_note(inputs, technique, points)),
        ]
    return [Section("Validation curves over strength", "sweeps", blocks)] if blocks else []


def _weights(inputs: ReportInputs) -> Section:
    blocks: list[Block] = []
    hist = figures.weight_histograms(inputs)
    if hist is not None:
        caption = "Distribution of |w| over all kernel weights, all seeds of each arm pooled."
        blocks.append(Image("weight_histograms", hist, caption))
    caption = "Share of kernel weights with |w| < 1e-3, mean and 95% CI over seeds."
    blocks.append(Image("sparsity", figures.sparsity(inputs), caption))
    blocks += [Paragraph(t) for t in notes.weights_note(inputs)]
    return Section("Weights: histograms and sparsity", "weights", blocks)


def _stopping(inputs: ReportInputs, names: list[str]) -> Section:
    budget = inputs.spec.get("train", {}).get("epochs")
    epochs = int(budget) if budget else int(inputs.runs["stop_epoch"].max())
    image = Image(
        "stopping_epochs",
        figures.stopping_epochs(inputs, epochs),
        "Best epoch (lowest validation loss, or the early-stopping monitor's best; its weights "
        "are restored only in early-stopping arms) and stop epoch of every run, seeds side by side.",
    )
    blocks: list[Block] = [image, tables.stopping_table(inputs.runs, names)]
    blocks += [Paragraph(t) for t in notes.stopping_note(inputs, epochs)]
    return Section("Early stopping", "stopping", blocks)


def _time(inputs: ReportInputs) -> Section:
    image = Image(
        "time_per_run",
        figures.time_per_run(inputs),
        "Seconds per run and the ratio to the baseline's time per run.",
    )
    blocks: list[Block] = [image, *map(Paragraph, notes.time_note(inputs))]
    startup = notes.startup_caveat(inputs)
    if startup:
        blocks.append(Paragraph(startup))
    return Section("Time", "time", blocks)


def biasvar_sections(biasvar: dict[str, Any], with_setup: bool = True) -> list[Section]:
    """The bias–variance section (and its setup, for a bias–variance folder alone)."""
    image = Image(
        "bias_variance",
        curves.biasvar_curve(biasvar),
        "Expected test loss, bias and variance against the technique's strength (log scale, "
        "0 = technique off).",
    )
    blocks: list[Block] = [image, tables.biasvar_table(biasvar)]
    blocks += [Paragraph(t) for t in notes.biasvar_note(biasvar) if t]
    if not with_setup:
        blocks.append(tables.biasvar_setup_table(biasvar))
        return [Section("Bias and variance", "biasvar", blocks)]
    setup = Section("Setup and provenance", "setup", [tables.biasvar_setup_table(biasvar)])
    return [setup, Section("Bias and variance", "biasvar", blocks)]


def _choice(inputs: ReportInputs) -> Section:
    choice = what_to_choose(inputs)
    return Section(
        "What to choose",
        "choose",
        [
            Bullets(choice.bullets),
            Paragraph(
                "The contenders: arms not detectably worse than the highest-scoring arm, ranked "
                "by mean test accuracy, with their gap, time per run relative to the baseline and "
                "sparsity."
            ),
            tables.ranking_table(choice.ranking),
            Paragraph("Caveats:"),
            Bullets(choice.caveats),
        ],
    )
