"""A study spec: what to train (data, model, optimizer, schedule), which arms, which seeds.

Specs are TOML files (or the options of ``reglab compare``); everything is validated before
any training, and errors name the field, the constraint and the value::

    name = "classic"
    seeds = 5                        # a count (seeds 0..4) or a list [0, 7, 42]
    arms = ["none", "dropout=0.5"]   # the arm syntax; the first is the baseline
    baseline = "none"                # optional
    allow_large = false              # lift the sanity limits (reglab.study.budget)

    [data]                           # DataConfig: name, val_size (default: the dataset's
                                     # suggested size, as --dataset), train_subset, path,
                                     # label_noise, label_seed (random labels)
    name = "mnist"
    [model]                          # ModelConfig: hidden, activation, init
    hidden = [512]
    [optimizer]                      # OptimizerConfig: name, lr, beta1, beta2, eps, ...
    lr = 1e-3
    [train]                          # TrainConfig: epochs, batch_size, device, ...
    epochs = 10
    [early_stopping]                 # defaults for `es=N` arms: monitor, min_delta, ...
    monitor = "val_loss"

    [eval]                           # EvalConfig: mc_samples (MC-dropout test passes; 0 off)
    mc_samples = 30

    [analysis]                       # AnalysisConfig: margin (equivalence, metric units)
    margin = 0.005                   # 0.5 pp of accuracy: "equivalent within ±0.5 pp"

    [[sweeps]]                       # one arm per value: l2=1e-5, l2=1e-4 (+ base arm)
    technique = "l2"
    values = [1e-5, 1e-4]
    base = "dropout=0.5"             # optional
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from reglab.arms import ARM_KEYS, Arm, SweepPoint, format_arm, parse_arm
from reglab.config import (
    DataConfig,
    EarlyStoppingConfig,
    EvalConfig,
    ModelConfig,
    OptimizerConfig,
    Regularization,
    TrainConfig,
)
from reglab.data import SUGGESTED_VAL_SIZE
from reglab.errors import ConfigError, invalid
from reglab.study.budget import MAX_EPOCHS, MAX_RUNS, MAX_SEEDS, check_count

__all__ = ["AnalysisConfig", "StudySpec", "Sweep", "load_spec"]

DEFAULT_MARGIN = 0.005  # as reglab.analysis.equivalence.DEFAULT_MARGIN (no upward import)


@dataclass(frozen=True)
class AnalysisConfig:
    """How the results are analysed (not part of a study's identity: changing it never
    retrains). ``margin``: the equivalence margin in the metric's units (0.005 = 0.5 pp of
    accuracy); an arm is "equivalent within ±margin" only when the paired TOST says so."""

    margin: float = DEFAULT_MARGIN

    def __post_init__(self) -> None:
        m = self.margin
        if isinstance(m, bool) or not isinstance(m, int | float) or not 0 < m < math.inf:
            raise invalid("margin", "AnalysisConfig", "a float in (0, inf)", m)

    @staticmethod
    def from_dict(data: Any) -> AnalysisConfig:
        if not isinstance(data, Mapping) or set(data) - {"margin"}:
            raise ConfigError(f"[analysis] takes only margin. Got {data!r}.")
        return AnalysisConfig(**data)

    def to_dict(self) -> dict[str, Any]:
        return {"margin": self.margin}


_SWEEPABLE = {k.key for k in ARM_KEYS if k.kind in (float, int)}


@dataclass(frozen=True)
class Sweep:
    """A technique's strength over a list of values: one arm per value (plus ``base``)."""

    technique: str
    values: tuple[float, ...]
    base: str = "none"

    def __post_init__(self) -> None:
        if self.technique not in _SWEEPABLE:
            raise invalid(
                "technique", "Sweep", f"one of {', '.join(sorted(_SWEEPABLE))}", self.technique
            )
        if not self.values:
            raise invalid("values", "Sweep", "a non-empty list of numbers", list(self.values))
        parse_arm(self.base)
        for arm in self.arms:
            parse_arm(arm)

    @property
    def arms(self) -> list[str]:
        return [name for name, _ in self._named()]

    def typed_arms(self, early_stopping: EarlyStoppingConfig | None = None) -> list[Arm]:
        """One :class:`Arm` per value, each knowing its sweep (technique, value, base)."""
        return [
            Arm.parse(name, early_stopping, SweepPoint(self.technique, v, self.base))
            for name, v in self._named()
        ]

    def _named(self) -> list[tuple[str, float]]:
        prefix = "" if self.base == "none" else self.base + "+"
        return [(f"{prefix}{self.technique}={v:g}", v) for v in self.values]


