"""Does regularization trade variance for bias? Retrain on bootstraps and decompose.

For each strength s of one technique, R models train on bootstrap resamples of the training
set (round r uses seed ``base_seed + r`` in every strength, so strengths are paired). The
experiment (``reglab.study.experiments.biasvar``) plans the S×R runs; the study runner trains
them (resumable after a kill, checkpointed per epoch, out-of-memory halving, manifest). Their
test predictions ``pred [S, R, N]`` are then decomposed per strength here: 0-1 loss after
Domingos (2000), as mlxtend's ``bias_variance_decomp`` computes it, for classification;
squared loss (Geman et al. 1992) against the noise-free target for regression::

    >>> from reglab.config import DataConfig, ModelConfig
    >>> res = run_biasvar(DataConfig("digits", val_size=300), "l2", [0, 1e-2],
    ...                   rounds=3, epochs=2, model=ModelConfig(hidden=(32,)),
    ...                   out="runs/biasvar-l2")   # + biasvar.json, predictions.npz
    >>> [(p.strength, round(p.bias, 3), round(p.variance, 3)) for p in res.points]  # doctest: +SKIP

``out`` is a study directory like any other (spec.toml is its identity: another biasvar's
settings there are refused; running again resumes); without ``out`` the runs train in a
temporary directory and ``res.save(DIR)`` writes the two result files.

Techniques: dropout, indrop, l1, l2, wd (strength 0 = technique off) and maxnorm (a radius
> 0; smaller is stronger). ``bn`` has no strength and ``es`` takes a patience (an int whose
"off" is not 0), so both are refused; compare them with seeds instead.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

import reglab
from reglab.analysis import decompose_01, decompose_probabilities, decompose_squared
from reglab.analysis.biasvar import DEFAULT_ROUNDS, TIE_RULE, LowestLoss, lowest_loss
from reglab.atomic import write_json, write_npz
from reglab.config import DataConfig, ModelConfig, OptimizerConfig
from reglab.data import Dataset
from reglab.engine import EpochRecord, resolve_device
from reglab.study import Executor, Outlook, Progress, QuietProgress, run_plan
from reglab.study.executors import ExecutorKind, make_executor
from reglab.study.experiments.biasvar import (
    BIASVAR_TECHNIQUES,
    DEFAULT_STRENGTHS,
    BiasVarianceExperiment,
    BiasVarianceRuns,
    BiasVarianceSpec,
    collect,
)

__all__ = [
    "BIASVAR_TECHNIQUES",
    "DEFAULT_ROUNDS",
    "DEFAULT_STRENGTHS",
    "BiasVariancePoint",
    "BiasVarianceProgress",
    "BiasVarianceResult",
    "LowestLoss",
    "lowest_loss",
    "run_biasvar",
]


DEFINITIONS = {
    "classification": "0-1 loss, Domingos (2000), as mlxtend's bias_variance_decomp: "
    f"main prediction = per-example mode over rounds ({TIE_RULE}); "
    "loss = mean[pred != y], bias = mean[main != y], variance = mean[pred != main] "
    "(loss is not bias + variance for 0-1 loss); net variance = unbiased - biased "
    "variance (variance on examples whose main prediction is right adds to the loss, on "
    "the others it subtracts).",
    "regression": "squared loss, Geman, Bienenstock & Doursat (1992): bias = mean_n "
    "(mean_r pred - f)^2, variance = mean_n var_r pred (ddof 0), noise = noise_std^2, "
    "loss = bias + variance + noise.",
}


@dataclass(frozen=True)
class BiasVariancePoint:
    """The decomposition at one strength, over the rounds that did not diverge.

    ``bias`` is the squared bias for regression. NaN when fewer than 2 rounds finished.
    """

    strength: float
    arm: str
    loss: float
    bias: float
    variance: float
    rounds_used: int
    noise: float | None = None  # regression: noise_std²
    test_acc: float | None = None  # classification: mean test accuracy of the rounds used
    net_variance: float | None = None  # classification: unbiased - biased variance (Domingos)
    unbiased_variance: float | None = None
    biased_variance: float | None = None
    proba_loss: float | None = None  # classification: squared loss of the class probabilities
    proba_bias_sq: float | None = None  # (Brier score summed over classes) = bias² + variance
    proba_variance: float | None = None


@dataclass(frozen=True)
class BiasVarianceProgress:
    """Reported after every epoch of every pack."""

    pack: int  # 1-based
    packs: int
    epoch: int  # 1-based
    epochs: int
    members: int


@dataclass(frozen=True, eq=False)
class BiasVarianceResult:
    """Points per strength, and the raw material to recompute them.

    pred: [S, R, N] int (classification) or float (regression); ok: [S, R] bool, False for
    diverged rounds (left out of the decomposition); y: [N] test targets; f_true: [N]
    noise-free targets (regression only).
    """

    points: tuple[BiasVariancePoint, ...]
    strengths: np.ndarray
    pred: np.ndarray
    ok: np.ndarray
    y: np.ndarray
    f_true: np.ndarray | None
    metadata: dict[str, Any]
    proba: np.ndarray | None = None  # [S, R, N, C] float16 class probabilities (classification)

    def to_json(self) -> dict[str, Any]:
        """The content of biasvar.json (NaN written as null)."""
        points = [
            _nan_to_none({k: v for k, v in asdict(p).items() if v is not None}) for p in self.points
        ]
        return {"points": points, **_nan_to_none(self.metadata)}

    def save(self, out_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write DIR/biasvar.json and DIR/predictions.npz atomically; return both paths."""
        out = Path(out_dir)
        arrays: dict[str, Any] = {"pred": self.pred, "y": self.y, "strengths": self.strengths}
        arrays |= {"ok": self.ok} | ({} if self.f_true is None else {"f_true": self.f_true})
        arrays |= {} if self.proba is None else {"proba": self.proba}
        write_npz(out / "predictions.npz", **arrays)
        write_json(out / "biasvar.json", self.to_json())
        return out / "biasvar.json", out / "predictions.npz"


