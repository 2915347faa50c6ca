"""``reglab report``: a study directory as report.html and report.md.

reglab report runs/quickstart          # writes runs/quickstart/report.html and report.md
reglab report runs/biasvar-l2          # a bias–variance folder: that section alone
"""

from __future__ import annotations

from pathlib import Path

import typer

# reglab.report (matplotlib, pandas) is imported inside the command so that `reglab --help`
# and the other command groups start fast.

__all__ = ["report_command"]


def report_command(
    study_dir: Path = typer.Argument(
        ...,
        metavar="DIR",
        help="A study directory (runs.csv, summary.json) or a `reglab biasvar` folder.",
    ),
) -> None:
    """Write DIR/report.html (self-contained: opens offline) and DIR/report.md.

    Computes summary.json first if it is missing; figures also go to DIR/plots/*.png.

    Example: reglab report runs/quickstart
    """
    from reglab.report import write_report

    for path in write_report(study_dir):
        typer.echo(f"wrote {path}")
