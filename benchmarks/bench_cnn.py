"""Speed and accuracy of reglab's CNN packs against a conventional one-model PyTorch CNN loop.

Workload (both sides): MNIST (a fixed training subset), conv 32 -> max-pool -> conv 64 ->
max-pool -> dense 128 -> 10, ReLU, 3x3 "same" kernels, Adam(lr 1e-3, eps 1e-7), batch 32.
reglab trains M seeds as one pack (grouped convolutions); the conventional loop is the one
users write: nn.Sequential(nn.Conv2d, nn.ReLU, nn.MaxPool2d, ..., nn.Linear),
torch.optim.Adam with default options, a torch.randperm per epoch, F.cross_entropy, one
model per seed, initialized as Keras and reglab do (Glorot-uniform, zero bias; PyTorch's
default init trains measurably slower in the first steps). Both run in this one process, interleaved round by round, so machine noise
hits them alike; the speed ratio (conventional seconds per run / reglab seconds per run) is
taken within each round. Timed: training steps only; accuracy is then measured once per run
on the official test images (the first --test-size of them; untimed)::

    python benchmarks/bench_cnn.py                       # M=10, 1 epoch on 2,048 examples
    python benchmarks/bench_cnn.py --subset 4096 --epochs 2 --rounds 3 --out cnn.json
    python benchmarks/bench_cnn.py --forms               # the batched conv forms, measured

FLOPs per example (forward; a training step is about 3x): conv1 28*28*32*9*2 = 0.45 M,
conv2 14*14*64*288*2 = 7.23 M, dense 3136*128*2 = 0.80 M, output 0.003 M: 8.48 MFLOP, so one
training epoch on 60,000 images is about 1.5 TFLOP per run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

from reglab.config import DataConfig, ModelConfig, OptimizerConfig, Regularization, TrainConfig
from reglab.data import Dataset, load_dataset
from reglab.engine import Member, PackTrainer

MODEL = ModelConfig(family="cnn", channels=(32, 64), kernel=3, pooling=2, hidden=(128,))
BATCH = 32


def conventional_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding="same"),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding="same"),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3136, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def conventional_run(data: Dataset, seed: int, epochs: int) -> tuple[float, float]:
    """(seconds of training, test accuracy) of one model trained the usual way."""
    torch.manual_seed(seed)
    model = conventional_model()
    for layer in model:  # Keras' initialization, as reglab's (Glorot-uniform, zero bias)
        if isinstance(layer, nn.Conv2d | nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x, y = data.x_train.view(-1, 1, 28, 28), data.y_train
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for first in range(0, len(x), BATCH):
            idx = order[first : first + BATCH]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(c.view(-1, 1, 28, 28)).argmax(1) for c in data.x_test.split(500)])
    return seconds, float((pred == data.y_test).float().mean())


def reglab_pack(data: Dataset, seeds: list[int], epochs: int) -> tuple[float, list[float]]:
    """(seconds of training for the whole pack, each member's test accuracy)."""
    members = [Member(s, Regularization()) for s in seeds]
    train = TrainConfig(epochs=epochs, batch_size=BATCH, train_eval_size=1000)
    trainer = PackTrainer(data, MODEL, OptimizerConfig(), train, members)
    start = time.perf_counter()
    for epoch in range(epochs):
        for idx in trainer.batches(epoch):
            trainer.train_batch(idx)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        out = trainer.model.forward(data.x_test, training=False)  # [M, N, 10]
    acc = (out.argmax(2) == data.y_test).float().mean(1)
    return seconds, [float(a) for a in acc]


def conv_forms(members: int, reps: int = 5) -> dict[str, float]:
    """ms per forward+backward of both conv layers for M members, batch 32, in three forms:
    grouped conv (NCHW), grouped conv (channels-last: what PackedCNN uses), a loop over
    members; and one conventional model's, for the per-run ratio."""
    x1 = torch.rand(BATCH, members, 28, 28)
    w1 = torch.randn(members * 32, 1, 3, 3, requires_grad=True)
    x2 = torch.rand(BATCH, members * 32, 14, 14, requires_grad=True)
    w2 = torch.randn(members * 64, 32, 3, 3, requires_grad=True)

    def grouped(layout: torch.memory_format) -> None:
        a = F.conv2d(x1.contiguous(memory_format=layout), w1, padding=1, groups=members)
        b = F.conv2d(x2.contiguous(memory_format=layout), w2, padding=1, groups=members)
        (a.sum() + b.sum()).backward()

    def loop(m: int) -> None:
        for i in range(m):
            a = F.conv2d(x1[:, i : i + 1], w1[i * 32 : (i + 1) * 32], padding=1)
            b = F.conv2d(x2[:, i * 32 : (i + 1) * 32], w2[i * 64 : (i + 1) * 64], padding=1)
            (a.sum() + b.sum()).backward()

    forms = {
        "grouped_nchw": lambda: grouped(torch.contiguous_format),
        "grouped_channels_last": lambda: grouped(torch.channels_last),
        "loop_over_members": lambda: loop(members),
        "one_model": lambda: loop(1),
    }
    out: dict[str, list[float]] = {k: [] for k in forms}
    for _ in range(reps):  # interleaved
        for name, f in forms.items():
            start = time.perf_counter()
            f()
            out[name].append((time.perf_counter() - start) * 1e3)
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=10, help="seeds: the pack's size")
    ap.add_argument("--subset", type=int, default=2048, help="training examples")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    ap.add_argument("--conventional", type=int, default=3, help="conventional runs per round")
    ap.add_argument("--test-size", type=int, default=10_000, help="test images for accuracy")
    ap.add_argument("--forms", action="store_true", help="only time the batched conv forms")
    ap.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = ap.parse_args()
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads",
        "load_average_start": os.getloadavg(),
        "args": vars(args) | {"out": str(args.out)},
    }
    if args.forms:
        info["conv_forms_ms"] = conv_forms(args.members)
        print(json.dumps(info, indent=1))
        return
    data = load_dataset(DataConfig("mnist", train_subset=args.subset))
    if args.test_size < len(data.x_test):  # the first test images (a fixed choice)
        n = args.test_size
        data = dataclasses.replace(data, x_test=data.x_test[:n], y_test=data.y_test[:n])
    seeds = list(range(args.members))
    rounds, reglab_acc, conv_acc = [], [], []
    for r in range(args.rounds):
        pack_s, accs = reglab_pack(data, seeds, args.epochs)
        runs = [conventional_run(data, 1000 * r + s, args.epochs) for s in range(args.conventional)]
        per_run_reglab = pack_s / args.members
        per_run_conv = statistics.mean(s for s, _ in runs)
        rounds.append(
            {
                "reglab_s_per_run": per_run_reglab,
                "conventional_s_per_run": per_run_conv,
                "ratio": per_run_conv / per_run_reglab,
            }
        )
        reglab_acc = accs  # the same seeds every round: the same accuracies
        conv_acc += [a for _, a in runs]
        print(json.dumps(rounds[-1]), flush=True)
    welch = stats.ttest_ind(reglab_acc, conv_acc, equal_var=False)
    info |= {
        "rounds": rounds,
        "median_ratio": statistics.median(r["ratio"] for r in rounds),
        "reglab_test_acc": {
            "mean": statistics.mean(reglab_acc),
            "sd": statistics.stdev(reglab_acc),
            "n": len(reglab_acc),
        },
        "conventional_test_acc": {
            "mean": statistics.mean(conv_acc),
            "sd": statistics.stdev(conv_acc),
            "n": len(conv_acc),
        },
        "welch_p": float(welch.pvalue),
        "load_average_end": os.getloadavg(),
    }
    print(json.dumps(info, indent=1))
    if args.out is not None:
        args.out.write_text(json.dumps(info, indent=1))


if __name__ == "__main__":
    main()