def run_biasvar(
    dataset: DataConfig,
    technique: str,
    strengths: Sequence[float],
    rounds: int,
    epochs: int,
    *,
    model: ModelConfig = ModelConfig(),
    optimizer: OptimizerConfig = OptimizerConfig(),
    batch_size: int = 32,
    device: str = "auto",
    base_seed: int = 0,
    pack_size: int | None = None,
    progress: Callable[[BiasVarianceProgress], None] | Progress | None = None,
    out: str | os.PathLike[str] | None = None,
    executor: ExecutorKind | Executor = "local",
    address: str | None = None,
    workers: int | None = None,
) -> BiasVarianceResult:
    """Train ``rounds`` bootstrap models per strength and decompose their test error.

    ``pack_size`` caps the models trained together (None: all S×R in one pack). ``out``:
    the study directory (resumable; biasvar.json and predictions.npz are written there).
    ``progress``: a study :class:`~reglab.study.Progress`, or a callback per epoch.
    ``executor``, ``address``, ``workers``: where the packs train (see ``reglab.api.run_study``).
    """
    spec = BiasVarianceSpec(
        dataset,
        technique,
        cast(tuple[float, ...], strengths),
        rounds,
        epochs,
        model=model,
        optimizer=optimizer,
        batch_size=batch_size,
        device=device,
        base_seed=base_seed,
        pack_size=pack_size,
    )
    experiment = BiasVarianceExperiment(spec)
    shown = _progress(progress)
    with make_executor(executor, address, workers=workers, note=shown.note) as chosen:
        if out is None:
            with tempfile.TemporaryDirectory(prefix="reglab-biasvar-") as tmp:
                ran = run_plan(experiment, tmp, shown, chosen)
                runs = collect(experiment, ran.store)
        else:
            ran = run_plan(experiment, Path(out), shown, chosen)
            runs = collect(experiment, ran.store)
    result = _result(spec, ran.data, runs)
    if out is not None:
        result.save(out)
    return result


def _result(spec: BiasVarianceSpec, data: Dataset, runs: BiasVarianceRuns) -> BiasVarianceResult:
    y = data.y_test.cpu().numpy()
    f_true = None if data.f_test is None else data.f_test.cpu().numpy()
    points = tuple(
        _with_proba(
            _point(data, v, arm.name, runs.pred[s], runs.ok[s], runs.test_acc[s], y, f_true),
            None if runs.proba is None else runs.proba[s][runs.ok[s]],
            y,
        )
        for s, (v, arm) in enumerate(zip(spec.strengths, runs.arms, strict=True))
    )
    meta = _metadata(data, spec)
    lowest = lowest_loss(_round_losses(runs, y, f_true, data), spec.strengths)
    meta["lowest_loss"] = (
        None if lowest is None else asdict(lowest) | {"separable": lowest.separable}
    )
    meta["seeds"] = list(spec.seeds)
    meta["train_seconds"] = runs.train_seconds
    return BiasVarianceResult(
        points=points,
        strengths=np.array(spec.strengths, dtype=np.float64),
        pred=runs.pred,
        ok=runs.ok,
        y=y,
        f_true=f_true,
        metadata=meta,
        proba=runs.proba,
    )


