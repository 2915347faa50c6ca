"""Label smoothing (Szegedy et al. 2016): the target is (1 - eps) on the true class plus
eps / C spread over all C classes, so the loss is

    (1 - eps) * (-log p_y) + eps * mean_c(-log p_c)

which is torch's ``F.cross_entropy(..., label_smoothing=eps)``; here eps is per member [M]::

    >>> out, y = torch.randn(2, 8, 3), torch.randint(0, 3, (2, 8))    # [M, B, C], [M, B]
    >>> loss = smoothed_cross_entropy(out, y, torch.tensor([0.0, 0.1]))
    >>> ref = F.cross_entropy(out[1], y[1], label_smoothing=0.1)
    >>> bool(torch.allclose(loss[1], ref))
    True
"""

from __future__ import annotations

import torch

__all__ = ["smoothed_cross_entropy"]


def smoothed_cross_entropy(out: torch.Tensor, y: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """Mean label-smoothed cross-entropy per member: out [M, B, C], y [M, B], eps [M] -> [M]."""
    logp = torch.log_softmax(out, 2)  # [M, B, C]
    nll = -logp.gather(2, y.unsqueeze(2)).squeeze(2).mean(1)  # [M]
    uniform = -logp.mean(2).mean(1)  # [M]: cross-entropy against the uniform target
    return (1.0 - eps) * nll + eps * uniform
