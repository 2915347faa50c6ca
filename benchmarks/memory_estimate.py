"""The pack-sizing memory estimate (study/budget.py member_bytes) against measured memory.

For each model (the classic MLP and the default CNN, each without and with Batch Norm) this
trains one 1-epoch study on an MNIST subset twice, in fresh processes, with packs of 1 and of
``--members`` members, and reads each process's peak resident memory. The measured cost of a
member is the difference divided by ``members - 1`` (what the process holds besides the pack,
the data and PyTorch, cancels); the estimate should be of the same order and not below it
(the planner uses it to fill half the free memory)::

    python benchmarks/memory_estimate.py                    # members 1 vs 8, 2,000 images
    python benchmarks/memory_estimate.py --members 4 --out memory.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

MODELS = {
    "mlp 784-512-10": {"hidden": [512]},
    "cnn 32-64-128": {"family": "cnn", "channels": [32, 64], "hidden": [128]},
}


def child(model: str, bn: bool, members: int, subset: int) -> None:
    """Train the study in this process and print its peak resident memory (bytes)."""
    from reglab.api.study import run_study
    from reglab.study import StudySpec

    spec = StudySpec.from_dict(
        {
            "name": "memory",
            "arms": ["bn" if bn else "none"],
            "seeds": members,
            "data": {"name": "mnist", "val_size": 1000, "train_subset": subset},
            "model": MODELS[model],
            "train": {"epochs": 1, "batch_size": 32, "pack_size": members, "device": "cpu"},
        }
    )
    with tempfile.TemporaryDirectory() as out:
        run_study(spec, Path(out) / "s", quiet=True, report=False)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)  # Linux: kB


def peak(model: str, bn: bool, members: int, subset: int) -> int:
    args = [sys.executable, __file__, "--child", model, str(int(bn)), str(members), str(subset)]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    return int(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--subset", type=int, default=2000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from reglab.config import ModelConfig, TrainConfig
    from reglab.study.budget import member_bytes

    rows = []
    for model, table in MODELS.items():
        for bn in (False, True):
            one, many = (peak(model, bn, m, args.subset) for m in (1, args.members))
            measured = (many - one) / (args.members - 1)
            config = ModelConfig.from_dict(table)
            shape = (1, 28, 28) if config.family == "cnn" else (784,)
            est = member_bytes(config, TrainConfig(batch_size=32), shape, 10, bn)
            rows.append({"model": model, "bn": bn, "measured_mb": measured / 1e6})
            rows[-1] |= {"estimate_mb": est / 1e6, "ratio": est / measured}
            print(
                f"{model:16} bn={bn!s:5}  measured {measured / 1e6:8.1f} MB/member  "
                f"estimate {est / 1e6:8.1f} MB  estimate/measured {est / measured:5.2f}"
            )
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], bool(int(sys.argv[3])), int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
