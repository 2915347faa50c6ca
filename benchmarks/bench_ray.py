"""Scaling on Ray: one CPU study run in-process, on 1 Ray worker and on 2, side by side.

The same study (several packs, so two workers have work to share) runs through the one
runner in-process (torch's default threads, and 1 thread: what one Ray worker gets), on one
Ray worker and on two, interleaved round by round in this process so that machine noise
hits them alike; figures are medians over rounds. A local Ray (loopback only) starts once;
each Ray executor's actors start and load the dataset in a warm-up run first, and those
start-up costs are reported on their own. Every run's runs.csv must equal the in-process
one (times aside), or the benchmark fails. See docs/performance.md::

    python benchmarks/bench_ray.py                          # MNIST subset, 4 packs, 2 rounds
    python benchmarks/bench_ray.py --dataset digits --epochs 3 --rounds 3
    python benchmarks/bench_ray.py --out ray.json
    python benchmarks/bench_ray.py --device cuda --workers 1 --seeds 25   # GPU: Ray's overhead
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import ray
import torch

from reglab.store import StudyDir
from reglab.study import Executor, QuietProgress, StudyExperiment, StudySpec, run_plan
from reglab.study.executors.ray import RayExecutor, start_local_ray

ARMS = ["none", "dropout=0.5", "l2=1e-4", "maxnorm=3"]


def study(args: argparse.Namespace, epochs: int) -> StudySpec:
    """len(ARMS) x seeds runs in packs of ``pack_size`` (several packs to share)."""
    data: dict[str, Any] = {"name": args.dataset, "val_size": args.val_size}
    if args.train_subset:
        data["train_subset"] = args.train_subset
    return StudySpec.from_dict(
        {
            "name": "bench-ray",
            "arms": ARMS,
            "seeds": args.seeds,
            "data": data,
            "model": {"hidden": [args.hidden]},
            "train": {"epochs": epochs, "device": args.device, "pack_size": args.pack_size},
        }
    )


def timed_run(spec: StudySpec, out: Path, executor: Executor | None, threads: int = 0) -> float:
    """Seconds for the study; ``threads`` > 0 sets torch's threads here (in-process runs)."""
    default = torch.get_num_threads()
    torch.set_num_threads(threads or default)
    try:
        start = time.perf_counter()
        run_plan(StudyExperiment(spec), out, QuietProgress(), executor)
        return time.perf_counter() - start
    finally:
        torch.set_num_threads(default)


def numbers(out: Path) -> pd.DataFrame:
    runs = StudyDir(out).runs()
    return runs.drop(columns=["train_seconds"]).sort_values("run_id").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--train-subset", type=int, default=10_000)
    parser.add_argument("--val-size", type=int, default=2_000)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--pack-size", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda (one actor per GPU).")
    parser.add_argument("--workers", default="1,2", help="Ray worker counts to compare.")
    parser.add_argument("--out", type=Path, default=None, help="Write the figures as JSON.")
    args = parser.parse_args()
    if args.dataset == "digits":
        args.train_subset, args.val_size = None, 300

    tmp = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    t0 = time.perf_counter()
    start_local_ray(cpus=3)  # logical: 1 + 2 actors (idle ones use no CPU)
    ray_start = time.perf_counter() - t0
    threads = torch.get_num_threads()
    executors: dict[str, Executor | None] = {"in-process": None, "in-process 1 thread": None}
    startup: dict[str, float] = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        t0 = time.perf_counter()
        executor = RayExecutor(workers=workers)
        timed_run(study(args, 1), tmp / f"warmup-{workers}", executor)  # actors + data loaded
        startup[f"ray {workers} worker{'s' * (workers > 1)}"] = time.perf_counter() - t0
        executors[f"ray {workers} worker{'s' * (workers > 1)}"] = executor

    spec = study(args, args.epochs)
    seconds: dict[str, list[float]] = {name: [] for name in executors}
    for r in range(args.rounds):
        for name, executor in executors.items():
            out = tmp / f"{name.replace(' ', '-')}-{r}"
            one = 1 if name == "in-process 1 thread" else 0
            seconds[name].append(timed_run(spec, out, executor, one))
            print(f"round {r + 1}: {name:16s} {seconds[name][-1]:7.2f} s", file=sys.stderr)
            reference = numbers(tmp / f"in-process-{r}")
            pd.testing.assert_frame_equal(numbers(out), reference)  # the same runs, any executor
    for executor in executors.values():
        if isinstance(executor, RayExecutor):
            executor.close()
    ray.shutdown()
    packs = len(json.loads((tmp / "in-process-0" / "plan.json").read_text()))
    shutil.rmtree(tmp, ignore_errors=True)

    base = statistics.median(seconds["in-process"])
    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}",
        "torch": torch.__version__,
        "ray": ray.__version__,
        "study": f"{args.dataset} (train_subset {args.train_subset}), {len(ARMS)} arms x "
        f"{args.seeds} seeds, hidden {args.hidden}, {args.epochs} epochs, {packs} packs",
        "rounds": args.rounds,
        "in_process_threads": threads,
        "ray_worker_threads": 1,
        "ray_start_s": round(ray_start, 1),
        "actors_start_and_warmup_s": {k: round(v, 1) for k, v in startup.items()},
        "study_s_median": {k: round(statistics.median(v), 2) for k, v in seconds.items()},
        "vs_in_process": {k: round(statistics.median(v) / base, 2) for k, v in seconds.items()},
        "same_runs_csv": True,
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
