"""Measurements of a pack in evaluation mode: loss, accuracy, predictions, weight statistics.

All functions take any PackedModel and shared inputs x [N, D] and return per-member tensors
[M] (or [M, N]), working through the examples in chunks so memory stays bounded for large
packs. The loss is engine/loss.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from reglab.engine.loss import loss_per_member
from reglab.engine.records import HIST_EDGES
from reglab.models import PackedModel

__all__ = ["Measured", "WeightStats", "measure", "weight_stats"]

SPARSITY_THRESHOLD = 1e-3  # |w| below this counts as zero
DEAD_THRESHOLD = 1e-6  # a unit whose |activation| never exceeds this is dead


@dataclass(frozen=True)
class Measured:
    """Per-member loss and accuracy [M] (accuracy NaN for regression), predictions if asked."""

    loss: torch.Tensor
    acc: torch.Tensor
    pred: torch.Tensor | None = None  # [M, N]
    dead: torch.Tensor | None = None  # [M] share of hidden units never active
    proba: torch.Tensor | None = None  # [M, N, C] softmax class probabilities (float32), if asked


@torch.no_grad()
def measure(
    net: PackedModel,
    x: torch.Tensor,
    y: torch.Tensor,
    task: str,
    chunk: int,
    *,
    predictions: bool = False,
    dead_units: bool = False,
    probabilities: bool = False,
) -> Measured:
    """Evaluate every member on the shared examples x [N, D], y [N]."""
    m, n = net.members, x.shape[0]
    loss = torch.zeros(m, device=x.device)
    correct = torch.zeros(m, device=x.device)
    preds, probas, peaks = [], [], None
    for start in range(0, n, chunk):
        xc, yc = x[start : start + chunk], y[start : start + chunk]
        taps: list[torch.Tensor] | None = [] if dead_units else None
        out = net.forward(xc, training=False, taps=taps)  # [M, c, C]
        loss += loss_per_member(out, yc, task) * xc.shape[0]
        pred = out.squeeze(-1) if task == "regression" else out.argmax(-1)  # [M, c]
        if task != "regression":
            correct += (pred == yc).sum(1)
        if predictions:
            preds.append(pred)
        if probabilities and task != "regression":
            probas.append(out.float().softmax(-1))  # [M, c, C]
        if taps:
            peak = torch.cat([t.abs().amax(1).flatten(1) for t in taps], dim=1)  # [M, units]
            peaks = peak if peaks is None else torch.maximum(peaks, peak)
    acc = correct / n if task != "regression" else torch.full((m,), float("nan"))
    dead = (peaks <= DEAD_THRESHOLD).float().mean(1) if peaks is not None else None
    proba = torch.cat(probas, 1) if probas else None
    return Measured(loss / n, acc, torch.cat(preds, 1) if predictions else None, dead, proba)


@dataclass(frozen=True)
class WeightStats:
    """Per-member kernel statistics (numpy, host side)."""

    l1: np.ndarray  # [M, layers] sum |w|
    l2: np.ndarray  # [M, layers] sqrt(sum w^2)
    sparsity: np.ndarray  # [M] share of |w| < SPARSITY_THRESHOLD over all kernels
    hist: np.ndarray  # [M, bins] counts of |w| on HIST_EDGES


@torch.no_grad()
def weight_stats(net: PackedModel) -> WeightStats:
    kernels = [w.detach().flatten(1) for w in net.kernels()]  # each [M, P_l]
    l1 = torch.stack([k.abs().sum(1) for k in kernels], 1)
    l2 = torch.stack([k.norm(dim=1) for k in kernels], 1)
    flat = torch.cat(kernels, 1).abs()  # [M, P]
    sparsity = (flat < SPARSITY_THRESHOLD).float().mean(1)
    edges = torch.as_tensor(HIST_EDGES, dtype=flat.dtype, device=flat.device)
    bins = torch.bucketize(flat.clamp_max(edges[-1]), edges[1:-1], right=True)  # [M, P]
    hist = torch.zeros(flat.shape[0], len(HIST_EDGES) - 1, device=flat.device)
    hist.scatter_add_(1, bins, torch.ones_like(flat))
    return WeightStats(
        l1.cpu().numpy(),
        l2.cpu().numpy(),
        sparsity.cpu().numpy(),
        hist.cpu().numpy().astype(np.int64),
    )
