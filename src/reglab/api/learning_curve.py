"""Learning curves: how each arm's test accuracy (and its edge over the baseline) changes
with the number of training examples.

Each size n is an ordinary study of the spec with ``data.train_subset = n`` (a fixed,
nested, class-balanced subset), in its own directory, run and resumed by the study runner on
its own (the experiment is ``reglab.study.experiments.learning_curve``); the curve is the
sizes' summaries side by side::

    >>> from reglab.api import compare_spec, run_learning_curve
    >>> spec = compare_spec(["none", "dropout=0.5"], seeds=5, epochs=10)
    >>> res = run_learning_curve(spec, [1000, 5000, 20000, 50000], "runs/lc")  # doctest: +SKIP
    >>> res.table[["train_size", "arm", "test_acc_mean", "delta_vs_baseline", "verdict"]]

    runs/lc/learning_curve_spec.toml   the spec without train_subset (the curve's identity)
    runs/lc/n-1000/, n-5000/, ...      one study per size (spec.toml, runs.csv, summary.json)
    runs/lc/learning_curve.csv         one row per size and arm
    runs/lc/learning_curve.json        {"sizes", "arms", "baseline", "studies", "rows"}
    runs/lc/report.html, report.md     the curve's page (``report=False`` skips it)
    runs/lc/plots/*.png                accuracy and gap by size, edge over the baseline
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reglab.analysis.results import ArmSummary, StudySummary
from reglab.api.study import run_study
from reglab.errors import StudyError
from reglab.store import write_json, write_text
from reglab.study import Executor, StudySpec, make_progress
from reglab.study.executors import ExecutorKind, make_executor
from reglab.study.experiments.learning_curve import LearningCurveSpec

__all__ = ["COLUMNS", "LearningCurveResult", "learning_curve_table", "run_learning_curve"]

CSV_FILE = "learning_curve.csv"
JSON_FILE = "learning_curve.json"
COLUMNS: tuple[str, ...] = (
    "train_size",
    "arm",
    "n",
    "test_acc_mean",
    "test_acc_lo",
    "test_acc_hi",
    "train_acc_mean",
    "gap_mean",
    "gap_lo",
    "gap_hi",
    "delta_vs_baseline",
    "delta_lo",
    "delta_hi",
    "p_holm",
    "verdict",
)


@dataclass(frozen=True)
class LearningCurveResult:
    """A finished curve: its directory, the table (one row per size x arm, see ``COLUMNS``;
    the baseline's delta columns are NaN and its verdict is "baseline") and each size's
    study directory."""

    directory: Path
    table: pd.DataFrame
    studies: dict[int, Path]

    @property
    def report(self) -> Path:
        """The curve's page (written unless ``run_learning_curve(..., report=False)``)."""
        return self.directory / "report.html"


def run_learning_curve(
    spec: StudySpec,
    sizes: Sequence[int],
    out: str | Path,
    *,
    quiet: bool = False,
    report: bool = True,
    executor: ExecutorKind | Executor = "local",
    address: str | None = None,
    workers: int | None = None,
) -> LearningCurveResult:
    """Run (or resume) ``spec`` at every training-set size, then write the curve's table and
    (with ``report``) its page: report.html, report.md and plots/ at the curve's root.

    Sizes are checked before any training: ints >= 10 (and >= the number of classes), no
    repeats, none larger than the training set (the data layer says how large it is).
    ``executor``, ``address``, ``workers``: where the packs train (see ``run_study``); one
    Ray session serves every size.
    """
    curve = LearningCurveSpec.of(spec, sizes)
    root = Path(out)
    studies: dict[int, Path] = {}
    rows: list[dict[str, Any]] = []
    note = make_progress(quiet).note
    with make_executor(executor, address, workers=workers, note=note) as chosen:
        curve.claim(root)  # after the executor: a bad --address writes nothing
        for i, (size, sub) in enumerate(curve.studies(), 1):
            progress = make_progress(quiet)
            progress.note(f"learning curve: size {size} ({i} of {len(curve.sizes)})")
            result = run_study(
                sub,
                root / f"n-{size}",
                quiet=quiet,
                progress=progress,
                report=False,
                executor=chosen or "local",
            )
            studies[size] = result.directory
            rows.extend(_rows(size, result.summary))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    _write(root, curve.base, list(curve.sizes), studies, table)
    if report:
        from reglab.report import write_report  # matplotlib only when a report is written

        write_report(root)
    return LearningCurveResult(root, table, studies)


def learning_curve_table(directory: str | Path) -> pd.DataFrame:
    """The table a finished curve wrote (``DIR/learning_curve.csv``), one row per size x arm."""
    path = Path(directory) / CSV_FILE
    if not path.exists():
        raise StudyError(
            f"{str(directory)!r} has no {CSV_FILE}: is it a finished reglab learning curve?"
        )
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _rows(size: int, summary: StudySummary) -> list[dict[str, Any]]:
    """One row per arm of a size's summary (None becomes NaN)."""
    rows = []
    for arm in summary.arms:
        acc, gap, vs = arm.test_acc, arm.gap, arm.vs_baseline
        delta_ci = (None, None) if vs is None else vs.ci95
        rows.append(
            {
                "train_size": size,
                "arm": arm.name,
                "n": arm.n,
                "test_acc_mean": _num(acc.mean),
                "test_acc_lo": _num(acc.ci95[0]),
                "test_acc_hi": _num(acc.ci95[1]),
                "train_acc_mean": _num(arm.train_acc.mean),
                "gap_mean": _num(gap.mean),
                "gap_lo": _num(gap.ci95[0]),
                "gap_hi": _num(gap.ci95[1]),
                "delta_vs_baseline": _num(None if vs is None else vs.delta),
                "delta_lo": _num(delta_ci[0]),
                "delta_hi": _num(delta_ci[1]),
                "p_holm": _num(None if vs is None else vs.p_holm),
                "verdict": _verdict(arm, summary),
            }
        )
    return rows


def _verdict(arm: ArmSummary, summary: StudySummary) -> str:
    """The arm's verdict; "baseline (diverged)" and "not compared" when the baseline diverged."""
    if arm.vs_baseline is not None:
        return arm.vs_baseline.verdict
    if arm.name == summary.baseline:
        return "baseline (diverged)" if arm.diverged else "baseline"
    return "diverged" if arm.diverged else "not compared"


def _num(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _write(
    root: Path, base: StudySpec, sizes: list[int], studies: dict[int, Path], table: pd.DataFrame
) -> None:
    write_text(root / CSV_FILE, table.to_csv(index=False))
    write_json(
        root / JSON_FILE,
        {
            "sizes": sizes,
            "arms": base.all_arms,
            "baseline": base.baseline_arm,
            "studies": {str(n): path.name for n, path in studies.items()},
            "rows": table.to_dict(orient="records"),
        },
    )
