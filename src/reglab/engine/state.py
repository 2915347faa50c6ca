"""A pack's trainer state, in one dataclass: what was built for it and where training stands.

Everything the step, the end-of-epoch bookkeeping, the checkpoint and the final test read or
change is a field of ``TrainerState``; the modules that act on it (engine/step/,
engine/trainer.py, engine/checkpoint.py, engine/finish.py) take it as an argument and set no
attributes on the trainer. ``TrainerState.build`` makes one from a plan's pieces::

    >>> state = TrainerState.build(data, ModelConfig(), OptimizerConfig(), TrainConfig(),
    ...                            [Member(0, Regularization())], torch.device("cpu"))
    >>> state.model.members, state.epoch
    (1, 0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from reglab import seeding
from reglab.config import ModelConfig, OptimizerConfig, Regularization, TrainConfig
from reglab.data import Dataset
from reglab.engine.optim import Coefficients, PackOptimizer
from reglab.engine.records import EpochRecord
from reglab.errors import ConfigError
from reglab.models import PackedModel, create_model
from reglab.techniques import Augment, DropoutPlan, EarlyStopping, InputPlan

__all__ = ["Member", "TrainerState", "check_techniques"]


@dataclass(frozen=True)
class Member:
    """One run of a pack: its seed, its techniques, and whether it trains on a bootstrap."""

    seed: int
    reg: Regularization
    bootstrap: bool = False


@dataclass
class TrainerState:
    """One pack's state. Tensors are on the pack's device; per-member lists have M entries.

    Built once: the members, the model and its optimizer, the per-member coefficients and
    dropout sites, the training data (x [N, D], y [N]), validation data, the fixed clean-train
    subset (x_eval, y_eval), the data-order keys [M] and bootstrap rows [M, N] (None: all
    rows). Progress (what checkpoints hold): epoch and step counters, early-stopping
    machines, epoch records, (val_loss, epoch) minima, how each member ended (None: still
    training), the restore-best snapshot (``best``, in model.tensors() order) and the
    weights each ended member keeps (``final``).
    """

    members: list[Member]
    task: str
    model: PackedModel
    opt: PackOptimizer
    coefs: Coefficients
    drop: DropoutPlan | None
    x: torch.Tensor
    y: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_eval: torch.Tensor
    y_eval: torch.Tensor
    order_keys: torch.Tensor
    rows: torch.Tensor | None
    stoppers: list[EarlyStopping | None]
    epoch: int = 0
    step: int = 0
    records: list[list[EpochRecord]] = field(default_factory=list)
    best_val: list[tuple[float, int]] = field(default_factory=list)
    ended: list[dict[str, Any] | None] = field(default_factory=list)
    best: list[torch.Tensor] | None = None
    final: dict[int, list[torch.Tensor]] = field(default_factory=dict)
    inputs: InputPlan | None = None  # augmentation and input noise of the training batches
    smoothing: torch.Tensor | None = None  # label smoothing [M]; None: no member smooths

    def __post_init__(self) -> None:
        m = len(self.members)
        self.records = self.records or [[] for _ in range(m)]
        self.best_val = self.best_val or [(math.inf, 0)] * m
        self.ended = self.ended or [None] * m

    @property
    def device(self) -> torch.device:
        return self.x.device

    def best_weights(self, i: int) -> list[torch.Tensor] | None:
        """Member i's restore-best snapshot (in model.tensors() order), or None where there is
        nothing to restore: no early stopping with restore_best, or no epoch monitored yet."""
        stopper = self.stoppers[i]
        if (
            stopper is None
            or not stopper.config.restore_best
            or stopper.best_epoch is None
            or self.best is None
        ):
            return None
        return [t[i] for t in self.best]

    def kept_weights(self, i: int) -> list[torch.Tensor]:
        """The weights member i is tested with: those it kept when it ended; else, at the end
        of the epoch budget, its best ones if it restores them (Keras 3's EarlyStopping
        restores in on_train_end too); else the current ones."""
        if i in self.final:
            return self.final[i]
        best = self.best_weights(i)
        return best if best is not None else [t.detach()[i] for t in self.model.tensors()]

    @property
    def best_epochs(self) -> list[int]:
        """Best epoch per member: the early-stopping one, else the lowest val_loss epoch."""
        return [
            (s.best_epoch + 1 if s is not None and s.best_epoch is not None else bv[1])
            for s, bv in zip(self.stoppers, self.best_val, strict=True)
        ]

    @staticmethod
    def build(
        data: Dataset,
        model: ModelConfig,
        optimizer: OptimizerConfig,
        train: TrainConfig,
        members: Sequence[Member],
        device: torch.device,
    ) -> TrainerState:
        """The state of a new pack: members initialized from their seeds, nothing trained."""
        if not members or len({m.reg.bn for m in members}) != 1:
            raise ValueError("a pack needs members that all use Batch Norm or all do not")
        check_techniques(model, [m.reg for m in members], data)
        seeds = [m.seed for m in members]
        x, y = data.x_train.to(device), data.y_train.to(device)
        net = create_model(
            model,
            in_features=data.in_features,
            input_shape=data.model_shape,
            out_features=data.out_features,
            seeds=seeds,
            bn=members[0].reg.bn,
            device=device,
        )
        coefs = Coefficients.of([m.reg for m in members], optimizer, device)
        gen = torch.Generator().manual_seed(0)  # the clean-train subset is the same for all
        subset = torch.randperm(len(x), generator=gen)[: train.train_eval_size].to(device)
        return TrainerState(
            members=list(members),
            task=data.task,
            model=net,
            opt=PackOptimizer(optimizer, net.parameters(), net.kernels(), coefs),
            coefs=coefs,
            drop=DropoutPlan.of(
                coefs.input_dropout,
                coefs.dropout,
                seeds,
                net.dropout_layers,
                device,
                spatial_rate=_column([m.reg.spatial_dropout for m in members], device),
                spatial_layers=getattr(net, "spatial_dropout_layers", 0),  # conv families
            ),
            x=x,
            y=y,
            x_val=data.x_val.to(device),
            y_val=data.y_val.to(device),
            x_eval=x[subset],
            y_eval=y[subset],
            order_keys=seeding.member_keys(seeds, "order", device),
            rows=_bootstrap_rows(members, len(x), device),
            stoppers=[
                EarlyStopping(m.reg.early_stopping) if m.reg.early_stopping else None
                for m in members
            ],
            inputs=InputPlan.of(
                [Augment.parse(m.reg.augment) for m in members],
                _column([m.reg.noise for m in members], device),
                seeds,
                data.image_shape,
                device,
            ),
            smoothing=_smoothing(members, data.task, device),
        )


def check_techniques(model: ModelConfig, regs: Sequence[Regularization], data: Dataset) -> None:
    """One clear ConfigError, before any training, for a technique that does not apply:
    spatial dropout without conv layers, a CNN or augmentation without image data, an
    augmentation the dataset does not allow, label smoothing on regression."""
    for reg in regs:
        if reg.spatial_dropout and model.family != "cnn":
            raise ConfigError(
                "The 'spatial_dropout' parameter of Regularization (sdrop) must be 0 for "
                f"family {model.family!r}, which has no conv layers. Got "
                f"{reg.spatial_dropout!r} instead."
            )
        if reg.smoothing and data.task != "classification":
            raise ConfigError(
                "The 'smoothing' parameter of Regularization (smooth) must be 0 on "
                f"regression data ({data.name!r}). Got {reg.smoothing!r} instead."
            )
        kinds = Augment.parse(reg.augment).kinds
        allowed = data.augmentations if data.image_shape is not None else ()
        for kind in kinds:
            if kind not in allowed:
                raise ConfigError(
                    f"The 'augment' parameter of Regularization must use only what dataset "
                    f"{data.name!r} allows ({', '.join(allowed) or 'nothing: not image data'}). "
                    f"Got {reg.augment!r} instead."
                )
    if model.family == "cnn" and data.image_shape is None:
        raise ConfigError(
            "The 'family' parameter of ModelConfig must be 'mlp' for data without an image "
            f"shape ({data.name!r}, input {tuple(data.input_shape)}). Got 'cnn' instead."
        )


def _column(values: list[float], device: torch.device) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32, device=device)  # [M]


def _smoothing(members: Sequence[Member], task: str, device: torch.device) -> torch.Tensor | None:
    values = [m.reg.smoothing for m in members]
    return _column(values, device) if task == "classification" and any(values) else None


def _bootstrap_rows(members: Sequence[Member], n: int, device: torch.device) -> torch.Tensor | None:
    """Each member's training rows [M, N], drawn with replacement for bootstrap members."""
    if not any(m.bootstrap for m in members):
        return None
    keys = seeding.member_keys([m.seed for m in members], "bootstrap", device)
    rows = seeding.random_bits(keys, 0, n) % n  # [M, N] drawn with replacement
    plain = torch.arange(n, device=device).expand(len(members), n)
    flags = torch.tensor([m.bootstrap for m in members], device=device)
    return torch.where(flags[:, None], rows, plain)
