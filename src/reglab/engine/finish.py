"""The end of a pack: restore each member's kept weights (``TrainerState.kept_weights``: the
best ones for early stopping with restore_best, whether it stopped or reached the epoch
budget, as Keras 3 does), then test once and summarize.

The test set is touched here only, once per run, after best-weight restore (DESIGN.md,
decision 4). For classification each run also keeps its test class probabilities (float16,
for seed ensembles and the bias–variance decomposition) and its expected calibration error
(engine/calibration.py); with ``mc_samples`` > 0, members with dropout are also tested with
dropout on, averaging ``mc_samples`` passes (engine/mc_dropout.py).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch

from reglab.data import Dataset
from reglab.engine.calibration import expected_calibration_error, nll
from reglab.engine.mc_dropout import mc_plan, mc_probabilities
from reglab.engine.measure import WeightStats, measure, weight_stats
from reglab.engine.records import RunResult
from reglab.engine.state import TrainerState
from reglab.models import PackedModel

__all__ = ["finish"]


@torch.no_grad()
def finish(state: TrainerState, data: Dataset, chunk: int, mc_samples: int = 0) -> list[RunResult]:
    """Per-member results: test metrics, predictions and (classification) class
    probabilities and calibration, weight statistics, dead units (``chunk``: examples per
    evaluation batch); ``mc_samples`` > 0: also MC-dropout metrics for members with dropout."""
    tensors = [t.detach().clone() for t in state.model.tensors()]
    for i in range(len(state.members)):  # restore-best members, whether stopped or not
        if i in state.final or state.best_weights(i) is not None:
            for t, kept in zip(tensors, state.kept_weights(i), strict=True):
                t[i] = kept
    net = state.model.with_tensors(tensors)
    dev = state.device
    x_test, y_test = data.x_test.to(dev), data.y_test.to(dev)
    classify = data.task == "classification"
    test = measure(
        net, x_test, y_test, data.task, chunk, predictions=True, probabilities=classify
    )  # fmt: skip
    clean = measure(net, state.x_eval, state.y_eval, data.task, chunk, dead_units=True)
    dead = clean.dead
    stats = weight_stats(net)
    assert test.pred is not None and dead is not None
    loss, acc = test.loss.cpu().tolist(), test.acc.cpu().tolist()
    pred = test.pred.cpu().numpy()
    pred = pred.astype(np.int16) if classify else pred.astype(np.float32)
    dead_share = dead.cpu().tolist()
    train = list(zip(clean.loss.cpu().tolist(), clean.acc.cpu().tolist(), strict=True))
    out = [
        _result(state, i, (loss[i], acc[i]), train[i], pred[i], dead_share[i], stats)
        for i in range(len(state.members))
    ]
    if test.proba is None:
        return out
    proba = test.proba.half().cpu().numpy()  # [M, N, C] float16: keeps the pack small
    ece = expected_calibration_error(test.proba, y_test).cpu().tolist()
    mc = _monte_carlo(state, net, x_test, y_test, mc_samples)
    return [_calibrated(r, proba[i], ece[i], mc, i) for i, r in enumerate(out)]


@dataclass(frozen=True)
class _MonteCarlo:
    """MC-dropout results per member: accuracy, NLL, ECE [M], probabilities [M, N, C]
    (float16) and whether each member drops anything (the others get NaN)."""

    acc: list[float]
    nll: list[float]
    ece: list[float]
    proba: np.ndarray
    drops: list[bool]


def _monte_carlo(
    state: TrainerState, net: PackedModel, x: torch.Tensor, y: torch.Tensor, samples: int
) -> _MonteCarlo | None:
    """MC dropout on the test set; None when ``samples`` is 0 or no member drops."""
    if samples == 0:
        return None
    regs = [m.reg for m in state.members]
    spatial = torch.tensor([r.spatial_dropout for r in regs], device=x.device)
    plan = mc_plan(
        [m.seed for m in state.members],
        state.coefs.input_dropout,
        state.coefs.dropout,
        net.dropout_layers,
        spatial_rate=spatial,
        spatial_layers=getattr(net, "spatial_dropout_layers", 0),
    )
    if plan is None:
        return None
    proba = mc_probabilities(net, plan, x, samples)  # [M, N, C]
    return _MonteCarlo(
        acc=(proba.argmax(-1) == y).float().mean(1).cpu().tolist(),
        nll=nll(proba, y).cpu().tolist(),
        ece=expected_calibration_error(proba, y).cpu().tolist(),
        proba=proba.half().cpu().numpy(),
        drops=[bool(r.dropout or r.input_dropout or r.spatial_dropout) for r in regs],
    )


def _calibrated(
    r: RunResult, proba: np.ndarray, ece: float, mc: _MonteCarlo | None, i: int
) -> RunResult:
    """Member i's result with its test probabilities and calibration (NaN if diverged), and
    its MC-dropout ones if it drops."""
    r = dataclasses.replace(r, test_proba=proba)
    if r.status == "diverged":
        return r
    r = dataclasses.replace(r, test_ece=ece)
    if mc is None or not mc.drops[i]:
        return r
    return dataclasses.replace(
        r,
        test_acc_mc=mc.acc[i],
        test_nll_mc=mc.nll[i],
        test_ece_mc=mc.ece[i],
        test_proba_mc=mc.proba[i],
    )


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
