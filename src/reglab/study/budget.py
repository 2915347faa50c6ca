"""A study's size before it trains: runs, parameters, memory, steps; and the sanity limits.

The runner prints the estimate before the first pack and refuses a study that is absurd for
the machine or almost surely a typo (``seeds = 100000000``, ``epochs = 1e12``,
``hidden = [100000000]``) with one line saying why and how to go ahead anyway::

    >>> est = estimate(runs=10, packs=2, members=5, model=ModelConfig(), train=TrainConfig(),
    ...                input_shape=(784,), out_features=10, n_train=50_000)
    >>> est.params, est.steps_per_epoch
    (407050, 1563)
    >>> describe(est)
    '10 runs in 2 packs; 407,050 parameters per run (20.4 MB with optimizer state); 10 epochs x 1,563 steps; a pack of 5 needs about 101.8 MB'

Limits (``allow_large = true`` at the top of a spec, ``allow_large=True`` in Python, or
``--allow-large`` on the command line lifts all of them): :data:`MAX_SEEDS` seeds,
:data:`MAX_RUNS` runs, :data:`MAX_EPOCHS` epochs, and one run must fit in half the
device's free memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reglab.config import ModelConfig, TrainConfig
from reglab.errors import ConfigError
from reglab.models.size import model_size

__all__ = [
    "MAX_EPOCHS",
    "MAX_RUNS",
    "MAX_SEEDS",
    "OVERRIDE",
    "Estimate",
    "check_count",
    "check_estimate",
    "describe",
    "estimate",
    "member_bytes",
]

MAX_SEEDS = 10_000
MAX_RUNS = 10_000
MAX_EPOCHS = 10_000
OVERRIDE = (
    "if you mean it, set allow_large = true at the top of the spec "
    "(--allow-large on the command line, allow_large=True in Python)"
)


def check_count(what: str, value: int, limit: int, allow_large: bool) -> None:
    """Refuse ``value`` above ``limit`` (unless allowed), before anything is built from it."""
    if value > limit and not allow_large:
        raise ConfigError(
            f"The study asks for {value:,} {what}, above reglab's sanity limit of {limit:,} "
            f"(a guard against typos); {OVERRIDE}."
        )


def member_bytes(
    model: ModelConfig,
    train: TrainConfig,
    input_shape: tuple[int, ...],
    out_features: int,
    bn: bool = False,
) -> int:
    """Memory one pack member needs in training: 7 copies of its parameters (value, gradient,
    two Adam moments, best snapshot, stopped copy, checkpoint copy) plus its activations for a
    training batch and an evaluation batch (a CNN evaluates in chunks of 256 rows)."""
    size = model_size(model, input_shape, out_features, bn)
    rows = train.eval_batch_size if model.family == "mlp" else min(train.eval_batch_size, 256)
    activations = 4 * (size.train_floats * train.batch_size + size.eval_floats * rows)
    return size.params * 4 * 7 + activations


@dataclass(frozen=True)
class Estimate:
    """How big a study is: runs and packs, parameters and memory, optimizer steps."""

    runs: int
    packs: int
    members: int  # the largest pack
    params: int  # per run
    bytes_per_run: int
    epochs: int
    steps_per_epoch: int

    @property
    def bytes_per_pack(self) -> int:
        return self.members * self.bytes_per_run


def estimate(
    runs: int,
    packs: int,
    members: int,
    model: ModelConfig,
    train: TrainConfig,
    input_shape: tuple[int, ...],
    out_features: int,
    n_train: int,
    bn: bool = False,
) -> Estimate:
    """The size of a study of ``runs`` in ``packs`` (the largest of ``members``)."""
    params = model_size(model, input_shape, out_features, bn).params
    per_run = member_bytes(model, train, input_shape, out_features, bn)
    steps = math.ceil(n_train / train.batch_size)
    return Estimate(runs, packs, members, params, per_run, train.epochs, steps)


def describe(est: Estimate) -> str:
    """One line: what will train and how much memory a pack needs."""
    return (
        f"{est.runs:,} runs in {est.packs:,} packs; {est.params:,} parameters per run "
        f"({_size(est.bytes_per_run)} with optimizer state); {est.epochs:,} epochs x "
        f"{est.steps_per_epoch:,} steps; a pack of {est.members} needs about "
        f"{_size(est.bytes_per_pack)}"
    )


def check_estimate(est: Estimate, free_bytes: int, allow_large: bool) -> None:
    """Refuse a study whose single run cannot fit in half the device's free memory."""
    if est.bytes_per_run > free_bytes // 2 and not allow_large:
        raise ConfigError(
            f"One run of this study needs about {_size(est.bytes_per_run)} "
            f"({est.params:,} parameters), more than half the device's free memory "
            f"({_size(free_bytes)}); use a smaller model, or {OVERRIDE}."
        )


def _size(n: int) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"
