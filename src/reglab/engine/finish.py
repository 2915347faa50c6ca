"""The end of a pack: restore each member's kept weights (``TrainerState.kept_weights``: the
best ones for early stopping with restore_best, whether it stopped or reached the epoch
budget, as Keras 3 does), then test once and summarize.

The test set is touched here only, once per run, after best-weight restore (DESIGN.md,
decision 4).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from reglab.data import Dataset
from reglab.engine.measure import WeightStats, measure, weight_stats
from reglab.engine.records import RunResult
from reglab.engine.state import TrainerState

__all__ = ["finish"]


@torch.no_grad()
def finish(
    state: TrainerState, data: Dataset, chunk: int, probabilities: bool = False
) -> list[RunResult]:
    """Per-member results: test metrics and predictions, weight statistics, dead units
    (``chunk``: examples per evaluation batch); ``probabilities``: also the test class
    probabilities (classification; the bias–variance decomposition on probabilities)."""
    tensors = [t.detach().clone() for t in state.model.tensors()]
    for i in range(len(state.members)):  # restore-best members, whether stopped or not
        if i in state.final or state.best_weights(i) is not None:
            for t, kept in zip(tensors, state.kept_weights(i), strict=True):
                t[i] = kept
    net = state.model.with_tensors(tensors)
    dev = state.device
    test = measure(
        net, data.x_test.to(dev), data.y_test.to(dev), data.task, chunk, predictions=True,
        probabilities=probabilities,
    )  # fmt: skip
    clean = measure(net, state.x_eval, state.y_eval, data.task, chunk, dead_units=True)
    dead = clean.dead
    stats = weight_stats(net)
    assert test.pred is not None and dead is not None
    loss, acc = test.loss.cpu().tolist(), test.acc.cpu().tolist()
    pred = test.pred.cpu().numpy()
    pred = pred.astype(np.int16) if data.task == "classification" else pred.astype(np.float32)
    proba = None if test.proba is None else test.proba.cpu().numpy()  # [M, N, C] float16
    dead_share = dead.cpu().tolist()
    train = list(zip(clean.loss.cpu().tolist(), clean.acc.cpu().tolist(), strict=True))
    out = [
        _result(state, i, (loss[i], acc[i]), train[i], pred[i], dead_share[i], stats)
        for i in range(len(state.members))
    ]
    if proba is None:
        return out
    return [dataclasses.replace(r, test_proba=proba[i]) for i, r in enumerate(out)]


def _result(
    state: TrainerState,
    i: int,
    test: tuple[float, float],
    train: tuple[float, float],
    pred: np.ndarray,
    dead: float,
    stats: WeightStats,
) -> RunResult:
    ended = state.ended[i] or {
        "status": "ok",
        "reason": "completed all epochs",
        "epoch": state.epoch,
    }
    diverged = ended["status"] == "diverged"
    nan = float("nan")
    return RunResult(
        seed=state.members[i].seed,
        status="diverged" if diverged else "ok",
        epochs=list(state.records[i]),
        test_loss=nan if diverged else test[0],
        test_acc=nan if diverged else test[1],
        test_pred=pred,
        best_epoch=state.best_epochs[i],
        stop_epoch=ended["epoch"],
        train_seconds=math.fsum(r.seconds for r in state.records[i]),
        train_loss=nan if diverged else train[0],
        train_acc=nan if diverged else train[1],
        stop_reason=ended["reason"],
        diverged_epoch=ended["epoch"] if diverged else None,
        weight_l1=stats.l1[i].tolist(),
        weight_l2=stats.l2[i].tolist(),
        sparsity=float(stats.sparsity[i]),
        dead_units=nan if diverged else dead,
        weight_hist=stats.hist[i],
    )