@dataclass(frozen=True)
class StudySpec:
    """A whole study. ``arms`` and sweeps' arms together are the study's arms, in order."""

    name: str = "study"
    arms: tuple[str, ...] = ("none", "dropout=0.5")
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    baseline: str | None = None
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    early_stopping: EarlyStoppingConfig = field(default_factory=EarlyStoppingConfig)
    sweeps: tuple[Sweep, ...] = ()
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    allow_large: bool = False
    eval: EvalConfig = field(default_factory=EvalConfig)  # part of the identity when not off

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not isinstance(self.allow_large, bool):
            raise invalid("allow_large", "the study", "true or false", self.allow_large)
        check_count("seeds", len(self.seeds), MAX_SEEDS, self.allow_large)
        check_count("epochs", self.train.epochs, MAX_EPOCHS, self.allow_large)
        if not self.seeds:
            raise invalid("seeds", "the study", "a count >= 1 or a non-empty list", [])
        for s in self.seeds:
            if not isinstance(s, int) or isinstance(s, bool) or s < 0:
                raise invalid("seeds", "the study", "non-negative integers", s)
        if len(set(self.seeds)) != len(self.seeds):
            raise invalid("seeds", "the study", "a list without repeats", list(self.seeds))
        arms = [a.name for a in self.typed_arms]  # every arm parsed here, once
        if not arms:
            raise invalid("arms", "the study", "at least one arm", [])
        _check_distinct(self.typed_arms)
        check_count("runs (arms x seeds)", len(arms) * len(self.seeds), MAX_RUNS, self.allow_large)
        if self.baseline is not None and self.baseline not in arms:
            raise invalid(
                "baseline", "the study", f"one of the arms ({', '.join(arms)})", self.baseline
            )

    @functools.cached_property
    def typed_arms(self) -> tuple[Arm, ...]:
        """The study's arms, parsed once: listed arms first, then each sweep's, in order."""
        listed = [Arm.parse(a, self.early_stopping) for a in self.arms]
        swept = [a for s in self.sweeps for a in s.typed_arms(self.early_stopping)]
        return (*listed, *swept)

    @property
    def all_arms(self) -> list[str]:
        return [a.name for a in self.typed_arms]

    @property
    def baseline_arm(self) -> str:
        return self.baseline if self.baseline is not None else self.all_arms[0]

    def regularization(self, arm: str) -> Regularization:
        """The techniques of the arm named ``arm`` (parsed once, in :attr:`typed_arms`)."""
        for typed in self.typed_arms:
            if typed.name == arm:
                return typed.reg
        return parse_arm(arm, self.early_stopping)

    # ---- round trip ---------------------------------------------------------------------
    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str = "the spec") -> StudySpec:
        """Build and validate from a TOML/JSON table; errors say where they are."""
        known = {f.name for f in dataclasses.fields(StudySpec)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"In {where}: unknown key {unknown[0]!r}; known keys are: "
                f"{', '.join(sorted(known))}."
            )
        kwargs: dict[str, Any] = {}
        allow = data.get("allow_large", False) is True
        try:
            for key, value in data.items():
                kwargs[key] = _convert(key, value, allow)
            return StudySpec(**kwargs)
        except ConfigError as err:
            raise ConfigError(f"In {where}: {err}") from None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "arms": list(self.arms),
            "seeds": list(self.seeds),
        }
        if self.baseline is not None:
            out["baseline"] = self.baseline
        for key in ("data", "model", "optimizer", "train", "early_stopping"):
            out[key] = getattr(self, key).to_dict()
        if self.eval != EvalConfig():  # absent when off: older studies keep their identity
            out["eval"] = self.eval.to_dict()
        if self.analysis != AnalysisConfig():
            out["analysis"] = self.analysis.to_dict()
        if self.allow_large:
            out["allow_large"] = True
        if self.sweeps:
            out["sweeps"] = [
                {"technique": s.technique, "values": list(s.values), "base": s.base}
                for s in self.sweeps
            ]
        return out

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())


