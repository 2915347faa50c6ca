"""Does regularization trade variance for bias? Retrain on bootstraps and decompose.

For each strength s of one technique, R models train on bootstrap resamples of the training
set (round r uses seed ``base_seed + r`` in every strength, so strengths are paired: same
resample, same initial weights, same data order). Their test predictions ``pred [S, R, N]``
are decomposed per strength: 0-1 loss after Domingos (2000), as mlxtend's
``bias_variance_decomp`` computes it, for classification; squared loss (Geman et al. 1992)
against the noise-free target for regression. All S×R models train as one pack::

    >>> from reglab.config import DataConfig, ModelConfig
    >>> res = run_biasvar(DataConfig("digits", val_size=300), "l2", [0, 1e-2],
    ...                   rounds=3, epochs=2, model=ModelConfig(hidden=(32,)))
    >>> [(p.strength, round(p.bias, 3), round(p.variance, 3)) for p in res.points]  # doctest: +SKIP
    >>> res.save("runs/biasvar-l2")  # biasvar.json + predictions.npz  # doctest: +SKIP

Techniques: dropout, indrop, l1, l2, wd (strength 0 = technique off) and maxnorm (a radius
> 0; smaller is stronger). ``bn`` has no strength and ``es`` takes a patience (an int whose
"off" is not 0), so both are refused; compare them with seeds instead.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

import reglab
from reglab.analysis import decompose_01, decompose_squared
from reglab.arms import format_arm, parse_arm
from reglab.config import DataConfig, ModelConfig, OptimizerConfig, Regularization, TrainConfig
from reglab.data import Dataset, load_dataset
from reglab.engine import Member, PackTrainer, RunResult, resolve_device
from reglab.errors import invalid

__all__ = [
    "BIASVAR_TECHNIQUES",
    "DEFAULT_STRENGTHS",
    "BiasVariancePoint",
    "BiasVarianceProgress",
    "BiasVarianceResult",
    "run_biasvar",
]

OWNER = "run_biasvar"
# technique -> (lowest strength, whether the lowest is allowed, highest (exclusive))
_RANGES: dict[str, tuple[float, bool, float]] = {
    "dropout": (0.0, True, 1.0),
    "indrop": (0.0, True, 1.0),
    "l1": (0.0, True, math.inf),
    "l2": (0.0, True, math.inf),
    "wd": (0.0, True, math.inf),
    "maxnorm": (0.0, False, math.inf),
}
BIASVAR_TECHNIQUES: tuple[str, ...] = tuple(_RANGES)
DEFAULT_STRENGTHS: dict[str, tuple[float, ...]] = {
    "dropout": (0.0, 0.2, 0.5, 0.8),
    "indrop": (0.0, 0.1, 0.2, 0.5),
    "l1": (0.0, 1e-5, 1e-4, 1e-3),
    "l2": (0.0, 1e-5, 1e-4, 1e-3),
    "wd": (0.0, 1e-3, 1e-2, 1e-1),
    "maxnorm": (4.0, 3.0, 2.0, 1.0),
}
DEFINITIONS = {
    "classification": "0-1 loss, Domingos (2000), as mlxtend's bias_variance_decomp: "
    "main prediction = per-example mode over rounds (ties to the smallest class); "
    "loss = mean[pred != y], bias = mean[main != y], variance = mean[pred != main] "
    "(loss is not bias + variance for 0-1 loss).",
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

    def to_json(self) -> dict[str, Any]:
        """The content of biasvar.json (NaN written as null)."""
        points = [
            _nan_to_none({k: v for k, v in asdict(p).items() if v is not None}) for p in self.points
        ]
        return {"points": points, **_nan_to_none(self.metadata)}

    def save(self, out_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write DIR/biasvar.json and DIR/predictions.npz atomically; return both paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {"pred": self.pred, "y": self.y, "strengths": self.strengths}
        arrays |= {"ok": self.ok} | ({} if self.f_true is None else {"f_true": self.f_true})
        npz = _atomic(out / "predictions.npz", lambda f: np.savez_compressed(f, **arrays))
        text = json.dumps(self.to_json(), indent=2, allow_nan=False) + "\n"
        js = _atomic(out / "biasvar.json", lambda f: f.write(text.encode()))
        return js, npz


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
    progress: Callable[[BiasVarianceProgress], None] | None = None,
) -> BiasVarianceResult:
    """Train ``rounds`` bootstrap models per strength and decompose their test error.

    ``pack_size`` caps the models trained together (None: all S×R in one pack).
    """
    values = _check(technique, strengths, rounds, epochs, batch_size, base_seed, pack_size)
    dev = resolve_device(device)
    data = load_dataset(dataset)
    regs = [_regularization(technique, s) for s in values]
    members = [Member(base_seed + r, reg, bootstrap=True) for reg in regs for r in range(rounds)]
    train = TrainConfig(epochs=epochs, batch_size=batch_size, device=dev.type)  # type: ignore[arg-type]
    results = _train(data, model, optimizer, train, members, pack_size, progress)
    shape = (len(values), rounds)
    pred = np.stack([r.test_pred for r in results]).reshape(*shape, -1)  # [S, R, N]
    ok = np.array([r.status == "ok" for r in results]).reshape(shape)  # [S, R]
    acc = np.array([r.test_acc for r in results]).reshape(shape)  # [S, R]
    points = tuple(
        _point(data, v, format_arm(reg), pred[s], ok[s], acc[s])
        for s, (v, reg) in enumerate(zip(values, regs, strict=True))
    )
    meta = _metadata(data, dataset, technique, values, rounds, epochs, model, optimizer, train)
    meta["seeds"] = [m.seed for m in members[:rounds]]
    meta["train_seconds"] = math.fsum(r.train_seconds for r in results)
    return BiasVarianceResult(
        points=points,
        strengths=np.array(values, dtype=np.float64),
        pred=pred,
        ok=ok,
        y=data.y_test.numpy(),
        f_true=None if data.f_test is None else data.f_test.numpy(),
        metadata=meta,
    )


def _train(
    data: Dataset,
    model: ModelConfig,
    optimizer: OptimizerConfig,
    train: TrainConfig,
    members: list[Member],
    pack_size: int | None,
    progress: Callable[[BiasVarianceProgress], None] | None,
) -> list[RunResult]:
    """Train the members in packs of at most ``pack_size``; results in member order."""
    size = pack_size or len(members)
    packs = [members[i : i + size] for i in range(0, len(members), size)]
    results: list[RunResult] = []
    for k, pack in enumerate(packs):
        trainer = PackTrainer(data, model, optimizer, train, pack, train.device)
        while not trainer.done:
            trainer.train_epoch()
            if progress is not None:
                progress(
                    BiasVarianceProgress(k + 1, len(packs), trainer.epoch, train.epochs, len(pack))
                )
        results.extend(trainer.finish())
    return results


# ---- validation at the boundary ---------------------------------------------------------
def _check(
    technique: str,
    strengths: Sequence[float],
    rounds: int,
    epochs: int,
    batch_size: int,
    base_seed: int,
    pack_size: int | None,
) -> list[float]:
    if technique not in _RANGES:
        known = ", ".join(repr(t) for t in BIASVAR_TECHNIQUES)
        why = "'bn' has no strength and 'es' takes a patience; compare those with seeds"
        raise invalid("technique", OWNER, f"one of {known} ({why})", technique)
    for name, value, lo in (
        ("rounds", rounds, 2),
        ("epochs", epochs, 1),
        ("batch_size", batch_size, 1),
        ("base_seed", base_seed, 0),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < lo:
            raise invalid(name, OWNER, f"an int in [{lo}, inf)", value)
    if pack_size is not None and (not isinstance(pack_size, int) or pack_size < 1):
        raise invalid("pack_size", OWNER, "None or an int in [1, inf)", pack_size)
    return _check_strengths(technique, strengths)


def _check_strengths(technique: str, strengths: Sequence[float]) -> list[float]:
    lo, lo_ok, hi = _RANGES[technique]
    interval = f"{'[' if lo_ok else '('}{lo:g}, {hi:g})"
    constraint = f"a non-empty list of distinct numbers in {interval} for {technique!r}"
    if technique == "maxnorm":
        constraint += " (a max-norm radius: smaller is stronger, there is no 'off' value)"
    shown = list(strengths) if isinstance(strengths, Sequence) else strengths
    if isinstance(strengths, str) or not isinstance(strengths, Sequence) or not strengths:
        raise invalid("strengths", OWNER, constraint, shown)
    for s in strengths:
        ok = isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s)
        if not (ok and (s > lo or (lo_ok and s == lo)) and s < hi):
            raise invalid("strengths", OWNER, constraint, shown)
    values = [float(s) for s in strengths]
    if len(set(values)) != len(values):
        raise invalid("strengths", OWNER, constraint, shown)
    return values


def _regularization(technique: str, strength: float) -> Regularization:
    """Strength 0 means the technique off: the arm 'none'."""
    return parse_arm("none" if strength == 0 else f"{technique}={strength!r}")


# ---- decomposition and records -----------------------------------------------------------
def _point(
    data: Dataset, strength: float, arm: str, pred: np.ndarray, ok: np.ndarray, acc: np.ndarray
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
        assert data.f_test is not None, "regression datasets carry f_test"
        sq = decompose_squared(used, data.f_test.numpy(), data.noise_std)
        parts = (sq.loss, sq.bias_sq, sq.variance)
    else:
        zo = decompose_01(used, data.y_test.numpy())
        parts = (zo.loss, zo.bias, zo.variance)
    return BiasVariancePoint(strength, arm, *parts, len(used), noise, mean_acc)


def _metadata(
    data: Dataset,
    cfg: DataConfig,
    technique: str,
    values: list[float],
    rounds: int,
    epochs: int,
    model: ModelConfig,
    optimizer: OptimizerConfig,
    train: TrainConfig,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "dataset": data.name,
        "technique": technique,
        "strengths": values,
        "rounds": rounds,
        "epochs": epochs,
        "task": data.task,
        "definition": DEFINITIONS[data.task],
        "n_test": int(data.y_test.shape[0]),
        "data": cfg.to_dict(),
        "dataset_checksum": data.checksum,
        "model": model.to_dict(),
        "optimizer": optimizer.to_dict(),
        "batch_size": train.batch_size,
        "device": train.device,
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


def _atomic(path: Path, write: Callable[[Any], object]) -> Path:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
