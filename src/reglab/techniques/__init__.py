"""Regularization techniques, each small and testable alone, vectorized over pack members.

Every function takes per-member coefficients as tensors with a leading member dimension M,
so members with the technique off (rate 0, coefficient 0, norm inf) share the same code.
These are the only implementations: models apply Batch Norm and dropout from here, the
engine's optimizer the penalties, decay and max-norm, the trainer early stopping.
"""

from reglab.techniques.augment import Augment, flip, shift
from reglab.techniques.batchnorm import (
    BN_EPS,
    BN_MOMENTUM,
    BatchNormStats,
    batch_norm,
    batch_norm_backward,
    batch_stats,
    normalize,
)
from reglab.techniques.dropout import DropoutPlan, DropoutSite, dropout, keep_scale
from reglab.techniques.early_stopping import Decision, EarlyStopping
from reglab.techniques.inputs import InputPlan
from reglab.techniques.maxnorm import maxnorm_
from reglab.techniques.noise import add_noise, normal
from reglab.techniques.penalties import penalty, penalty_grad_
from reglab.techniques.smoothing import smoothed_cross_entropy

__all__ = [
    "BN_EPS",
    "BN_MOMENTUM",
    "Augment",
    "BatchNormStats",
    "Decision",
    "DropoutPlan",
    "DropoutSite",
    "EarlyStopping",
    "InputPlan",
    "add_noise",
    "batch_norm",
    "batch_norm_backward",
    "batch_stats",
    "dropout",
    "flip",
    "keep_scale",
    "maxnorm_",
    "normal",
    "normalize",
    "penalty",
    "penalty_grad_",
    "shift",
    "smoothed_cross_entropy",
]
