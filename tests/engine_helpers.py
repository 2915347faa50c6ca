"""Shared builders for engine tests: a tiny dataset and a plain-PyTorch reference loop."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from reglab import seeding
from reglab.data import Dataset
from reglab.engine import PackTrainer


def tiny_dataset(n: int = 256, d: int = 20, classes: int = 4, seed: int = 0) -> Dataset:
    gen = torch.Generator().manual_seed(seed)
    centers = torch.randn(classes, d, generator=gen) * 2

    def split(size: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, classes, (size,), generator=gen)
        return centers[y] + torch.randn(size, d, generator=gen), y

    (xt, yt), (xv, yv), (xs, ys) = split(n), split(n // 2), split(n // 2)
    return Dataset("tiny", "classification", xt, yt, xv, yv, xs, ys, classes, (d,), "test", "0")


def reference_model(trainer: PackTrainer, i: int) -> nn.Sequential:
    """An nn.Sequential with member i's initial weights (Linear, ReLU, ..., Linear)."""
    layers: list[nn.Module] = []
    for layer, (w, b) in enumerate(zip(trainer.model.weights, trainer.model.biases, strict=True)):
        lin = nn.Linear(w.shape[1], w.shape[2])
        with torch.no_grad():
            lin.weight.copy_(w[i].T)
            lin.bias.copy_(b[i, 0])
        layers.append(lin)
        if layer < len(trainer.model.weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def reference_train(
    trainer: PackTrainer,
    i: int,
    model: nn.Sequential,
    optimizer: torch.optim.Optimizer,
    steps: int,
    *,
    dropout: float = 0.0,
    extra_loss: Callable[[nn.Sequential], torch.Tensor] | None = None,
    after_step: Callable[[nn.Sequential], None] | None = None,
) -> None:
    """The conventional loop, fed the engine's data order and dropout masks for member i."""
    seed = trainer.members[i].seed
    x, y, batch = trainer.state.x, trainer.state.y, trainer.train.batch_size
    keys = torch.tensor([seeding.key(seed, "order")])
    drop_keys = torch.tensor([seeding.key(seed, "dropout", 0)])
    step, epoch = 0, 0
    while step < steps:
        order = seeding.permutations(keys, epoch, len(x))[0]
        for first in range(0, len(x), batch):
            if step == steps:
                return
            idx = order[first : first + batch]
            h = x[idx]
            for j, mod in enumerate(model):
                h = mod(h)
                if dropout and isinstance(mod, nn.ReLU):
                    assert j == 1, "masks are drawn for the first hidden layer only here"
                    u = seeding.uniform(drop_keys, step, h.shape)[0]
                    h = h * (u >= dropout) / (1 - dropout)
            loss = nn.functional.cross_entropy(h, y[idx])
            if extra_loss is not None:
                loss = loss + extra_loss(model)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if after_step is not None:
                after_step(model)
            step += 1
        epoch += 1


def run_steps(trainer: PackTrainer, steps: int) -> None:
    """Train the pack for exactly ``steps`` steps (across epochs), as train_epoch would."""
    epoch, done = 0, 0
    n = len(trainer.state.x)
    while done < steps:
        order = seeding.permutations(trainer.state.order_keys, epoch, n)
        for first in range(0, n, trainer.train.batch_size):
            if done == steps:
                return
            trainer.train_batch(order[:, first : first + trainer.train.batch_size])
            done += 1
        epoch += 1


def member_weights(trainer: PackTrainer, i: int) -> list[torch.Tensor]:
    return [t.detach()[i].clone() for t in trainer.model.parameters()]


def assert_close_rel(a: torch.Tensor, b: torch.Tensor, rel: float) -> None:
    err = (a - b).norm() / b.norm().clamp_min(1e-12)
    assert err < rel, f"relative error {err:.2e} exceeds {rel:.0e}"
