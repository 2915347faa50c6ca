"""Early stopping in the engine: the best weights are what a member is tested with, whether it
stopped or the epoch budget ended first (Keras 3's restore_best_weights, DESIGN.md decision 5).

A noisy task overfits from the first epochs, so the validation minimum falls early and a
patience longer than the budget never stops anyone. The restored member must be tested on
exactly the weights it had at its best epoch: the same pack trained for that many epochs ends
there, bit for bit (a member's trajectory does not depend on its early stopping).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.data import Dataset
from reglab.engine import Member, PackTrainer, RunResult

EPOCHS = 10


def _noisy() -> Dataset:
    gen = torch.Generator().manual_seed(0)

    def split(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.randn(n, 12, generator=gen)
        return x, ((x[:, 0] + 1.5 * torch.randn(n, generator=gen)) > 0).long()

    (xt, yt), (xv, yv), (xs, ys) = split(96), split(96), split(200)
    return Dataset("noisy", "classification", xt, yt, xv, yv, xs, ys, 2, (12,), "test", "0")


def _pack(arms: list[str], epochs: int, *, restore: bool = True) -> PackTrainer:
    regs = [parse_arm(a) for a in arms]
    if not restore:
        regs = [
            replace(r, early_stopping=replace(r.early_stopping, restore_best=False))
            if r.early_stopping
            else r
            for r in regs
        ]
    members = [Member(seed, reg) for seed, reg in zip((0, 1, 0), regs, strict=True)]
    train = TrainConfig(epochs=epochs, batch_size=16, train_eval_size=64, device="cpu")
    model, opt = ModelConfig(hidden=(64,)), OptimizerConfig(lr=1e-2)
    return PackTrainer(_noisy(), model, opt, train, members, "cpu")


def _run(trainer: PackTrainer) -> list[RunResult]:
    while not trainer.done:
        trainer.train_epoch()
    return trainer.finish()


def _same_test(a: RunResult, b: RunResult) -> bool:
    return (
        a.test_loss == b.test_loss
        and a.test_acc == b.test_acc
        and np.array_equal(a.test_pred, b.test_pred)
    )


@pytest.mark.parametrize("bn", [False, True])  # with BN the running statistics are restored too
def test_best_weights_are_restored_when_the_budget_ends_first(bn: bool) -> None:
    arms = ["es=50", "es=50", "none"]  # member 2 is member 0 without early stopping
    arms = [f"bn+{a}" if a != "none" else "bn" for a in arms] if bn else arms
    full = _pack(arms, EPOCHS)
    results = _run(full)
    assert all(r.stop_epoch == EPOCHS for r in results)  # nobody stopped: the budget ended
    for k in (0, 1):
        best = results[k].best_epoch
        val = [r.val_loss for r in results[k].epochs]
        assert best == 1 + int(np.argmin(val)) < EPOCHS  # the minimum lies before the end
        short = _pack(arms, best)
        at_best = _run(short)
        kept = full.state.kept_weights(k)  # the weights member k was tested with
        for mine, want in zip(kept, short.model.tensors(), strict=True):
            assert torch.equal(mine, want.detach()[k])
        assert _same_test(results[k], at_best[k])
    # without early stopping, the last epoch's weights: not the restored twin's
    assert not _same_test(results[2], results[0])
    last = full.model.tensors()
    assert all(
        torch.equal(a, b.detach()[2]) for a, b in zip(full.state.kept_weights(2), last, strict=True)
    )


def test_a_stopped_member_keeps_its_best_weights() -> None:
    arms = ["es=2", "es=50", "none"]
    full = _pack(arms, EPOCHS)
    results = _run(full)
    stopped = results[0]
    assert stopped.stop_epoch < EPOCHS and stopped.stop_reason.startswith("early stop")
    short = _run(_pack(arms, stopped.best_epoch))
    assert _same_test(stopped, short[0])


def test_restore_best_off_keeps_the_last_weights() -> None:
    arms = ["es=50", "es=50", "none"]
    full = _pack(arms, EPOCHS, restore=False)
    results = _run(full)
    assert full.state.best_weights(0) is None
    assert _same_test(results[0], results[2])  # member 0 is member 2's twin, unrestored
