"""A study as TensorBoard event files: per-epoch curves and an HPARAMS table, one run a folder.

    reglab export tensorboard runs/quickstart          # writes runs/quickstart/tensorboard/
    tensorboard --logdir runs/quickstart/tensorboard

    >>> from reglab.export import export_tensorboard
    >>> export_tensorboard("runs/quickstart").logdir  # doctest: +SKIP
    PosixPath('runs/quickstart/tensorboard')

Layout of LOGDIR:

    LOGDIR/                      the hparams experiment (the columns of the HPARAMS tab)
    LOGDIR/dropout-0.5_bn__seed0/    one run: scalars ``epoch/<column>`` of epochs.csv at
                                 step = epoch; its hparams session (arm, seed, technique
                                 values); final metrics ``final/test_acc``, ``final/test_loss``
                                 and ``final/gap`` (train_acc - test_acc, both measured clean)

Technique values follow :class:`reglab.config.Regularization`: 0 means off, so ``maxnorm`` and
``es_patience`` (empty in runs.csv when off) are written as 0 and every session has every
column. Wall times are the study's start plus the run's cumulative epoch seconds, so
TensorBoard's "relative" axis shows training time. Exporting again replaces the event files
this export wrote before (other files in LOGDIR are left alone).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from tensorboardX import FileWriter
from tensorboardX.summary import hparams, scalar

from reglab.errors import StudyError
from reglab.store import StudyDir

__all__ = ["EPOCH_SCALARS", "FINAL_METRICS", "TensorBoardExport", "export_tensorboard", "run_name"]

EPOCH_SCALARS = (
    "data_loss",
    "penalty",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "seconds",
)
TECHNIQUES = ("dropout", "input_dropout", "l1", "l2", "wd", "maxnorm", "bn", "es_patience")
FINAL_METRICS = ("final/test_acc", "final/test_loss", "final/gap")
_RUN_COLUMNS = ("run_id", "arm", "seed", "test_acc", "test_loss", "train_acc", *TECHNIQUES)
_EPOCH_COLUMNS = ("run_id", "epoch", *EPOCH_SCALARS)
_EVENT_GLOB = "events.out.tfevents.*"


@dataclass(frozen=True)
class TensorBoardExport:
    """What an export wrote: the log directory and each run's folder in it, by run id."""

    logdir: Path
    run_dirs: dict[str, Path]


def export_tensorboard(study_dir: str | Path, out: str | Path | None = None) -> TensorBoardExport:
    """Write the study's TensorBoard event files to ``out`` (default: ``study_dir/tensorboard``)."""
    study = StudyDir(study_dir)
    runs, epochs = _read_study(study)
    logdir = Path(out) if out is not None else study.root / "tensorboard"
    if logdir.exists() and not logdir.is_dir():
        raise StudyError(f"Cannot export to {str(logdir)!r}: it is a file, not a directory.")
    names = _unique_names(runs)
    start = _study_start(study)
    by_run = {run_id: rows.sort_values("epoch") for run_id, rows in epochs.groupby("run_id")}
    run_dirs: dict[str, Path] = {}
    for row in runs.to_dict("records"):
        run_id = str(row["run_id"])
        run_dirs[run_id] = logdir / names[run_id]
        _write_run(run_dirs[run_id], by_run.get(run_id), _hparams(row), _final_metrics(row), start)
    _write_experiment(logdir, _hparams(runs.iloc[0].to_dict()))  # every run has the same keys
    return TensorBoardExport(logdir=logdir, run_dirs=run_dirs)


