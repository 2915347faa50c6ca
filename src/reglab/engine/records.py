"""What the engine returns: one EpochRecord per member per epoch, one RunResult per member."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = ["HIST_EDGES", "EpochRecord", "RunResult", "Status"]

Status = Literal["ok", "diverged"]

# log10|w| bins for weight histograms: L1 piles weights near zero, L2 only shrinks them.
HIST_EDGES = np.concatenate([[0.0], np.logspace(-8, 1, 46)])


@dataclass(frozen=True)
class EpochRecord:
    """One member's measurements after one epoch (epochs count from 1).

    data_loss: mean training loss over the epoch's steps (with dropout, without penalty);
    penalty: the L1 + L2 penalty at the epoch's end; train_loss / train_acc: measured in
    evaluation mode on a fixed training subset (the clean side of the generalization gap).
    seconds: the pack's wall time for the epoch divided by its members.
    """

    epoch: int
    data_loss: float
    penalty: float
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float


@dataclass(frozen=True)
class RunResult:
    """One member's result, measured after its best weights were restored (if early-stopped)."""

    seed: int
    status: Status
    epochs: list[EpochRecord]
    test_loss: float
    test_acc: float
    test_pred: np.ndarray  # [N_test]: class index (int16) or regression output (float32)
    best_epoch: int
    stop_epoch: int
    train_seconds: float
    train_loss: float = float("nan")  # on the clean train subset, final weights, eval mode
    train_acc: float = float("nan")
    stop_reason: str = ""
    diverged_epoch: int | None = None
    weight_l1: list[float] = field(default_factory=list)  # per layer, sum |w| of the kernel
    weight_l2: list[float] = field(default_factory=list)  # per layer, sqrt(sum w^2)
    sparsity: float = float("nan")  # share of kernel weights with |w| < 1e-3
    dead_units: float = float("nan")  # share of hidden units never active on the train subset
    weight_hist: np.ndarray = field(default_factory=lambda: np.zeros(0))  # counts on HIST_EDGES
    test_proba: np.ndarray | None = None  # [N_test, C] float16 (classification)
    test_ece: float = float("nan")  # expected calibration error, 15 bins (engine/calibration)
    test_acc_mc: float = float("nan")  # MC dropout (engine/mc_dropout): NaN without dropout
    test_nll_mc: float = float("nan")  # or with [eval] mc_samples = 0
    test_ece_mc: float = float("nan")
    test_proba_mc: np.ndarray | None = None  # [N_test, C] float16: MC dropout's mean softmax

    @property
    def final(self) -> EpochRecord | None:
        return self.epochs[-1] if self.epochs else None
