"""``reglab report``: a study directory as report.html and report.md.

reglab report runs/quickstart          # writes runs/quickstart/report.html and report.md
reglab report runs/biasvar-l2          # a bias–variance folder: that section alone

summary.json is (re)computed here, by the analysis step, when it is missing or older than
runs.csv; the report package itself only reads it.
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

    Computes summary.json first if it is missing or older than runs.csv (a resumed study);
    figures also go to DIR/plots/*.png.

    Example: reglab report runs/quickstart
    """
    from reglab.analysis.summary import summary_is_current, write_summary
    from reglab.report import write_report
    from reglab.store import StudyDir

    store = StudyDir(study_dir)
    if store.repair_tables():  # runs.csv / epochs.csv are derived: packs/ are the truth
        typer.echo(f"rebuilt {study_dir / 'runs.csv'} and epochs.csv from packs/")
    if (study_dir / "runs.csv").is_file() and not summary_is_current(store):
        write_summary(store)  # the analysis step, explicitly: the report only reads it
        typer.echo(f"wrote {study_dir / 'summary.json'}")
    for path in write_report(study_dir):
        typer.echo(f"wrote {path}")
