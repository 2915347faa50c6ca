"""Calibration of class probabilities: negative log-likelihood and expected calibration error.

ECE (Guo et al. 2017, "On Calibration of Modern Neural Networks", eq. 3): the predictions
are grouped by confidence (the top probability) into ``bins`` equal-width bins
B_m = ((m-1)/bins, m/bins]; ECE = sum_m |B_m|/n * |acc(B_m) - conf(B_m)|, where acc is the
share of correct predictions in the bin and conf its mean confidence. 0 is perfectly
calibrated. Both functions work per member on probabilities [M, N, C] and shared labels [N]::

    >>> proba = torch.tensor([[[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]]])   # [M=1, N=3, C=2]
    >>> y = torch.tensor([0, 1, 1])
    >>> expected_calibration_error(proba, y)   # bins: {0.9: right}, {0.6: wrong}, {0.8: right}
    tensor([0.3000])
    >>> nll(proba, y)                          # -(log 0.9 + log 0.4 + log 0.8) / 3
    tensor([0.4149])

(0.3 = (|1 - 0.9| + |0 - 0.6| + |1 - 0.8|) / 3.) The engine measures them on each run's test
probabilities (engine/finish.py); the analysis uses the same functions for seed ensembles.
"""

from __future__ import annotations

import torch

__all__ = ["ECE_BINS", "FLOAT16_FLOOR", "expected_calibration_error", "nll"]

ECE_BINS = 15  # Guo et al. 2017's choice, the usual one since
FLOAT16_FLOOR = 2.0**-24  # the smallest float16 above 0: stored probabilities never go lower


def expected_calibration_error(
    proba: torch.Tensor, y: torch.Tensor, bins: int = ECE_BINS
) -> torch.Tensor:
    """ECE per member [M] of probabilities proba [M, N, C] for labels y [N]."""
    proba = proba.float()
    m, n = proba.shape[:2]
    conf, pred = proba.max(-1)  # [M, N]
    correct = (pred == y.to(pred.device)).float()  # [M, N]
    # bin m holds conf in ((m-1)/bins, m/bins]: index ceil(conf * bins) - 1, in [0, bins)
    index = (conf * bins).ceil().long().sub_(1).clamp_(0, bins - 1)  # [M, N]
    acc_sum = torch.zeros(m, bins, device=proba.device).scatter_add_(1, index, correct)
    conf_sum = torch.zeros(m, bins, device=proba.device).scatter_add_(1, index, conf)
    # |B|/n * |acc(B) - conf(B)| = |sum of correct - sum of conf| / n, bin by bin
    return (acc_sum - conf_sum).abs().sum(1) / n


def nll(proba: torch.Tensor, y: torch.Tensor, floor: float = 0.0) -> torch.Tensor:
    """Mean negative log-likelihood per member [M] of labels y [N] under proba [M, N, C].

    ``floor``: probabilities below it count as it (``FLOAT16_FLOOR`` for probabilities stored
    as float16, where a tiny one may have rounded to 0); else float32's smallest normal.
    """
    proba = proba.float()
    index = y.to(proba.device).long().view(1, -1, 1).expand(proba.shape[0], -1, 1)
    p = proba.gather(2, index).squeeze(2)  # [M, N]
    return -p.clamp_min(max(floor, torch.finfo(torch.float32).tiny)).log().mean(1)
