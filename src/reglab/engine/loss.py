"""The training loss, per member: cross-entropy for classification, mean squared error for
regression; its value for autograd and measurements, and its gradient written out for the
hand-written step (engine/step/backprop.py). One module, so the two cannot disagree on what
the loss is::

    >>> out, y = torch.randn(2, 8, 3), torch.randint(0, 3, (2, 8))    # [M, B, C], [M, B]
    >>> loss, grad = loss_and_grad(out, y, "classification")
    >>> torch.allclose(loss, loss_per_member(out, y, "classification"))
    True
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from reglab.techniques import smoothed_cross_entropy

__all__ = ["loss_and_grad", "loss_per_member"]

_aten = torch.ops.aten


def loss_per_member(
    out: torch.Tensor, y: torch.Tensor, task: str, smoothing: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean loss per member: out [M, B, C], y [M, B] or [B] -> [M]; ``smoothing`` [M]: label
    smoothing per member (training only; reglab.techniques.smoothing)."""
    m, b, c = out.shape
    y = y.expand(m, b)
    if task == "regression":
        return (out.squeeze(-1) - y).square().mean(1)
    if smoothing is not None:
        return smoothed_cross_entropy(out, y, smoothing)
    return (
        F.cross_entropy(out.reshape(m * b, c), y.reshape(m * b), reduction="none")
        .view(m, b)
        .mean(1)
    )


def loss_and_grad(
    out: torch.Tensor, y: torch.Tensor, task: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each member's mean loss [M] and d(sum of the losses)/d out [M, B, C]; y [M, B]."""
    batch = out.shape[1]
    if task == "regression":
        diff = out.squeeze(-1) - y
        return diff.square().mean(1), (diff * (2.0 / batch)).unsqueeze(-1)
    logp = torch.log_softmax(out, 2)
    target = y.unsqueeze(2)
    loss = logp.gather(2, target).squeeze(2).mean(1).neg_()
    d_logp = torch.zeros_like(logp).scatter_(2, target, -1.0 / batch)
    return loss, _aten._log_softmax_backward_data(d_logp, logp, 2, logp.dtype)
