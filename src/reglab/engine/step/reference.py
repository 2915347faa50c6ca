"""The reference training step: the model's forward, the loss, autograd's backward, the
optimizer. It works for every model family and is what the fast paths are tested against::

    >>> step = ReferenceStep(state)
    >>> loss = step(idx, 0)           # idx [M, b] rows of each member's batch -> loss [M]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from reglab.engine.loss import loss_per_member

if TYPE_CHECKING:
    from reglab.engine.state import TrainerState

__all__ = ["ReferenceStep"]


class ReferenceStep:
    """Forward, backward and update for one batch of each member; returns data loss [M]."""

    def __init__(self, state: TrainerState) -> None:
        self.state = state

    def __call__(
        self, idx: torch.Tensor, step: int | torch.Tensor, next_idx: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``step`` numbers the dropout masks: a Python int, or a device tensor in a graph."""
        s = self.state
        xb, yb = s.x[idx], s.y[idx]  # [M, b, D], [M, b]
        if s.inputs is not None:  # augmentation, input noise
            xb = s.inputs.apply(xb, step)
        out = s.model.forward(xb, training=True, drop=s.drop, step=step)  # [M, b, C]
        loss = loss_per_member(out, yb, s.task, s.smoothing)  # [M]
        s.opt.zero_grad()
        loss.sum().backward()  # members share no parameters: each gets its own gradient
        s.opt.step()
        return loss.detach()