class _CallbackProgress:
    """A study Progress that calls a :class:`BiasVarianceProgress` callback after each epoch."""

    def __init__(self, callback: Callable[[BiasVarianceProgress], None]) -> None:
        self.callback = callback
        self.packs, self.epochs, self.current, self.members = 0, 0, 0, 0

    def start(self, outlook: Outlook) -> None:
        self.packs, self.epochs, self.current = outlook.packs, outlook.epochs, len(outlook.done)

    def pack(self, index: int, label: str, members: int) -> None:
        self.current, self.members = self.current + 1, members

    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None:
        self.callback(
            BiasVarianceProgress(self.current, self.packs, epoch, self.epochs, self.members)
        )

    def steps(self, done: int, total: int) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


def _progress(progress: Callable[[BiasVarianceProgress], None] | Progress | None) -> Progress:
    if progress is None:
        return QuietProgress()
    if hasattr(progress, "epoch") and hasattr(progress, "start"):
        return cast(Progress, progress)
    return _CallbackProgress(cast(Callable[[BiasVarianceProgress], None], progress))


# ---- decomposition and records -----------------------------------------------------------
def _round_losses(
    runs: BiasVarianceRuns, y: np.ndarray, f_true: np.ndarray | None, data: Dataset
) -> np.ndarray:
    """Each round's test loss per strength [S, R'], over the rounds finished everywhere:
    error rate (0-1 loss), or squared error against the noise-free target + noise."""
    every = runs.ok.all(axis=0)  # [R]
    pred = runs.pred[:, every]  # [S, R', N]
    if data.task == "regression":
        assert f_true is not None
        return ((pred - f_true) ** 2).mean(axis=2) + data.noise_std**2
    return (pred != y).mean(axis=2)


def _point(
    data: Dataset,
    strength: float,
    arm: str,
    pred: np.ndarray,
    ok: np.ndarray,
    acc: np.ndarray,
    y: np.ndarray,
    f_true: np.ndarray | None,
) -> BiasVariancePoint:
    """Decompose one strength's predictions [R, N] over its rounds that did not diverge."""
    used = pred[ok]  # [R_ok, N]
    nan = float("nan")
    regression = data.task == "regression"
    noise = data.noise_std**2 if regression else None
    mean_acc = None if regression else (float(np.mean(acc[ok])) if ok.any() else nan)
    if len(used) < 2:
        return BiasVariancePoint(strength, arm, nan, nan, nan, len(used), noise, mean_acc)
    if regression:
        assert f_true is not None, "regression datasets carry f_test"
        sq = decompose_squared(used, f_true, data.noise_std)
        parts = (sq.loss, sq.bias_sq, sq.variance)
    else:
        zo = decompose_01(used, y)
        return BiasVariancePoint(
            strength, arm, zo.loss, zo.bias, zo.variance, len(used), noise, mean_acc,
            zo.net_variance, zo.unbiased_variance, zo.biased_variance,
        )  # fmt: skip
    return BiasVariancePoint(strength, arm, *parts, len(used), noise, mean_acc)


def _with_proba(
    point: BiasVariancePoint, proba: np.ndarray | None, y: np.ndarray
) -> BiasVariancePoint:
    """Add the squared-loss decomposition of the class probabilities [R_ok, N, C]."""
    if proba is None or len(proba) < 2:
        return point
    sq = decompose_probabilities(proba.astype(np.float64), y)
    return dataclasses.replace(
        point, proba_loss=sq.loss, proba_bias_sq=sq.bias_sq, proba_variance=sq.variance
    )


def _metadata(data: Dataset, spec: BiasVarianceSpec) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "dataset": data.name,
        "technique": spec.technique,
        "strengths": list(spec.strengths),
        "rounds": spec.rounds,
        "epochs": spec.epochs,
        "task": data.task,
        "definition": DEFINITIONS[data.task],
        "tie_rule": TIE_RULE,
        "n_test": int(data.y_test.shape[0]),
        "data": spec.data.to_dict(),
        "dataset_checksum": data.checksum,
        "model": spec.model.to_dict(),
        "optimizer": spec.optimizer.to_dict(),
        "batch_size": spec.batch_size,
        "device": resolve_device(spec.device).type,
        "reglab_version": reglab.__version__,
    }
    if data.task == "regression":
        meta["noise_std"] = data.noise_std
    return meta


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    return value
