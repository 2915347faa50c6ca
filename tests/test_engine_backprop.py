"""The hand-written forward/backward (engine/backprop.py) against autograd on the same step."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from reglab import seeding
from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.data import Dataset
from reglab.engine import Member, PackTrainer
from reglab.engine.backprop import Backprop
from reglab.engine.measure import loss_per_member
from tests.engine_helpers import tiny_dataset

# rows 1, 2, 4 drop hidden units, 2 and 3 drop inputs: every site has a strict subset
ARMS = ["none", "dropout=0.5", "indrop=0.2+dropout=0.3", "indrop=0.1", "dropout=0.7"]


def _regression(data: Dataset) -> Dataset:
    def target(x: torch.Tensor) -> torch.Tensor:
        return x[:, :3].sum(1).sin()

    return dataclasses.replace(
        data,
        task="regression",
        y_train=target(data.x_train),
        y_val=target(data.x_val),
        y_test=target(data.x_test),
        num_classes=1,
    )


def _trainer(activation: str, task: str) -> PackTrainer:
    data = tiny_dataset(n=96)
    data = _regression(data) if task == "regression" else data
    members = [Member(seed, parse_arm(a)) for seed, a in enumerate(ARMS)]
    model = ModelConfig(hidden=(16, 12), activation=activation)
    return PackTrainer(data, model, OptimizerConfig(), TrainConfig(batch_size=8), members)


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu"])
def test_gradients_and_loss_equal_autograds(activation: str, task: str) -> None:
    trainer = _trainer(activation, task)
    backprop = trainer.backprop
    assert isinstance(backprop, Backprop)
    idx = seeding.permutations(trainer.order_keys, 0, len(trainer.x))[:, :8]
    xb, yb = trainer.x[idx], trainer.y[idx]
    params = trainer.net.weights + trainer.net.biases
    for step in (0, 5):
        loss = backprop(xb.clone(), yb, step)
        grads = [p.grad.clone() for p in params]  # type: ignore[union-attr]
        trainer.opt.zero_grad()
        out = trainer.net.forward(xb, training=True, drop=trainer.drop, step=step)
        ref = loss_per_member(out, yb, task)
        ref.sum().backward()
        torch.testing.assert_close(loss, ref.detach(), rtol=1e-6, atol=1e-7)
        for p, g in zip(params, grads, strict=True):
            torch.testing.assert_close(g, p.grad, rtol=1e-5, atol=1e-7)
        assert all(bool(g.abs().sum() > 0) for g in grads)  # every member learns something


def test_batch_norm_packs_use_autograd() -> None:
    data = tiny_dataset(n=64)
    trainer = PackTrainer(
        data,
        ModelConfig(hidden=(8,)),
        OptimizerConfig(),
        TrainConfig(),
        [Member(0, parse_arm("bn"))],
    )
    assert trainer.backprop is None


def test_training_with_either_path_ends_at_the_same_weights() -> None:
    fast, slow = _trainer("relu", "classification"), _trainer("relu", "classification")
    slow.backprop = None
    for trainer in (fast, slow):
        trainer.train_epoch()
        trainer.train_epoch()
    for a, b in zip(fast.net.tensors(), slow.net.tensors(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
