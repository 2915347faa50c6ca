"""Typed, frozen configuration: one dataclass per component, composed into a study.

Each dataclass validates itself on construction (the boundary) and round-trips through
plain dicts, so a spec file, the CLI and a notebook all build the same objects::

    >>> from reglab.config import OptimizerConfig
    >>> OptimizerConfig(lr=3e-4).to_dict()["lr"]
    0.0003
    >>> OptimizerConfig.from_dict({"lr": -1})
    Traceback (most recent call last):
    reglab.errors.ConfigError: The 'lr' parameter of OptimizerConfig must be a float in (0, inf). Got -1 instead.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self, get_args, get_origin

from reglab.errors import ConfigError, invalid

__all__ = [
    "DataConfig",
    "EarlyStoppingConfig",
    "EvalConfig",
    "ModelConfig",
    "OptimizerConfig",
    "Regularization",
    "TrainConfig",
]

Activation = Literal["relu", "tanh", "gelu", "sigmoid"]
ModelFamily = Literal["mlp", "cnn"]  # reglab.models.FAMILIES: one entry per name
Init = Literal["glorot_uniform", "torch"]
OptimizerName = Literal["adam", "adamw", "sgd"]
Schedule = Literal["constant", "step", "exponential", "cosine"]
Monitor = Literal["val_loss", "val_acc"]
Device = str  # "auto", "cpu", "cuda" or "cuda:N" (engine/device.py resolves it)
_DEVICE = re.compile(r"auto|cpu|cuda(:[0-9]+)?")
PackBy = Literal["auto", "arm", "structure"]


AUGMENT_PATTERN = re.compile(r"shift[1-9][0-9]*(flip)?|flip")


class _Config:
    """Shared dict round-trip for the config dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{cls.__name__} must be a table of settings. Got {data!r} instead.")
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ConfigError(
                f"Unknown setting {unknown[0]!r} for {cls.__name__}; "
                f"known settings are: {', '.join(sorted(fields))}."
            )
        hints = typing.get_type_hints(cls)
        kwargs = {k: _coerce(v, hints[k], k, cls.__name__) for k, v in data.items()}
        return cls(**kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _coerce(value: Any, hint: Any, name: str, owner: str) -> Any:
    """Convert TOML/JSON values to the annotated type (lists to tuples, dicts to configs)."""
    origin = get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, options[0], name, owner)
    if isinstance(hint, type) and issubclass(hint, _Config):
        return hint.from_dict(value)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise invalid(name, owner, "a list", value)
        (item,) = {a for a in get_args(hint) if a is not Ellipsis}
        return tuple(_coerce(v, item, name, owner) for v in value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _check_float(
    owner: str,
    name: str,
    value: object,
    lo: float,
    hi: float,
    *,
    lo_open: bool,
    hi_open: bool = True,
) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not ok:
        left, right = "(" if lo_open else "[", ")" if hi_open else "]"
        raise invalid(name, owner, f"a float in {left}{_fmt(lo)}, {_fmt(hi)}{right}", value)


def _check_int(owner: str, name: str, value: object, lo: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        raise invalid(name, owner, f"an int in [{lo}, inf)", value)


def _check_choice(owner: str, name: str, value: object, hint: Any) -> None:
    choices = get_args(hint)
    if value not in choices:
        raise invalid(name, owner, "one of " + ", ".join(repr(c) for c in choices), value)


def _fmt(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:g}"


@dataclass(frozen=True)
class DataConfig(_Config):
    """Which dataset, and how its training set is split.

    ``val_size`` examples are held out of the official training set for validation
    (deterministically: the last ones); ``train_subset`` keeps only that many of the rest
    (a fixed, seed-independent choice) to make overfitting visible.

    ``label_noise`` p replaces each label of the official training set, independently with
    probability p, by a uniformly random class (Zhang et al. 2017; 1.0: random labels), the
    same for every arm and seed (a fixed function of the data and ``label_seed``). The
    validation split comes from that training set, so its labels are noisy too (early
    stopping and model selection see what a user with noisy data sees); the test set is never
    touched. Both are left out of :meth:`to_dict` at their defaults, so a spec without them
    keeps its identity::

        >>> DataConfig("digits", label_noise=0.2).to_dict()["label_noise"]
        0.2
        >>> "label_noise" in DataConfig("digits").to_dict()
        False
    """

    name: str = "mnist"
    val_size: int = 10_000
    train_subset: int | None = None
    path: str | None = None
    label_noise: float = 0.0
    label_seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise invalid("name", "DataConfig", "a dataset name such as 'mnist'", self.name)
        _check_int("DataConfig", "val_size", self.val_size, 1)
        if self.train_subset is not None:
            _check_int("DataConfig", "train_subset", self.train_subset, 1)
        _check_float(
            "DataConfig", "label_noise", self.label_noise, 0.0, 1.0, lo_open=False, hi_open=False
        )
        _check_int("DataConfig", "label_seed", self.label_seed, 0)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        for key, default in (("label_noise", 0.0), ("label_seed", 0)):
            if out.get(key) == default:
                del out[key]  # specs written before label noise existed keep their identity
        return out


@dataclass(frozen=True)
class ModelConfig(_Config):
    """A model: ``family`` "mlp" (input -> hidden widths -> classes) or "cnn" (image data:
    per entry of ``channels`` a ``kernel`` x ``kernel`` "same" convolution, ReLU and a
    ``pooling`` x ``pooling`` max-pool (1: none), then a dense head of ``hidden`` widths).
    Keras defaults: Glorot-uniform, zero bias. ``channels``, ``kernel`` and ``pooling`` are
    the CNN's only (the MLP ignores them)::

        >>> ModelConfig(family="cnn", hidden=(128,)).channels
        (32, 64)
    """

    hidden: tuple[int, ...] = (512,)
    activation: Activation = "relu"
    init: Init = "glorot_uniform"
    family: ModelFamily = "mlp"
    channels: tuple[int, ...] = (32, 64)
    kernel: int = 3
    pooling: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.channels, tuple) or not self.channels:
            raise invalid("channels", "ModelConfig", "a non-empty list of widths", self.channels)
        for width in self.channels:
            _check_int("ModelConfig", "channels", width, 1)
        _check_int("ModelConfig", "kernel", self.kernel, 1)
        _check_int("ModelConfig", "pooling", self.pooling, 1)
        if self.family == "cnn" and self.activation != "relu":
            raise invalid("activation", "ModelConfig", "'relu' for a cnn", self.activation)
        if self.family == "cnn" and self.init != "glorot_uniform":
            raise invalid("init", "ModelConfig", "'glorot_uniform' for a cnn", self.init)
        if not isinstance(self.hidden, tuple) or not self.hidden:
            raise invalid("hidden", "ModelConfig", "a non-empty list of widths", self.hidden)
        for width in self.hidden:
            _check_int("ModelConfig", "hidden", width, 1)
        _check_choice("ModelConfig", "activation", self.activation, Activation)
        _check_choice("ModelConfig", "init", self.init, Init)
        _check_choice("ModelConfig", "family", self.family, ModelFamily)


@dataclass(frozen=True)
class OptimizerConfig(_Config):
    """Adam with Keras' defaults (eps 1e-7); AdamW; SGD with momentum or Nesterov.

    Schedules are per epoch (set at each epoch's start, the same for every member):
    ``schedule`` "constant" keeps ``lr``; "exponential" uses lr * lr_decay**e in epoch e
    (from 0); "step" multiplies by ``lr_decay`` every ``lr_step`` epochs; "cosine" anneals
    from lr to ``lr_min`` over the training's epochs (torch's ExponentialLR, StepLR,
    CosineAnnealingLR). ``momentum_final`` (SGD only) ramps the momentum linearly from
    ``momentum`` to it over ``momentum_epochs`` epochs, then holds it (the Dropout papers:
    0.5 to 0.99, Hinton et al. 2012)::

        >>> OptimizerConfig(name="sgd", lr=0.1, schedule="exponential", lr_decay=0.95,
        ...                 momentum=0.5, momentum_final=0.99, momentum_epochs=100).lr_decay
        0.95
    """

    name: OptimizerName = "adam"
    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-7
    momentum: float = 0.0
    nesterov: bool = False
    schedule: Schedule = "constant"
    lr_decay: float = 1.0
    lr_step: int = 1
    lr_min: float = 0.0
    momentum_final: float | None = None
    momentum_epochs: int = 1

    def __post_init__(self) -> None:
        _check_choice("OptimizerConfig", "name", self.name, OptimizerName)
        _check_float("OptimizerConfig", "lr", self.lr, 0.0, math.inf, lo_open=True)
        _check_float("OptimizerConfig", "beta1", self.beta1, 0.0, 1.0, lo_open=False)
        _check_float("OptimizerConfig", "beta2", self.beta2, 0.0, 1.0, lo_open=False)
        _check_float("OptimizerConfig", "eps", self.eps, 0.0, math.inf, lo_open=True)
        _check_float("OptimizerConfig", "momentum", self.momentum, 0.0, 1.0, lo_open=False)
        if self.nesterov and not (self.name == "sgd" and self.momentum > 0):
            raise invalid(
                "nesterov",
                "OptimizerConfig",
                "false unless name is 'sgd' with momentum > 0",
                self.nesterov,
            )
        self._check_schedule()

    def _check_schedule(self) -> None:
        owner = "OptimizerConfig"
        _check_choice(owner, "schedule", self.schedule, Schedule)
        _check_float(owner, "lr_decay", self.lr_decay, 0.0, 1.0, lo_open=True, hi_open=False)
        _check_int(owner, "lr_step", self.lr_step, 1)
        _check_float(owner, "lr_min", self.lr_min, 0.0, self.lr, lo_open=False)
        _check_int(owner, "momentum_epochs", self.momentum_epochs, 1)
        decays = self.schedule in ("exponential", "step")
        if decays and self.lr_decay == 1.0:
            raise invalid("lr_decay", owner, f"below 1 for schedule {self.schedule!r}", 1.0)
        unused = [  # a setting the schedule would ignore is an error, not a silent no-op
            ("lr_decay", self.lr_decay != 1.0 and not decays, "'exponential' or 'step'"),
            ("lr_step", self.lr_step != 1 and self.schedule != "step", "'step'"),
            ("lr_min", self.lr_min != 0.0 and self.schedule != "cosine", "'cosine'"),
        ]
        for name, bad, needs in unused:
            if bad:
                raise invalid(
                    name,
                    owner,
                    f"left at its default unless schedule is {needs}",
                    getattr(self, name),
                )
        if self.momentum_final is None:
            if self.momentum_epochs != 1:
                raise invalid(
                    "momentum_epochs",
                    owner,
                    "left at 1 without momentum_final",
                    self.momentum_epochs,
                )
            return
        if self.name != "sgd":
            need = "unset unless name is 'sgd' (momentum schedules need sgd)"
            raise invalid("momentum_final", owner, need, self.momentum_final)
        _check_float(owner, "momentum_final", self.momentum_final, 0.0, 1.0, lo_open=False)
        if self.nesterov and self.momentum_final == 0:
            raise invalid("momentum_final", owner, "> 0 with nesterov", self.momentum_final)

    def to_dict(self) -> dict[str, Any]:
        """The settings; schedule settings only where they differ from their defaults, so
        the identity of a study without a schedule is what it was before schedules."""
        out = super().to_dict()
        for name, default in _SCHEDULE_DEFAULTS.items():
            if out.get(name, default) == default:
                out.pop(name, None)
        return out


_SCHEDULE_DEFAULTS: dict[str, Any] = {
    "schedule": "constant",
    "lr_decay": 1.0,
    "lr_step": 1,
    "lr_min": 0.0,
    "momentum_epochs": 1,
}  # momentum_final: None, which to_dict leaves out anyway


@dataclass(frozen=True)
class EarlyStoppingConfig(_Config):
    """Stop a member when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs."""

    patience: int = 3
    monitor: Monitor = "val_loss"
    min_delta: float = 0.0
    start_from_epoch: int = 0
    restore_best: bool = True

    def __post_init__(self) -> None:
        _check_int("EarlyStopping", "patience", self.patience, 0)
        _check_choice("EarlyStopping", "monitor", self.monitor, Monitor)
        _check_float("EarlyStopping", "min_delta", self.min_delta, 0.0, math.inf, lo_open=False)
        _check_int("EarlyStopping", "start_from_epoch", self.start_from_epoch, 0)


@dataclass(frozen=True)
class Regularization(_Config):
    """The techniques applied to one run. Zero / None / False means "off".

    dropout: rate on hidden units; input_dropout: rate on inputs (inverted dropout).
    l1, l2: coefficients of sum|w| and sum w^2 over kernels, added to the loss (Keras).
    wd: decoupled weight decay (AdamW-style: w <- w - lr * wd * w), not a loss term.
    maxnorm: max L2 norm c of each unit's incoming weights (Srivastava et al. 2014).
    bn: Batch Norm after each hidden linear layer. early_stopping: see EarlyStoppingConfig.
    spatial_dropout: rate of whole feature maps dropped after each conv block (CNN only).
    augment: random image transforms per example, e.g. "shift2" (translations of up to 2
    px), "flip" (horizontal), "shift2flip"; the dataset says which it allows.
    noise: std of Gaussian noise added to the inputs (input units). smoothing: label
    smoothing (as torch's ``cross_entropy(label_smoothing=)``).
    """

    dropout: float = 0.0
    input_dropout: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    wd: float = 0.0
    maxnorm: float | None = None
    bn: bool = False
    early_stopping: EarlyStoppingConfig | None = None
    spatial_dropout: float = 0.0
    augment: str | None = None
    noise: float = 0.0
    smoothing: float = 0.0

    def __post_init__(self) -> None:
        _check_float("Regularization", "dropout", self.dropout, 0.0, 1.0, lo_open=False)
        _check_float(
            "Regularization", "spatial_dropout", self.spatial_dropout, 0.0, 1.0, lo_open=False
        )
        _check_float("Regularization", "noise", self.noise, 0.0, math.inf, lo_open=False)
        _check_float("Regularization", "smoothing", self.smoothing, 0.0, 1.0, lo_open=False)
        if self.augment is not None and not (
            isinstance(self.augment, str) and AUGMENT_PATTERN.fullmatch(self.augment)
        ):
            raise invalid(
                "augment",
                "Regularization",
                "'shiftK' (K px, K >= 1), 'flip' or 'shiftKflip'",
                self.augment,
            )
        _check_float("Regularization", "input_dropout", self.input_dropout, 0.0, 1.0, lo_open=False)
        for name in ("l1", "l2", "wd"):
            _check_float("Regularization", name, getattr(self, name), 0.0, math.inf, lo_open=False)
        if self.maxnorm is not None:
            _check_float("Regularization", "maxnorm", self.maxnorm, 0.0, math.inf, lo_open=True)
        if not isinstance(self.bn, bool):
            raise invalid("bn", "Regularization", "true or false", self.bn)


@dataclass(frozen=True)
class TrainConfig(_Config):
    """How long and how: epochs, batch size, device, and measurement sizes.

    ``train_eval_size`` training examples (a fixed subset) are re-measured in evaluation mode
    each epoch, so train accuracy and the generalization gap are clean of dropout and penalty.
    ``pack_size`` caps members per pack (None: chosen from available memory). ``pack_by``
    "arm" trains each arm's seeds as its own pack(s); "structure" packs every run of equal
    shape together (fewer, larger packs: fastest on a GPU); "auto" is "structure" on CUDA
    and "arm" on the CPU. Time per member step is reported per arm either way.
    ``deterministic`` turns on torch's deterministic algorithms for the study. ``cuda_graph``
    records each pack's training step as a CUDA graph on a GPU (no effect on the CPU).
    ``tf32`` lets CUDA matmuls and convolutions use TF32 (faster, about 1e-3 relative
    rounding in products; no effect on the CPU). ``checkpoint_seconds``: a pack's state is
    saved after its first epoch, after an epoch that ends at least this long after the last
    save, and after its last epoch (0: after every epoch).
    """

    epochs: int = 10
    batch_size: int = 32
    device: Device = "auto"
    train_eval_size: int = 10_000
    eval_batch_size: int = 2_048
    pack_size: int | None = None
    pack_by: PackBy = "auto"
    deterministic: bool = False
    cuda_graph: bool = True
    tf32: bool = False
    checkpoint_seconds: float = 30.0

    def __post_init__(self) -> None:
        _check_int("TrainConfig", "epochs", self.epochs, 1)
        _check_int("TrainConfig", "batch_size", self.batch_size, 1)
        if not isinstance(self.device, str) or not _DEVICE.fullmatch(self.device):
            raise invalid(
                "device", "TrainConfig", "one of 'auto', 'cpu', 'cuda' or 'cuda:N'", self.device
            )
        _check_int("TrainConfig", "train_eval_size", self.train_eval_size, 1)
        _check_int("TrainConfig", "eval_batch_size", self.eval_batch_size, 1)
        if self.pack_size is not None:
            _check_int("TrainConfig", "pack_size", self.pack_size, 1)
        _check_choice("TrainConfig", "pack_by", self.pack_by, PackBy)
        if not isinstance(self.deterministic, bool):
            raise invalid("deterministic", "TrainConfig", "true or false", self.deterministic)
        if not isinstance(self.cuda_graph, bool):
            raise invalid("cuda_graph", "TrainConfig", "true or false", self.cuda_graph)
        if not isinstance(self.tf32, bool):
            raise invalid("tf32", "TrainConfig", "true or false", self.tf32)
        _check_float(
            "TrainConfig",
            "checkpoint_seconds",
            self.checkpoint_seconds,
            0.0,
            math.inf,
            lo_open=False,
        )


MAX_MC_SAMPLES = 10_000


@dataclass(frozen=True)
class EvalConfig(_Config):
    """How each run is tested at its end, besides the usual single pass (``[eval]``).

    ``mc_samples``: Monte-Carlo dropout (Gal & Ghahramani 2016): runs with dropout (input,
    hidden or spatial) are also tested with dropout on, averaging the softmax of this many
    seeded passes; recorded as test_acc_mc, test_nll_mc, test_ece_mc (0: off, the default;
    NaN for runs without dropout)::

        >>> EvalConfig(mc_samples=30).to_dict()
        {'mc_samples': 30}
    """

    mc_samples: int = 0

    def __post_init__(self) -> None:
        v = self.mc_samples
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_MC_SAMPLES:
            raise invalid("mc_samples", "EvalConfig", f"an int in [0, {MAX_MC_SAMPLES}]", v)
