"""What the engine needs from a model family: the ``PackedModel`` protocol.

A packed model holds M members with equal shapes, every tensor with a leading member
dimension, and nothing mixes members. The engine (reglab.engine) talks to a model only
through this protocol, so a family is one module that implements it plus one line in
``reglab.models.FAMILIES``::

    >>> model = create_model(ModelConfig(hidden=(16,)), in_features=784, input_shape=(784,),
    ...                      out_features=10, seeds=[0, 1], bn=False)
    >>> isinstance(model, PackedModel), model.members
    (True, 2)

Conventions every family keeps (the engine and the techniques rely on them):

- ``kernels()``: the weights that penalties, decay and max-norm act on (not biases, not Batch
  Norm's scale and shift), each laid out [M, *fan_in, out], output units last (Keras' layout:
  Dense [in, out], Conv2D [kh, kw, in, out]), so ``maxnorm_`` bounds each unit's incoming
  weights.
- ``parameters()``: what the optimizer steps, in a fixed order; ``tensors()``: the whole state
  (parameters first, in that order, then buffers such as Batch Norm's running statistics),
  what checkpoints save and early stopping snapshots.
- ``forward(x, training=..., drop=..., step=...)``: x is the flat input [M, B, D] (each member
  its own batch) or [B, D] (shared; evaluation), outputs [M, B, C]. In training mode Batch
  Norm uses batch statistics and updates its running ones, and ``drop`` (a DropoutPlan with
  ``dropout_layers`` hidden sites) draws the masks of training step ``step``.
- ``input_shape`` given to the factory is the dataset's image shape (C, H, W) for image data,
  else its feature shape. A family with conv blocks also has ``spatial_dropout_layers`` (the
  DropoutPlan's ``spatial`` sites; optional: the engine reads 0 where it is absent).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, Self, runtime_checkable

import torch

from reglab.config import ModelConfig
from reglab.techniques import DropoutPlan

__all__ = ["ModelFactory", "PackedModel"]


@runtime_checkable
class PackedModel(Protocol):
    """M models of one family and shape, trained as one batched network."""

    @property
    def members(self) -> int:
        """M, the leading dimension of every tensor."""
        ...

    @property
    def dropout_layers(self) -> int:
        """How many hidden dropout sites ``forward`` applies (DropoutPlan.hidden's length)."""
        ...

    def parameters(self) -> list[torch.Tensor]:
        """The trained tensors (requires_grad), in the optimizer's order."""
        ...

    def kernels(self) -> list[torch.Tensor]:
        """The penalized / decayed / max-normed weights, each [M, *fan_in, out]."""
        ...

    def tensors(self) -> list[torch.Tensor]:
        """The whole state, member-first: parameters() then buffers."""
        ...

    def with_tensors(self, tensors: list[torch.Tensor]) -> Self:
        """A model of the same structure holding ``tensors`` (in the order of tensors())."""
        ...

    def forward(
        self,
        x: torch.Tensor,
        *,
        training: bool,
        drop: DropoutPlan | None = None,
        step: int | torch.Tensor = 0,
        taps: list[torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """x [M, B, D] or [B, D] -> outputs [M, B, C]; ``taps`` receives each hidden layer's
        activations [M, B, ...] (dead-unit counts)."""
        ...


class ModelFactory(Protocol):
    """A family's constructor: M members, member i initialized from ``seeds[i]`` only."""

    def __call__(
        self,
        config: ModelConfig,
        *,
        in_features: int,
        input_shape: tuple[int, ...],
        out_features: int,
        seeds: Sequence[int],
        bn: bool,
        device: torch.device | str = "cpu",
    ) -> PackedModel: ...