def run_name(arm: str, seed: int) -> str:
    """A run's folder name, readable and safe in a path: ``dropout=0.5+bn`` -> ``dropout-0.5_bn__seed0``."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", arm.replace("=", "-").replace("+", "_"))
    return f"{safe}__seed{seed}"


# ---- reading ------------------------------------------------------------------------------
def _read_study(study: StudyDir) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not study.root.is_dir():
        raise StudyError(f"{str(study.root)!r} is not a directory: give a reglab study directory.")
    if not study.spec_path.exists():
        raise StudyError(f"{str(study.root)!r} is not a reglab study directory (no spec.toml).")
    try:
        runs, epochs = study.runs(), study.epochs()
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise StudyError(f"{str(study.root)!r} has an unreadable table ({err}).") from None
    _check_columns(study.root / "runs.csv", runs, _RUN_COLUMNS)
    _check_columns(study.root / "epochs.csv", epochs, _EPOCH_COLUMNS)
    if runs.empty:
        raise StudyError(f"{str(study.root / 'runs.csv')!r} has no runs: nothing to export.")
    return runs, epochs


def _check_columns(path: Path, table: pd.DataFrame, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise StudyError(
            f"{str(path)!r} lacks the column(s) {', '.join(missing)}: "
            "was it written by another version of reglab?"
        )


def _study_start(study: StudyDir) -> float:
    """The study's start as a Unix time (from manifest.json), or now if it is not recorded."""
    manifest = study.read_json("manifest.json") or {}
    try:
        return datetime.strptime(str(manifest["started"]), "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except (KeyError, ValueError, TypeError):
        return time.time()


def _unique_names(runs: pd.DataFrame) -> dict[str, str]:
    """Run id -> folder name; names that two runs would share get the run id appended."""
    names = {str(r): run_name(str(a), int(s)) for r, a, s in runs[["run_id", "arm", "seed"]].values}
    counts = pd.Series(list(names.values())).value_counts()
    return {r: f"{n}__{r}" if counts[n] > 1 else n for r, n in names.items()}


def _hparams(row: Mapping[str, Any]) -> dict[str, Any]:
    """The run's hparams session: arm, seed, and every technique value (0 = off)."""
    hp: dict[str, Any] = {"arm": str(row["arm"]), "seed": int(row["seed"])}
    for name in TECHNIQUES:
        value = row[name]
        if name == "bn":
            hp[name] = str(value).strip().lower() in ("true", "1", "1.0")
        else:
            hp[name] = 0.0 if pd.isna(value) else float(value)
    return hp


def _final_metrics(row: Mapping[str, Any]) -> dict[str, float]:
    test_acc, train_acc = float(row["test_acc"]), float(row["train_acc"])
    gap = train_acc - test_acc if math.isfinite(train_acc + test_acc) else math.nan
    return dict(zip(FINAL_METRICS, (test_acc, float(row["test_loss"]), gap), strict=True))


# ---- writing ------------------------------------------------------------------------------
def _writer(path: Path) -> FileWriter:
    """A fresh event file in ``path``, after removing the event files of an earlier export."""
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob(_EVENT_GLOB):
        old.unlink()
    return FileWriter(str(path))


def _write_run(
    path: Path,
    epochs: pd.DataFrame | None,
    hp: dict[str, Any],
    metrics: dict[str, float],
    start: float,
) -> None:
    writer = _writer(path)
    try:
        wall = start
        last_step = 0
        if epochs is not None:
            for row in epochs.to_dict("records"):
                step = int(row["epoch"])
                wall += float(row["seconds"]) if math.isfinite(row["seconds"]) else 0.0
                for name in EPOCH_SCALARS:
                    writer.add_summary(scalar(f"epoch/{name}", float(row[name])), step, wall)
                last_step = step
        _, start_info, end_info = hparams(hp, metrics)
        writer.add_summary(start_info, walltime=start)
        for tag, value in metrics.items():
            writer.add_summary(scalar(tag, value), last_step, wall)
        writer.add_summary(end_info, walltime=wall)
    finally:
        writer.close()


def _write_experiment(logdir: Path, hp: dict[str, Any]) -> None:
    """The HPARAMS tab's columns: every hparam (all runs have the same keys) and metric."""
    experiment, _, _ = hparams(hp, dict.fromkeys(FINAL_METRICS, 0.0))
    writer = _writer(logdir)
    try:
        writer.add_summary(experiment)
    finally:
        writer.close()
