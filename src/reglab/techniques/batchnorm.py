"""Batch Normalization over the batch dimension, per member (Ioffe & Szegedy 2015).

Training normalizes with the batch's mean and biased variance and updates running
statistics (unbiased variance, as torch.nn.BatchNorm1d); inference uses the running
statistics. Momentum follows PyTorch's convention (running = (1 - m) * running + m * batch);
the defaults are Keras' (momentum 0.99 there = 0.01 here, eps 1e-3). ``normalize`` and
``batch_norm_backward`` are the training-mode forward and backward the hand-written step
uses (engine/step/backprop.py); ``batch_norm`` is the same forward for autograd::

    >>> h = torch.randn(3, 32, 8)                             # [M, B, H]
    >>> stats = BatchNormStats.create(3, 8)
    >>> y = batch_norm(h, torch.ones(3, 1, 8), torch.zeros(3, 1, 8), stats, training=True)
    >>> y.shape
    torch.Size([3, 32, 8])
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = [
    "BN_EPS",
    "BN_MOMENTUM",
    "BatchNormStats",
    "batch_norm",
    "batch_norm_backward",
    "batch_stats",
    "normalize",
]

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
    zhat, _ = normalize(h, stats, momentum, eps)
    return zhat * gamma + beta


def normalize(
    h: torch.Tensor, stats: BatchNormStats, momentum: float = BN_MOMENTUM, eps: float = BN_EPS
) -> tuple[torch.Tensor, torch.Tensor]:
    """Training mode: zhat = (h - mean) / sqrt(var + eps) over the batch [M, B, H], and
    rstd = 1 / sqrt(var + eps) [M, 1, H]; the running statistics are updated."""
    var, mean = batch_stats(h, stats, momentum)
    rstd = torch.rsqrt(var + eps)
    return (h - mean) * rstd, rstd


def batch_norm_backward(
    g: torch.Tensor,
    zhat: torch.Tensor,
    rstd: torch.Tensor,
    gamma: torch.Tensor,
    grad_gamma: torch.Tensor,
    grad_beta: torch.Tensor,
) -> torch.Tensor:
    """From g = d/dy [M, B, H] through y = gamma * zhat + beta to d/dh; gamma's and beta's
    gradients [M, 1, H] are written into ``grad_gamma`` and ``grad_beta``::

        d/dh = rstd * (d/dzhat - mean(d/dzhat) - zhat * mean(d/dzhat * zhat))
    """
    torch.sum(g * zhat, 1, keepdim=True, out=grad_gamma)
    torch.sum(g, 1, keepdim=True, out=grad_beta)
    g_hat = g * gamma  # d/dzhat
    centred = g_hat - g_hat.mean(1, keepdim=True)
    return centred.sub_(zhat * (g_hat * zhat).mean(1, keepdim=True)).mul_(rstd)


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
