"""Learning curves: how each arm's test accuracy (and its edge over the baseline) changes
with the number of training examples.

Each size n is an ordinary study of the spec with ``data.train_subset = n`` (a fixed,
nested, class-balanced subset), in its own directory, resumable on its own; the curve is the
sizes' summaries side by side::

    >>> from reglab.api import compare_spec, run_learning_curve
    >>> spec = compare_spec(["none", "dropout=0.5"], seeds=5, epochs=10)
    >>> res = run_learning_curve(spec, [1000, 5000, 20000, 50000], "runs/lc")  # doctest: +SKIP
    >>> res.table[["train_size", "arm", "test_acc_mean", "delta_vs_baseline", "verdict"]]

    runs/lc/learning_curve_spec.toml   the spec without train_subset (the curve's identity)
    runs/lc/n-1000/, n-5000/, ...      one study per size (spec.toml, runs.csv, summary.json)
    runs/lc/learning_curve.csv         one row per size and arm
    runs/lc/learning_curve.json        {"sizes", "arms", "baseline", "studies", "rows"}
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reglab.analysis.results import StudySummary
from reglab.api.study import run_study
from reglab.data import load_dataset
from reglab.data.split import split_indices
from reglab.errors import ConfigError, StudyError, invalid
from reglab.store import spec_identity, write_json, write_text
from reglab.study import StudySpec, make_progress

__all__ = ["COLUMNS", "LearningCurveResult", "learning_curve_table", "run_learning_curve"]

OWNER = "run_learning_curve"
MIN_SIZE = 10
SPEC_FILE = "learning_curve_spec.toml"
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


def run_learning_curve(
    spec: StudySpec, sizes: Sequence[int], out: str | Path, *, quiet: bool = False
) -> LearningCurveResult:
    """Run (or resume) ``spec`` at every training-set size, then write the curve's table.

    Sizes are checked before any training: ints >= 10 (and >= the number of classes), no
    repeats, none larger than the training set (the data layer says how large it is).
    """
    ordered = _checked_sizes(sizes)
    base = dataclasses.replace(spec, data=dataclasses.replace(spec.data, train_subset=None))
    _check_fits(base, ordered)
    root = Path(out)
    _claim(root, base)
    studies: dict[int, Path] = {}
    rows: list[dict[str, Any]] = []
    for i, size in enumerate(ordered, 1):
        sub = dataclasses.replace(
            base,
            name=f"{spec.name}-n{size}",
            data=dataclasses.replace(base.data, train_subset=size),
        )
        progress = make_progress(quiet)
        progress.note(f"learning curve: size {size} ({i} of {len(ordered)})")
        result = run_study(sub, root / f"n-{size}", quiet=quiet, progress=progress, report=False)
        studies[size] = result.directory
        rows.extend(_rows(size, result.summary))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    _write(root, base, ordered, studies, table)
    return LearningCurveResult(root, table, studies)


def learning_curve_table(directory: str | Path) -> pd.DataFrame:
    """The table a finished curve wrote (``DIR/learning_curve.csv``), one row per size x arm."""
    path = Path(directory) / CSV_FILE
    if not path.exists():
        raise StudyError(
            f"{str(directory)!r} has no {CSV_FILE}: is it a finished reglab learning curve?"
        )
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _checked_sizes(sizes: Sequence[int]) -> list[int]:
    """Ascending distinct ints >= MIN_SIZE, or a ConfigError naming the bad one."""
    constraint = f"a non-empty list of distinct ints >= {MIN_SIZE} (training examples)"
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence) or not sizes:
        raise invalid("sizes", OWNER, constraint, sizes)
    for size in sizes:
        if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < MIN_SIZE:
            raise invalid("sizes", OWNER, constraint, size)
    ordered = sorted(int(s) for s in sizes)
    if len(set(ordered)) != len(ordered):
        raise invalid("sizes", OWNER, constraint, list(sizes))
    return ordered


def _check_fits(base: StudySpec, sizes: list[int]) -> None:
    """Refuse sizes below the class count or above the training set, before any training."""
    full = load_dataset(base.data)  # a bad val_size surfaces here, unprefixed
    classification = full.task == "classification"
    if classification and sizes[0] < full.num_classes:
        raise invalid(
            "sizes", OWNER, f"ints >= the number of classes ({full.num_classes})", sizes[0]
        )
    labels = np.concatenate([full.y_train.numpy(), full.y_val.numpy()])  # the official train
    largest = dataclasses.replace(base.data, train_subset=sizes[-1])
    try:
        split_indices(labels, largest, dataset=base.data.name, classification=classification)
    except ConfigError as err:
        raise ConfigError(f"Learning-curve size {sizes[-1]}: {err}") from None


def _claim(root: Path, base: StudySpec) -> None:
    """Take ``root`` for this curve; refuse one that holds another spec's curve (or anything
    else). The sub-studies check their own spec.toml on top of this."""
    path = root / SPEC_FILE
    identity = spec_identity(base.to_dict())
    if path.exists():
        if spec_identity(tomllib.loads(path.read_text(encoding="utf-8"))) != identity:
            raise StudyError(
                f"{str(root)!r} holds the learning curve of a different spec (its {SPEC_FILE} "
                "differs from this one). Use another --out, or delete that directory."
            )
        return
    if root.exists() and any(root.iterdir()):
        raise StudyError(
            f"{str(root)!r} is not empty and holds no reglab learning curve (no {SPEC_FILE}). "
            "Choose an empty or new --out directory."
        )
    write_text(path, base.to_toml())


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
                "verdict": "baseline" if vs is None else vs.verdict,
            }
        )
    return rows


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
