"""The step interfaces: ``Step`` (one training step of a pack) and ``Stepper`` (runs steps).

Implementations live beside this module; engine/step/__init__.py's ``select_step`` picks
them.
"""

from __future__ import annotations

from typing import Protocol

import torch

__all__ = ["Step", "Stepper"]


class Step(Protocol):
    """One training step of the whole pack on rows idx [M, b]; returns the data loss [M]."""

    def __call__(
        self, idx: torch.Tensor, step: int | torch.Tensor, next_idx: torch.Tensor | None = None
    ) -> torch.Tensor: ...


class Stepper(Protocol):
    """Runs a ``Step`` batch after batch, adding each member's loss * rows into ``acc`` [M]."""

    body: Step
    acc: torch.Tensor

    def run(self, idx: torch.Tensor, step: int, next_idx: torch.Tensor | None = None) -> None:
        """Train on rows idx [M, b] at step number ``step``; ``next_idx``: the next batch's."""
        ...

    def reset(self) -> None:
        """Forget anything recorded (the state's tensors were replaced, e.g. on resume)."""
        ...

    def retune(self) -> None:
        """The optimizer's lr or momentum changed (a schedule, at an epoch's start): a
        recorded step that baked in the old ones must be recorded again."""
        ...
