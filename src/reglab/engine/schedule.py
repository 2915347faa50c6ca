"""Learning-rate and momentum schedules: the optimizer's settings in each epoch.

A schedule is a pure function of (config, epoch, epochs): the trainer sets it at each
epoch's start, the same for every member of a pack, so a resumed pack (which knows its
epoch) continues it exactly. The learning-rate forms are torch.optim.lr_scheduler's in
closed form (ExponentialLR, StepLR, CosineAnnealingLR with T_max = epochs); the momentum
ramp is the Dropout papers' (Hinton et al. 2012, arXiv:1207.0580: linear from 0.5 to 0.99
over the first 500 epochs, then constant; Srivastava et al. 2014 train with it)::

    >>> cfg = OptimizerConfig(name="sgd", lr=0.1, schedule="exponential", lr_decay=0.5,
    ...                       momentum=0.5, momentum_final=0.9, momentum_epochs=4)
    >>> hyper_at(cfg, 2, epochs=10)
    Hyper(lr=0.025, momentum=0.7)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reglab.config import OptimizerConfig

__all__ = ["Hyper", "hyper_at", "schedule_table"]


@dataclass(frozen=True)
class Hyper:
    """The learning rate and (SGD) momentum of one epoch."""

    lr: float
    momentum: float


def hyper_at(config: OptimizerConfig, epoch: int, epochs: int) -> Hyper:
    """The settings of epoch ``epoch`` (0-based) of a training of ``epochs`` epochs.

    A constant schedule returns the config's own numbers (the same floats: bit-identical
    training to a study written before schedules existed).
    """
    return Hyper(_lr(config, epoch, epochs), _momentum(config, epoch))


def schedule_table(config: OptimizerConfig, epochs: int) -> list[Hyper]:
    """The settings of every epoch, in order (for figures and reports)."""
    return [hyper_at(config, e, epochs) for e in range(epochs)]


def _lr(c: OptimizerConfig, epoch: int, epochs: int) -> float:
    if c.schedule == "exponential":
        return c.lr * c.lr_decay**epoch
    if c.schedule == "step":
        return c.lr * c.lr_decay ** (epoch // c.lr_step)
    if c.schedule == "cosine" and epoch > 0:  # epoch 0: lr itself, as torch (no rounding)
        # eta_min + (eta_max - eta_min) * (1 + cos(pi * e / T)) / 2
        return c.lr_min + (c.lr - c.lr_min) * (1 + math.cos(math.pi * epoch / epochs)) / 2
    return c.lr


def _momentum(c: OptimizerConfig, epoch: int) -> float:
    if c.momentum_final is None:
        return c.momentum
    t = min(epoch, c.momentum_epochs) / c.momentum_epochs
    return c.momentum + (c.momentum_final - c.momentum) * t
