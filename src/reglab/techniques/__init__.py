"""Regularization techniques, each small and testable alone, vectorized over pack members.

Every function takes per-member coefficients as tensors with a leading member dimension M,
so members with the technique off (rate 0, coefficient 0, norm inf) share the same code.
"""

from reglab.techniques.batchnorm import (
    BN_EPS,
    BN_MOMENTUM,
    BatchNormStats,
    batch_norm,
    batch_stats,
)
from reglab.techniques.dropout import dropout, keep_scale
from reglab.techniques.early_stopping import Decision, EarlyStopping
from reglab.techniques.maxnorm import maxnorm_
from reglab.techniques.penalties import penalty, penalty_grad_

__all__ = [
    "BN_EPS",
    "BN_MOMENTUM",
    "BatchNormStats",
    "Decision",
    "EarlyStopping",
    "batch_norm",
    "batch_stats",
    "dropout",
    "keep_scale",
    "maxnorm_",
    "penalty",
    "penalty_grad_",
]
