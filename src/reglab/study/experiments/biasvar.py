"""The bias–variance experiment: one technique's strengths x bootstrap rounds, as one plan.

For each strength s of one technique, R models train on bootstrap resamples of the training
set (round r uses seed ``base_seed + r`` in every strength, so strengths are paired: same
resample, same initial weights, same data order). All S×R runs form one pack unless
``pack_size`` caps it; the runner trains them (resumable, checkpointed, OOM halving), and
:func:`collect` turns the records back into arrays for the decomposition (reglab.api.biasvar)::

    >>> spec = BiasVarianceSpec(DataConfig("digits", val_size=300), "l2", (0.0, 1e-2), 3, 2)
    >>> ran = run_plan(BiasVarianceExperiment(spec), "runs/biasvar-l2")
    >>> collect(spec, ran.store).pred.shape   # [S, R, N_test]

Techniques: dropout, indrop, l1, l2, wd (strength 0 = technique off, the arm ``none``) and
maxnorm (a radius > 0; smaller is stronger). ``bn`` has no strength and ``es`` takes a
patience (an int whose "off" is not 0), so both are refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tomli_w
import torch

from reglab.arms import Arm, SweepPoint, format_arm, parse_arm
from reglab.config import DataConfig, ModelConfig, OptimizerConfig, TrainConfig
from reglab.errors import StudyError, invalid
from reglab.store import StudyDir, spec_identity
from reglab.study.executors.base import PackSetup
from reglab.study.plan import PlannedPack, PlannedRun, chunk

__all__ = [
    "BIASVAR_TECHNIQUES",
    "DEFAULT_STRENGTHS",
    "BiasVarianceExperiment",
    "BiasVarianceRuns",
    "BiasVarianceSpec",
    "collect",
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


@dataclass(frozen=True)
class BiasVarianceSpec:
    """A bias–variance run, validated on construction (errors name the parameter)."""

    data: DataConfig
    technique: str
    strengths: tuple[float, ...]
    rounds: int
    epochs: int
    model: ModelConfig = field(default_factory=ModelConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    batch_size: int = 32
    device: str = "auto"
    base_seed: int = 0
    pack_size: int | None = None

    def __post_init__(self) -> None:
        values = _check(self)
        object.__setattr__(self, "strengths", tuple(values))  # floats, as validated

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(self.base_seed + r for r in range(self.rounds))

    def to_dict(self) -> dict[str, Any]:
        """The spec.toml table (pack_size and device are where it runs, not what it is)."""
        train = TrainConfig(epochs=self.epochs, batch_size=self.batch_size)
        return {
            "experiment": "biasvar",
            "technique": self.technique,
            "strengths": list(self.strengths),
            "rounds": self.rounds,
            "base_seed": self.base_seed,
            "data": self.data.to_dict(),
            "model": self.model.to_dict(),
            "optimizer": self.optimizer.to_dict(),
            "train": {**train.to_dict(), "device": self.device},
        }


@dataclass(frozen=True)
class BiasVarianceExperiment:
    """The runner's view of a :class:`BiasVarianceSpec`: one arm per strength (typed as a
    sweep point of the technique), bootstrap runs ``s<S>-r<R>`` in strength-then-round order."""

    spec: BiasVarianceSpec
    kind: str = "biasvar"
    tables: bool = False  # the folder stays a bias–variance folder, not a paired study

    @property
    def setup(self) -> PackSetup:
        s = self.spec
        train = TrainConfig(epochs=s.epochs, batch_size=s.batch_size, device=s.device)
        return PackSetup(s.data, s.model, s.optimizer, train)

    @property
    def arms(self) -> tuple[Arm, ...]:
        return tuple(_arm(self.spec.technique, v) for v in self.spec.strengths)

    @property
    def baseline(self) -> str:
        return self.arms[0].name

    @property
    def seeds(self) -> tuple[int, ...]:
        return self.spec.seeds

    def spec_toml(self) -> str:
        return tomli_w.dumps(self.spec.to_dict())

    def identity(self) -> dict[str, Any]:
        return spec_identity(self.spec.to_dict())

    def plan(
        self, input_shape: tuple[int, ...], out_features: int, device: torch.device
    ) -> list[PlannedPack]:
        runs = [
            PlannedRun(f"s{s:02d}-r{r}", arm, s, seed, bootstrap=True)
            for s, arm in enumerate(self.arms)
            for r, seed in enumerate(self.spec.seeds)
        ]
        return chunk([runs], self.spec.pack_size or len(runs))


@dataclass(frozen=True, eq=False)
class BiasVarianceRuns:
    """The runs' results by strength and round: pred [S, R, N] (class index or regression
    output), ok [S, R] (False: diverged), test_acc [S, R], and their summed training time."""

    arms: tuple[Arm, ...]
    pred: np.ndarray
    ok: np.ndarray
    test_acc: np.ndarray
    train_seconds: float
    proba: np.ndarray | None = None  # [S, R, N, C] float16 class probabilities, if saved


def collect(experiment: BiasVarianceExperiment, store: StudyDir) -> BiasVarianceRuns:
    """The finished runs of ``experiment`` in ``store`` as [S, R] arrays."""
    runs, _ = store.pack_records()
    preds = store.arrays("pred")
    by_id = {r.run_id: r for r in runs}
    arms = experiment.arms
    ids = [[f"s{s:02d}-r{r}" for r in range(experiment.spec.rounds)] for s in range(len(arms))]
    missing = [i for row in ids for i in row if i not in by_id or i not in preds]
    if missing:
        raise StudyError(f"{str(store.root)!r} lacks runs {missing[:3]}; run it again to finish.")
    records = [[by_id[i] for i in row] for row in ids]
    return BiasVarianceRuns(
        arms=arms,
        pred=np.stack([np.stack([preds[i] for i in row]) for row in ids]),  # [S, R, N]
        ok=np.array([[r.status == "ok" for r in row] for row in records]),  # [S, R]
        test_acc=np.array([[r.test_acc for r in row] for row in records]),  # [S, R]
        train_seconds=math.fsum(r.train_seconds for row in records for r in row),
        proba=_probabilities(store, ids),
    )


def _probabilities(store: StudyDir, ids: list[list[str]]) -> np.ndarray | None:
    """[S, R, N, C] when every run saved its probabilities (packs of older studies: None)."""
    proba = store.arrays("proba")
    if not all(i in proba for row in ids for i in row):
        return None
    return np.stack([np.stack([proba[i] for i in row]) for row in ids])


def _arm(technique: str, strength: float) -> Arm:
    """Strength 0 means the technique off: the arm 'none' (named canonically)."""
    reg = parse_arm("none" if strength == 0 else f"{technique}={strength!r}")
    return Arm(format_arm(reg), reg, SweepPoint(technique, strength))


# ---- validation at the boundary ---------------------------------------------------------
def _check(spec: BiasVarianceSpec) -> list[float]:
    if spec.technique not in _RANGES:
        known = ", ".join(repr(t) for t in BIASVAR_TECHNIQUES)
        why = "'bn' has no strength and 'es' takes a patience; compare those with seeds"
        raise invalid("technique", OWNER, f"one of {known} ({why})", spec.technique)
    for name, lo in (("rounds", 2), ("epochs", 1), ("batch_size", 1), ("base_seed", 0)):
        value = getattr(spec, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < lo:
            raise invalid(name, OWNER, f"an int in [{lo}, inf)", value)
    size = spec.pack_size
    if size is not None and (not isinstance(size, int) or size < 1):
        raise invalid("pack_size", OWNER, "None or an int in [1, inf)", size)
    return _check_strengths(spec.technique, spec.strengths)


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
