"""Typed run and epoch records, and their one serialization (pack JSON rows, CSV tables).

A finished run is a :class:`RunRecord`, an epoch of it an :class:`EpochRecord`. They become
rows (dicts) for ``packs/pack-K.json`` and ``runs.csv`` / ``epochs.csv`` here and nowhere
else, and are read back into the same types::

    >>> rows = [r.to_row() for r in runs]             # pack json, runs.csv
    >>> again = [RunRecord.from_row(row) for row in rows]   # the same records
    >>> read_runs_csv(Path("runs/demo/runs.csv"))     # list[RunRecord]
    >>> StudyDir("runs/demo").run_records()           # the same, from a study directory

``runs.csv`` columns: run_id, arm, seed, arm_index, pack, status, test_acc, test_loss,
train_acc, train_loss, best_epoch, stop_epoch, stop_reason, diverged_epoch, train_seconds,
sparsity, dead_units, test_ece, test_acc_mc, test_nll_mc, test_ece_mc,
weight_l1_<layer>..., weight_l2_<layer>..., then the arm's technique settings (dropout,
input_dropout, l1, l2, wd, maxnorm, bn, es_patience). For classification ``test_loss`` is
the test negative log-likelihood (mean cross-entropy of the test labels, no penalty, no
smoothing); ``test_ece`` its expected calibration error (15 bins); the ``_mc`` columns the
same with MC dropout (``[eval] mc_samples``; NaN when off or for a run without dropout).
Rows written before a column existed read back with NaN there.
``epochs.csv``: run_id, arm, seed, epoch, data_loss, penalty, train_loss, train_acc, val_loss,
val_acc, seconds.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reglab.config import Regularization

__all__ = [
    "EpochRecord",
    "RunRecord",
    "Techniques",
    "read_epochs_csv",
    "read_runs_csv",
    "table_csv",
]


@dataclass(frozen=True)
class Techniques:
    """The technique settings of a run's arm, as flat columns (what the arm string says)."""

    dropout: float = 0.0
    input_dropout: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    wd: float = 0.0
    maxnorm: float | None = None
    bn: bool = False
    es_patience: int | None = None

    @staticmethod
    def of(reg: Regularization) -> Techniques:
        es = reg.early_stopping
        return Techniques(
            reg.dropout,
            reg.input_dropout,
            reg.l1,
            reg.l2,
            reg.wd,
            reg.maxnorm,
            reg.bn,
            es.patience if es is not None else None,
        )


@dataclass(frozen=True)
class RunRecord:
    """One finished run (one member of one pack), measured after its best weights were restored.

    weight_l1 / weight_l2: per layer, sum |w| and sqrt(sum w^2) of the kernel. test_loss is
    the test NLL for classification; test_ece and the MC-dropout ``_mc`` metrics: see the
    module docstring (NaN where not measured).
    """

    run_id: str
    arm: str
    seed: int
    arm_index: int
    pack: int
    status: str
    test_acc: float
    test_loss: float
    train_acc: float
    train_loss: float
    best_epoch: int
    stop_epoch: int
    stop_reason: str
    diverged_epoch: int | None
    train_seconds: float
    sparsity: float
    dead_units: float
    weight_l1: tuple[float, ...]
    weight_l2: tuple[float, ...]
    techniques: Techniques
    test_ece: float = math.nan
    test_acc_mc: float = math.nan
    test_nll_mc: float = math.nan
    test_ece_mc: float = math.nan

    def to_row(self) -> dict[str, Any]:
        """The flat row of pack JSON and runs.csv (columns in the documented order)."""
        row = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        l1, l2, tech = row.pop("weight_l1"), row.pop("weight_l2"), row.pop("techniques")
        row |= {f"weight_l1_{i}": v for i, v in enumerate(l1)}
        row |= {f"weight_l2_{i}": v for i, v in enumerate(l2)}
        return row | dataclasses.asdict(tech)

    @staticmethod
    def from_row(row: Mapping[str, Any]) -> RunRecord:
        """Read back a row of pack JSON (null for NaN) or of runs.csv (NaN for empty)."""
        return RunRecord(
            run_id=str(row["run_id"]),
            arm=str(row["arm"]),
            seed=int(row["seed"]),
            arm_index=int(row["arm_index"]),
            pack=int(row["pack"]),
            status=str(row["status"]),
            test_acc=_float(row["test_acc"]),
            test_loss=_float(row["test_loss"]),
            train_acc=_float(row["train_acc"]),
            train_loss=_float(row["train_loss"]),
            best_epoch=int(row["best_epoch"]),
            stop_epoch=int(row["stop_epoch"]),
            stop_reason=_text(row.get("stop_reason")),
            diverged_epoch=_int_or_none(row.get("diverged_epoch")),
            train_seconds=_float(row["train_seconds"]),
            sparsity=_float(row["sparsity"]),
            dead_units=_float(row["dead_units"]),
            weight_l1=_series(row, "weight_l1_"),
            weight_l2=_series(row, "weight_l2_"),
            techniques=Techniques(
                dropout=_float(row["dropout"]),
                input_dropout=_float(row["input_dropout"]),
                l1=_float(row["l1"]),
                l2=_float(row["l2"]),
                wd=_float(row["wd"]),
                maxnorm=_float_or_none(row.get("maxnorm")),
                bn=_bool(row["bn"]),
                es_patience=_int_or_none(row.get("es_patience")),
            ),
            **{k: _float(row.get(k)) for k in _CALIBRATION},  # NaN in older studies
        )


_CALIBRATION = ("test_ece", "test_acc_mc", "test_nll_mc", "test_ece_mc")


@dataclass(frozen=True)
class EpochRecord:
    """One run's measurements after one epoch (epochs count from 1); see the engine's
    ``EpochRecord`` for what each number means. ``seconds``: the pack's epoch time / members."""

    run_id: str
    arm: str
    seed: int
    epoch: int
    data_loss: float
    penalty: float
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float

    def to_row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_row(row: Mapping[str, Any]) -> EpochRecord:
        keys = ("run_id", "arm", "seed", "epoch")
        numbers = {f.name: _float(row[f.name]) for f in dataclasses.fields(EpochRecord)[4:]}
        run_id, arm, seed, epoch = (row[k] for k in keys)
        return EpochRecord(str(run_id), str(arm), int(seed), int(epoch), **numbers)


def table_csv(records: Sequence[RunRecord] | Sequence[EpochRecord]) -> str:
    """The CSV text of runs.csv or epochs.csv (one row per record, in order)."""
    return pd.DataFrame([r.to_row() for r in records]).to_csv(index=False)


def read_runs_csv(path: Path) -> list[RunRecord]:
    return [RunRecord.from_row(row) for row in _csv_rows(path)]


def read_epochs_csv(path: Path) -> list[EpochRecord]:
    return [EpochRecord.from_row(row) for row in _csv_rows(path)]


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    return [dict(row) for row in frame.to_dict(orient="records")]


# ---- cells: JSON gives None for NaN, CSV gives NaN for an empty cell ----------------------
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _float(value: Any) -> float:
    return math.nan if _missing(value) else float(value)


def _float_or_none(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _int_or_none(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _series(row: Mapping[str, Any], prefix: str) -> tuple[float, ...]:
    keys = sorted((k for k in row if k.startswith(prefix)), key=lambda k: int(k[len(prefix) :]))
    return tuple(_float(row[k]) for k in keys)
