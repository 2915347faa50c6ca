"""L1 and L2 weight penalties, per member, on kernels (not biases), as Keras defines them.

Keras' regularizers are literally ``l1 * sum(abs(w))`` and ``l2 * sum(square(w))`` (no 1/2).
The engine records the penalty apart from the data loss, and folds the penalty's gradient
into the weight gradient (``penalty_grad_``) instead of sending it through autograd::

    >>> w = torch.ones(2, 3, 4)                         # [M, in, out]
    >>> penalty(w, l1=torch.tensor([0.0, 1e-3]), l2=torch.tensor([1e-4, 0.0]))
    tensor([0.0012, 0.0120])
"""

from __future__ import annotations

import torch

__all__ = ["penalty", "penalty_grad_"]


def penalty(w: torch.Tensor, l1: torch.Tensor, l2: torch.Tensor) -> torch.Tensor:
    """l1 * sum|w| + l2 * sum w^2 for each member: w [M, ...], l1 and l2 [M] -> [M]."""
    flat = w.flatten(1)  # [M, P]
    return l1 * flat.abs().sum(1) + l2 * flat.square().sum(1)


def penalty_grad_(
    grad: torch.Tensor, w: torch.Tensor, l1: torch.Tensor | None, l2: torch.Tensor | None
) -> None:
    """Add d(penalty)/dw to ``grad`` in place: l1 * sign(w) + 2 * l2 * w (sign(0) = 0).

    None means the term is off for every member: the caller decides once, so the training
    step never asks the device whether a coefficient is zero (a host sync on a GPU).
    """
    shape = (-1,) + (1,) * (w.dim() - 1)
    if l2 is not None:
        grad.addcmul_(w, (2.0 * l2).view(shape))
    if l1 is not None:
        grad.addcmul_(torch.sign(w), l1.view(shape))
