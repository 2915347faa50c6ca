"""The report: a study directory as report.html (self-contained) and report.md.

    >>> from reglab.report import write_report
    >>> html, md = write_report("runs/quickstart")
    >>> html, md = write_report("runs/lc")   # a learning curve's root: its own page

Layout: :mod:`~reglab.report.document` (the engine: inputs -> Document -> files),
:mod:`~reglab.report.blocks` (paragraphs, bullets, tables, images, sections),
:mod:`~reglab.report.render` (HTML and Markdown), :mod:`~reglab.report.inputs` (what a report
reads: summary.json as a StudySummary, runs, epochs, spec, manifest; :mod:`~reglab.report.curve`
for a learning curve: each size's summary), :mod:`~reglab.report.numbers` (how every number is
written, the CLI included; intervals clipped to valid values), :mod:`~reglab.report.notes`
(what the report says about how numbers are shown, e.g. a clipped t-interval),
:mod:`~reglab.report.plotting` (palette and shared plot pieces) and
:mod:`~reglab.report.sections`, one module per section: the answer, setup and provenance,
verdicts, learning curves, generalization gap, validation curves over strength, weights,
early stopping, time, bias–variance (when biasvar.json is present) and what to choose; a
learning curve's page is :mod:`~reglab.report.sections.learning_curve`.
Every sentence is computed from the study's numbers. The report reads summary.json and
never writes it (the analysis step does: :func:`reglab.analysis.summary.write_summary`).
Names are imported on first use (:mod:`reglab._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reglab._lazy import lazy_exports

if TYPE_CHECKING:
    from reglab.report import numbers
    from reglab.report.document import build_document, write_report
    from reglab.report.sections.answer import answer

__all__ = ["answer", "build_document", "numbers", "write_report"]

# matplotlib comes with the sections (figures): `from reglab.report import numbers` alone
# (the CLI's number formatting) does not import it.
_WHERE = {"answer": "reglab.report.sections.answer", "numbers": "reglab.report.numbers"}
_WHERE |= {"build_document": "reglab.report.document", "write_report": "reglab.report.document"}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
