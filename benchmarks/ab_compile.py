"""torch.compile (inductor, CPU) of the pack's hand-written forward+backward vs eager.

Paired A/B in one process, packs of 2 and 10 (seeds x {none, dropout=0.5}) of the classic
MLP on MNIST-shaped random data; the step number goes in as a tensor so dynamo does not
specialize on it. See docs/performance.md::

    .venv/bin/python benchmarks/ab_compile.py
"""

import statistics
import time

import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.data import Dataset
from reglab.engine import Member, PackTrainer

torch.set_num_threads(2)
g = torch.Generator().manual_seed(0)
n = 50000
x = (torch.rand(n, 784, generator=g) * (torch.rand(n, 784, generator=g) > 0.8)).float()
y = torch.randint(0, 10, (n,), generator=g)
data = Dataset(
    "fake", "classification", x, y, x[:1000], y[:1000], x[:1000], y[:1000], 10, (784,), "t", "0"
)


def trainer(m):
    members = [
        Member(i // 2, parse_arm(a)) for i, a in enumerate(["none", "dropout=0.5"] * (m // 2))
    ]
    return PackTrainer(  # the plain hand-written step on both sides
        data,
        ModelConfig(hidden=(512,)),
        OptimizerConfig(),
        TrainConfig(batch_size=32),
        members,
        path="backprop",
    )


for m in (2, 10):
    eager, comp = trainer(m), trainer(m)
    step = comp.stepper.body
    bp = step.backprop
    t0 = time.perf_counter()
    compiled = torch.compile(bp.__call__, dynamic=False)
    step.backprop = lambda xb, yb, step, _c=compiled: _c(xb, yb, torch.tensor(step))
    batches = eager.batches(0)
    for i in range(5):  # warm-up + compile (int step changes: mark it as a tensor would recompile)
        comp.train_batch(batches[i])
        eager.train_batch(batches[i])
    print(f"pack {m}: compile + 5 steps {time.perf_counter() - t0:.1f} s", flush=True)
    ra, rb = [], []
    k = 5
    for _ in range(15):
        t = time.perf_counter()
        for j in range(20):
            eager.train_batch(batches[k + j])
        ra.append(time.perf_counter() - t)
        t = time.perf_counter()
        for j in range(20):
            comp.train_batch(batches[k + j])
        rb.append(time.perf_counter() - t)
        k += 20
    ratios = sorted(a / b for a, b in zip(ra, rb, strict=True))
    print(
        f"pack {m}: eager {statistics.median(ra) / 20 * 1e3:.2f} ms/step, compiled {statistics.median(rb) / 20 * 1e3:.2f}, "
        f"ratio {statistics.median(ratios):.3f} IQR [{ratios[3]:.3f}, {ratios[11]:.3f}]",
        flush=True,
    )