_SECTIONS: dict[str, Any] = {
    "data": DataConfig,
    "model": ModelConfig,
    "optimizer": OptimizerConfig,
    "train": TrainConfig,
    "early_stopping": EarlyStoppingConfig,
    "analysis": AnalysisConfig,
    "eval": EvalConfig,
}


def _convert(key: str, value: Any, allow_large: bool = False) -> Any:
    if key == "data" and isinstance(value, Mapping) and "val_size" not in value:
        value = {**value, "val_size": default_val_size(value.get("name", DataConfig().name))}
    if key in _SECTIONS:
        try:
            return _SECTIONS[key].from_dict(value)
        except ConfigError as err:
            raise ConfigError(f"[{key}] {err}") from None
    if key == "seeds":
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise invalid("seeds", "the study", "a count >= 1 or a list of seeds", value)
            check_count("seeds", value, MAX_SEEDS, allow_large)  # before range() builds them
            return tuple(range(value))
        if not isinstance(value, list | tuple):
            raise invalid("seeds", "the study", "a count >= 1 or a list of seeds", value)
        return tuple(value)
    if key == "arms":
        if isinstance(value, str):
            value = [a.strip() for a in value.split(",") if a.strip()]
        if not isinstance(value, list | tuple) or not all(isinstance(a, str) for a in value):
            raise invalid("arms", "the study", "a list of arm strings", value)
        return tuple(value)
    if key == "sweeps":
        if not isinstance(value, list | tuple):
            raise invalid("sweeps", "the study", "a list of [[sweeps]] tables", value)
        return tuple(_sweep(s) for s in value)
    return value


MAX_NAME = 200


def default_val_size(dataset: Any) -> int:
    """The one default rule for ``val_size`` (spec files, ``--dataset``, the API): the
    dataset's suggested size (digits 300, MNIST 10,000, an added dataset 1/6 of it)."""
    fallback = DataConfig().val_size
    return SUGGESTED_VAL_SIZE.get(dataset, fallback) if isinstance(dataset, str) else fallback


def _check_name(name: Any) -> None:
    """A study's name is a label (shown in reports); folders made from it are slugified
    (reglab.store.names), so only what cannot be shown is refused."""
    ok = isinstance(name, str) and name.strip() and len(name) <= MAX_NAME
    if not ok or not name.isprintable():
        shown = name if not isinstance(name, str) or len(name) <= 40 else name[:40] + "..."
        raise invalid(
            "name",
            "the study",
            f"a non-empty string of at most {MAX_NAME} printable characters",
            shown,
        )


def _check_distinct(arms: tuple[Arm, ...]) -> None:
    """Two arms with the same techniques (``l2=1e-4`` and ``l2=0.0001``, or a listed arm and
    a sweep's) would train twice and count twice in the multiplicity correction."""
    seen: dict[str, str] = {}
    for arm in arms:
        canonical = format_arm(arm.reg)
        if canonical in seen:
            first = seen[canonical]
            same = "appears twice" if first == arm.name else f"and {first!r} are the same arm"
            raise ConfigError(
                f"Arm {arm.name!r} {same} ({canonical}); each arm must appear once in a study."
            )
        seen[canonical] = arm.name


def _sweep(table: Any) -> Sweep:
    if not isinstance(table, Mapping) or set(table) - {"technique", "values", "base"}:
        raise ConfigError(f"[[sweeps]] entries take technique, values and base. Got {table!r}.")
    values = table.get("values", [])
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        raise invalid("values", "Sweep", "a list of finite numbers", values)
    return Sweep(
        str(table.get("technique", "")),
        tuple(float(v) for v in values),
        str(table.get("base", "none")),
    )


def load_spec(path: str | Path) -> StudySpec:
    """Read and validate a TOML spec file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Spec file {str(path)!r} does not exist.") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"Spec file {str(path)!r} cannot be read: {err}.") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"Spec file {str(path)!r} is not valid TOML: {err}.") from None
    return StudySpec.from_dict(data, where=str(path))
