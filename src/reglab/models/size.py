"""How big one member of a family is: parameters, and floats of activations per example.

The study's memory estimate (study/budget.py) sizes packs from this, so a CNN is counted as
a CNN (its feature maps dominate: MNIST's default CNN keeps ~70k floats per image in
training, against 522 for the 784-512-10 MLP)::

    >>> mlp = model_size(ModelConfig(), (784,), 10)
    >>> mlp.params, mlp.train_floats, mlp.eval_floats
    (407050, 3132, 1044)
    >>> cnn = model_size(ModelConfig(family="cnn", hidden=(128,)), (1, 28, 28), 10)
    >>> cnn.params
    421642

``train_floats``: per training example, the activations autograd keeps and their gradients;
``eval_floats``: per evaluated example. Both are estimates (within a factor of about two of
a measured peak: benchmarks/memory_estimate.py), not counts of every temporary.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from reglab.config import ModelConfig
from reglab.errors import ConfigError

__all__ = ["ModelSize", "model_size"]


@dataclass(frozen=True)
class ModelSize:
    """One member: trainable parameters; activation floats per example in training and eval."""

    params: int
    train_floats: int
    eval_floats: int


def model_size(
    config: ModelConfig, input_shape: tuple[int, ...], out_features: int, bn: bool = False
) -> ModelSize:
    """The size of one member of ``config`` on inputs of ``input_shape``; ``bn``: with Batch
    Norm (a scale and shift instead of a bias per unit; for a CNN one more map per block)."""
    if config.family == "cnn":
        return _cnn_size(config, input_shape, out_features, bn)
    widths = [math.prod(input_shape), *config.hidden, out_features]
    params = sum(a * b + b for a, b in itertools.pairwise(widths))
    units = sum(config.hidden) + out_features
    return ModelSize(params + _bn_extra(config, bn), 6 * units, 2 * units)


def _cnn_size(
    config: ModelConfig, input_shape: tuple[int, ...], out_features: int, bn: bool
) -> ModelSize:
    if len(input_shape) != 3:
        raise ConfigError(
            "The 'family' parameter of ModelConfig must be 'cnn' only for image data "
            f"(a dataset with image_shape (C, H, W)). Got input shape {tuple(input_shape)} "
            "instead."
        )
    c, h, w = input_shape
    k, pool = config.kernel, config.pooling
    params, maps = 0, c * h * w  # the folded input image
    block_peak = 0  # evaluation holds one block's maps at a time
    for out in config.channels:
        params += k * k * c * out + (2 * out if bn else out)
        full = out * h * w  # conv output, ReLU output (and BN's) at full resolution
        before = c * h * w
        h, w = h // pool, w // pool
        pooled = out * h * w * (3 if pool > 1 else 0)  # pooled map + its int64 argmax
        maps += full * (3 if bn else 2) + pooled
        block_peak = max(block_peak, before + full * 2 + out * h * w)
        c = out
    widths = [c * h * w, *config.hidden, out_features]
    params += sum(a * b + b for a, b in itertools.pairwise(widths)) + _bn_extra(config, bn)
    units = sum(config.hidden) + out_features
    # training keeps the maps and their gradients; evaluation one block's maps at a time
    return ModelSize(params, 2 * maps + 6 * units, block_peak + 2 * units)


def _bn_extra(config: ModelConfig, bn: bool) -> int:
    """Batch Norm on the hidden dense layers: a scale and a shift per unit (the CNN drops
    their biases, which BN's shift makes redundant; the MLP keeps them, as Keras does)."""
    if not bn:
        return 0
    return sum(config.hidden) * (1 if config.family == "cnn" else 2)
