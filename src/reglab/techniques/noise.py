"""Gaussian input noise: each training input gets x + std * z, z ~ N(0, 1) drawn anew every
step (Bishop 1995: training with noise is equivalent to Tikhonov regularization). std is in
input units (pixels in [0, 1] for images). The normal draws come from the member's own
stream (reglab.seeding, purpose "noise") by the Box-Muller transform, so a member's noise
does not depend on its pack::

    >>> z = normal(torch.tensor([1, 2]), step=0, shape=(4096,))
    >>> z.shape, abs(float(z.mean())) < 0.1, abs(float(z.std()) - 1) < 0.1
    (torch.Size([2, 4096]), True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from reglab import seeding

__all__ = ["add_noise", "normal"]


def normal(keys: torch.Tensor, step: int | torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    """Standard normal floats [M, *shape], a pure function of (key, step, index)."""
    n = math.prod(shape)
    u = seeding.uniform(keys, step, (2, n))  # [M, 2, n] in [0, 1)
    radius = torch.sqrt(-2.0 * torch.log1p(-u[:, 0]))  # 1 - u in (0, 1]: finite
    return (radius * torch.cos(2.0 * math.pi * u[:, 1])).view(len(keys), *shape)


def add_noise(x: torch.Tensor, std: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """x [M, B, D] + std [M] * z [M, B, D] (the definition; z standard normal)."""
    return torch.addcmul(x, std.view(-1, 1, 1), z)
