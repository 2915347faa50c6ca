"""The hand-written forward/backward (engine/step/backprop.py) against autograd on the same step."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from reglab import seeding
from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.data import Dataset
from reglab.engine import Member, PackTrainer
from reglab.engine.loss import loss_per_member
from reglab.engine.step import BackpropStep, ReferenceStep, StepPath
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


def _trainer(
    activation: str, task: str, *, bn: bool = False, path: StepPath = "backprop"
) -> PackTrainer:
    data = tiny_dataset(n=96)
    data = _regression(data) if task == "regression" else data
    arms = [("bn" if a == "none" else a + "+bn") if bn else a for a in ARMS]
    members = [Member(seed, parse_arm(a)) for seed, a in enumerate(arms)]
    model = ModelConfig(hidden=(16, 12), activation=activation)
    train = TrainConfig(batch_size=8)
    return PackTrainer(data, model, OptimizerConfig(), train, members, "cpu", path=path)


@pytest.mark.parametrize("bn", [False, True])
@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu"])
def test_gradients_and_loss_equal_autograds(activation: str, task: str, bn: bool) -> None:
    trainer = _trainer(activation, task, bn=bn)
    step = trainer.stepper.body
    assert isinstance(step, BackpropStep)
    backprop = step.backprop
    idx = seeding.permutations(trainer.state.order_keys, 0, len(trainer.state.x))[:, :8]
    xb, yb = trainer.state.x[idx], trainer.state.y[idx]
    params = trainer.model.parameters()
    stats = trainer.model.bn_stats
    for step in (0, 5):
        before = [(s.mean.clone(), s.var.clone()) for s in stats]
        loss = backprop(xb.clone(), yb, step)
        grads = [p.grad.clone() for p in params]  # type: ignore[union-attr]
        after = [(s.mean.clone(), s.var.clone()) for s in stats]
        for s, (mean, var) in zip(stats, before, strict=True):  # autograd updates them again
            s.mean.copy_(mean)
            s.var.copy_(var)
        trainer.state.opt.zero_grad()
        out = trainer.model.forward(xb, training=True, drop=trainer.state.drop, step=step)
        ref = loss_per_member(out, yb, task)
        ref.sum().backward()
        torch.testing.assert_close(loss, ref.detach(), rtol=1e-6, atol=1e-7)
        for p, g in zip(params, grads, strict=True):
            torch.testing.assert_close(g, p.grad, rtol=1e-4, atol=2e-6)
        for s, (mean, var) in zip(stats, after, strict=True):  # running statistics too
            torch.testing.assert_close(s.mean, mean)
            torch.testing.assert_close(s.var, var)
        kernels = grads[: len(trainer.model.weights)]
        assert all(bool((g.flatten(1).abs().sum(1) > 0).all()) for g in kernels)  # every member


@pytest.mark.parametrize("bn", [False, True])
def test_training_with_either_path_ends_at_the_same_weights(bn: bool) -> None:
    fast, slow = (
        _trainer("relu", "classification", bn=bn),
        _trainer("relu", "classification", bn=bn, path="reference"),
    )
    assert isinstance(slow.stepper.body, ReferenceStep)

    def compared(trainer: PackTrainer) -> list[torch.Tensor]:
        net = trainer.model
        if not bn:
            return net.tensors()
        # a bias before BN has a zero gradient up to rounding, which Adam scales to +-lr
        # steps: it drifts with the noise in either path and changes no output
        return [*net.weights, *net.gammas, *net.betas, net.biases[-1]]

    for trainer in (fast, slow):
        trainer.train_epoch()
        trainer.train_epoch()
    for a, b in zip(compared(fast), compared(slow), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
