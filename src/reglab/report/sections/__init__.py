"""The report's sections, one module each, in the order a study's report shows them.

Each module turns the typed inputs (:class:`~reglab.report.inputs.ReportInputs`: the study's
:class:`~reglab.analysis.results.StudySummary`, its runs and epochs, its spec and manifest)
into one :class:`~reglab.report.blocks.Section` of blocks (text, tables, figures)::

    setup      Setup and provenance        verdicts   Verdicts (table, one sentence per arm)
    curves     Learning curves             gap        Generalization gap
    sweeps     Validation curves over strength (only with [[sweeps]])
    weights    Weights: histograms and sparsity
    stopping   Early stopping              timing     Time
    calibration  NLL and ECE, MC dropout, seed ensembles (classification, when measured)
    biasvar    Bias and variance (with biasvar.json)
    choose     What to choose

``answer`` writes the lead paragraph above them (the CLI prints it too)::

    >>> [s.title for s in study_sections(load_inputs("runs/quickstart"))]
"""

from __future__ import annotations

from reglab.report.blocks import Section
from reglab.report.inputs import ReportInputs
from reglab.report.sections import (
    biasvar,
    calibration,
    choose,
    curves,
    gap,
    setup,
    stopping,
    sweeps,
    timing,
    verdicts,
    weights,
)
from reglab.report.sections.answer import answer

__all__ = ["answer", "study_sections"]


def study_sections(inputs: ReportInputs) -> list[Section]:
    """Every section of a study's report, in order (see the module docstring)."""
    out = [
        setup.section(inputs),
        verdicts.section(inputs),
        curves.section(inputs),
        gap.section(inputs),
    ]
    sweep = sweeps.section(inputs)
    if sweep is not None:
        out.append(sweep)
    out += [weights.section(inputs), stopping.section(inputs), timing.section(inputs)]
    calibrated = calibration.section(inputs)
    if calibrated is not None:
        out.append(calibrated)
    if inputs.biasvar is not None:
        out += biasvar.sections(inputs.biasvar, with_setup=False)
    out.append(choose.section(inputs))
    return out
