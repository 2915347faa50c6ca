"""The plain PyTorch script that `reglab compare --arms none,dropout=0.5 --seeds 1` replaces.

What a user writes for the classic homework, one model after the other: MNIST from reglab's
cache (``~/.cache/reglab/mnist/mnist.npz``, or ``$REGLAB_DATA``), an MLP 784-512-10 of
``nn.Linear`` layers, Adam(lr=1e-3), batch 32, a shuffled epoch, validation accuracy after
each epoch, test accuracy at the end; once without and once with Dropout(0.5). It trains on
the same 50,000 / 10,000 train / validation split sizes as reglab (the last 10,000 training
images validate), so both sides do the same number of steps::

    python benchmarks/plain_two_models.py --epochs 2        # prints one line per model

``benchmarks/bench_process.py`` times this whole process against the reglab command.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

VAL = 10_000


def load() -> tuple[torch.Tensor, ...]:
    """(x_train, y_train, x_val, y_val, x_test, y_test): float pixels in [0, 1], long labels."""
    root = Path(os.environ.get("REGLAB_DATA", Path.home() / ".cache" / "reglab"))
    with np.load(root.expanduser() / "mnist" / "mnist.npz") as npz:
        x_tr, y_tr, x_te, y_te = (npz[k] for k in ("x_train", "y_train", "x_test", "y_test"))

    def pixels(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)

    def labels(y: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(y.astype(np.int64))

    n = len(x_tr) - VAL
    return (
        pixels(x_tr[:n]),
        labels(y_tr[:n]),
        pixels(x_tr[n:]),
        labels(y_tr[n:]),
        pixels(x_te),
        labels(y_te),
    )


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train(data: tuple[torch.Tensor, ...], dropout: float, epochs: int, seed: int) -> float:
    x, y, x_val, y_val, x_test, y_test = data
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(784, 512), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    model = nn.Sequential(*layers, nn.Linear(512, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        model.train()
        for idx in torch.randperm(len(x)).split(32):
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        print(f"dropout={dropout} epoch {epoch + 1}: val acc {accuracy(model, x_val, y_val):.4f}")
    return accuracy(model, x_test, y_test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = load()
    for dropout in (0.0, 0.5):
        acc = train(data, dropout, args.epochs, args.seed)
        print(f"dropout={dropout}: test acc {acc:.4f}")


if __name__ == "__main__":
    main()
