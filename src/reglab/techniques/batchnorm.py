"""Batch Normalization over the batch dimension, per member (Ioffe & Szegedy 2015).

Training normalizes with the batch's mean and biased variance and updates running
statistics (unbiased variance, as torch.nn.BatchNorm1d); inference uses the running
statistics. Momentum follows PyTorch's convention (running = (1 - m) * running + m * batch);
the defaults are Keras' (momentum 0.99 there = 0.01 here, eps 1e-3)::

    >>> h = torch.randn(3, 32, 8)                             # [M, B, H]
    >>> stats = BatchNormStats.create(3, 8)
    >>> y = batch_norm(h, torch.ones(3, 1, 8), torch.zeros(3, 1, 8), stats, training=True)
    >>> y.shape
    torch.Size([3, 32, 8])
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["BN_EPS", "BN_MOMENTUM", "BatchNormStats", "batch_norm", "batch_stats"]

BN_MOMENTUM = 0.01
BN_EPS = 1e-3


@dataclass
class BatchNormStats:
    """Running statistics of one BN layer for M members: mean and var, each [M, H]."""

    mean: torch.Tensor
    var: torch.Tensor

    @staticmethod
    def create(members: int, width: int, device: torch.device | str = "cpu") -> BatchNormStats:
        return BatchNormStats(
            torch.zeros(members, width, device=device), torch.ones(members, width, device=device)
        )


def batch_norm(
    h: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    stats: BatchNormStats,
    *,
    training: bool,
    momentum: float = BN_MOMENTUM,
    eps: float = BN_EPS,
) -> torch.Tensor:
    """Normalize h [M, B, H] per member and unit; gamma, beta [M, 1, H]."""
    if not training:
        mean, var = stats.mean.unsqueeze(1), stats.var.unsqueeze(1)  # [M, 1, H]
        return (h - mean) * torch.rsqrt(var + eps) * gamma + beta
    var, mean = batch_stats(h, stats, momentum)
    return (h - mean) * torch.rsqrt(var + eps) * gamma + beta


def batch_stats(
    h: torch.Tensor, stats: BatchNormStats, momentum: float = BN_MOMENTUM
) -> tuple[torch.Tensor, torch.Tensor]:
    """The batch's biased variance and mean of h [M, B, H], each [M, 1, H]; the running
    statistics move towards them (with the unbiased variance, as torch.nn.BatchNorm1d)."""
    var, mean = torch.var_mean(h, dim=1, correction=0, keepdim=True)  # [M, 1, H]
    with torch.no_grad():
        n = h.shape[1]
        unbiased = var.squeeze(1) * (n / max(n - 1, 1))
        stats.mean.lerp_(mean.squeeze(1), momentum)
        stats.var.lerp_(unbiased, momentum)
    return var, mean
