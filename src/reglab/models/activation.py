"""Activation functions with their derivatives: one table for the models' forward passes and
the hand-written backward (engine/step/backprop.py)::

    >>> act = ACTIVATIONS["tanh"]
    >>> z = torch.randn(2, 3)
    >>> a = act.forward(z)
    >>> g = act.backward(torch.ones_like(z), z, a)           # d tanh(z) / dz = 1 - a^2

``backward(g, z, a)`` applies d act / dz to the upstream gradient g, from the
pre-activation z and the activation a, with the kernel autograd itself would call, so the
two steps agree to the bit where their order of operations agrees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

__all__ = ["ACTIVATIONS", "Activation"]

_aten = torch.ops.aten


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity and its backward (g, z, a) -> g * act'(z)."""

    forward: Callable[[torch.Tensor], torch.Tensor]
    backward: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation(F.relu, lambda g, z, a: _aten.threshold_backward(g, a, 0)),
    "tanh": Activation(torch.tanh, lambda g, z, a: _aten.tanh_backward(g, a)),
    "sigmoid": Activation(torch.sigmoid, lambda g, z, a: _aten.sigmoid_backward(g, a)),
    "gelu": Activation(F.gelu, lambda g, z, a: _aten.gelu_backward(g, z)),
}
