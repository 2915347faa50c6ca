"""``reglab report``: a study directory as report.html and report.md.

reglab report runs/quickstart          # writes runs/quickstart/report.html and report.md
reglab report runs/biasvar-l2          # a bias–variance folder: that section alone
reglab report runs/lc                  # a learning curve's root: its own page

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
        help="A study directory (runs.csv, summary.json), a `reglab biasvar` folder or a "
        "`reglab learning-curve` folder.",
    ),
) -> None:
    """Write DIR/report.html (self-contained: opens offline) and DIR/report.md.

    Computes summary.json first if it is missing or older than runs.csv (a resumed study; for
    a learning curve, each size's study); figures also go to DIR/plots/*.png.

    Examples:
      reglab report runs/quickstart
      reglab report runs/learning-curve-digits
    """
    from reglab.report import write_report
    from reglab.report.curve import is_curve, size_dirs

    studies = list(size_dirs(study_dir).values()) if is_curve(study_dir) else [study_dir]
    for study in studies:
        _summarize(study)
    for path in write_report(study_dir):
        typer.echo(f"wrote {path}")


def _summarize(study: Path) -> None:
    """The analysis step, explicitly, where summary.json is stale: the report only reads it."""
    from reglab.analysis.summary import summary_is_current, write_summary
    from reglab.store import StudyDir

    store = StudyDir(study)
    if store.repair_tables():  # runs.csv / epochs.csv are derived: packs/ are the truth
        typer.echo(f"rebuilt {study / 'runs.csv'} and epochs.csv from packs/")
    if (study / "runs.csv").is_file() and not summary_is_current(store):
        write_summary(store)
        typer.echo(f"wrote {study / 'summary.json'}")
