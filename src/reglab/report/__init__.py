"""The report: a study directory as report.html (self-contained) and report.md.

    >>> from reglab.report import write_report
    >>> html, md = write_report("runs/quickstart")

The sections, in order: the answer, setup and provenance, verdicts, learning curves,
generalization gap, validation curves over strength, weights, early stopping, time,
bias–variance (when biasvar.json is present) and what to choose. Every sentence is computed
from the study's numbers.
"""

from reglab.report.document import write_report

__all__ = ["write_report"]
