"""Speed of reglab's packed engine against the conventional one-model PyTorch loop.

Both run side by side in this one process, interleaved round by round, on the same data
(held once per process, device-resident) so machine noise hits them alike; figures are
medians over rounds and ratios are taken within a round (paired). See docs/performance.md::

    python benchmarks/bench_speed.py --device cpu                 # `make bench`: 600 steps/run
    python benchmarks/bench_speed.py --device cpu --steps 0 --epochs 1   # full epochs instead
    python benchmarks/bench_speed.py --device cuda --out results.json    # full 10-epoch runs

The conventional loop is the one users write: nn.Sequential(Linear, ReLU, Dropout, Linear),
torch.optim.Adam(lr=1e-3, eps=1e-7) with default options, a torch.randperm per epoch,
batch 32, F.cross_entropy. A second baseline uses Adam(fused=True), for honesty.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

from reglab.arms import parse_arm
from reglab.config import DataConfig, ModelConfig, OptimizerConfig, TrainConfig
from reglab.data import Dataset, load_dataset
from reglab.engine import Member, PackTrainer, train_pack

BATCH = 32
HIDDEN = 512
CLASSIC = ("none", "dropout=0.5")
ABLATION = ("none", "dropout=0.5", "l1=1e-5", "l2=1e-4", "wd=1e-4", "maxnorm=3", "bn", "es=3")


# ---- the two kinds of training, each advanced a block of steps at a time ---------------------
def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class Conventional:
    """One model trained the conventional way; ``run(k)`` times its next k steps."""

    def __init__(
        self, data: Dataset, p: float, seed: int, *, fused: bool, device: torch.device
    ) -> None:
        torch.manual_seed(seed)
        self.model = nn.Sequential(
            nn.Linear(data.in_features, HIDDEN),
            nn.ReLU(),
            nn.Dropout(p),
            nn.Linear(HIDDEN, data.out_features),
        ).to(device)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3, eps=1e-7, fused=fused or None)
        self.x, self.y = data.x_train.to(device), data.y_train.to(device)
        self.device, self.done, self.perm = device, 0, torch.empty(0)

    def run(self, steps: int) -> float:
        per_epoch = math.ceil(len(self.x) / BATCH)
        sync(self.device)
        start = time.perf_counter()
        for _ in range(steps):
            s = self.done % per_epoch
            if s == 0:  # a new epoch: a new order
                self.perm = torch.randperm(len(self.x), device=self.device)
            idx = self.perm[s * BATCH : (s + 1) * BATCH]
            loss = F.cross_entropy(self.model(self.x[idx]), self.y[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            self.done += 1
        sync(self.device)
        return time.perf_counter() - start


class Pack:
    """Arms x seeds trained as ONE reglab pack; ``run(k)`` times its next k steps.

    It calls the engine's training step as ``PackTrainer.train_epoch`` does, without the
    end-of-epoch evaluation (the conventional loop here evaluates nothing either).
    """

    def __init__(
        self, data: Dataset, arms: list[str], seeds: list[int], device: torch.device
    ) -> None:
        members = [Member(s, parse_arm(a)) for s in seeds for a in arms]
        train = TrainConfig(epochs=1, batch_size=BATCH)
        model = ModelConfig(hidden=(HIDDEN,))
        self.trainer = PackTrainer(data, model, OptimizerConfig(), train, members, device)
        self.device, self.done, self.epoch = device, 0, 0
        self.batches = self.trainer.batches(0)
        self.runs = len(members)

    def run(self, steps: int) -> float:
        """The next ``steps`` steps, as PackTrainer.train_epoch takes them."""
        tr = self.trainer
        sync(self.device)
        start = time.perf_counter()
        for _ in range(steps):
            s = self.done % len(self.batches)
            if s == 0 and self.done:
                self.epoch += 1
                self.batches = tr.batches(self.epoch)
            nxt = self.batches[s + 1] if s + 1 < len(self.batches) else None
            tr.train_batch(self.batches[s], nxt)
            self.done += 1
        sync(self.device)
        return time.perf_counter() - start


# ---- the workloads, interleaved block by block ----------------------------------------------------
def units(data: Dataset, args: argparse.Namespace, device: torch.device) -> dict[str, Any]:
    """Every timed unit, by name: Conventional runs and reglab packs."""
    out: dict[str, Any] = {}
    for arm, p in (("none", 0.0), ("dropout=0.5", 0.5)):
        out[f"conv {arm}"] = Conventional(data, p, 0, fused=False, device=device)
        out[f"conv-fused {arm}"] = Conventional(data, p, 0, fused=True, device=device)
        out[f"reglab pack1 {arm}"] = Pack(data, [arm], [0], device)
    out["reglab pack2"] = Pack(data, list(CLASSIC), [0], device)
    out["reglab pack10"] = Pack(data, list(CLASSIC), list(range(5)), device)
    if not args.skip_ablation:
        plain = [a for a in ABLATION if a != "bn"]
        out["reglab ablation70"] = Pack(data, plain, list(range(10)), device)
        out["reglab ablation10bn"] = Pack(data, ["bn"], list(range(10)), device)
        for arm in ABLATION:  # pack_by="arm", the study default: one pack per arm
            out[f"reglab ablation-arm {arm}"] = Pack(data, [arm], list(range(10)), device)
    return out


def measure_rounds(
    data: Dataset, args: argparse.Namespace, device: torch.device
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Seconds of every unit's block in every round, and each unit's peak GPU memory.

    Round r runs a block of every unit in turn (order alternating), so units timed within
    seconds of each other share the machine's state; ratios are taken within a round.
    """
    todo = units(data, args, device)
    for unit in todo.values():  # lazy kernel set-up, outside the figures
        unit.run(3)
    times: dict[str, list[float]] = {name: [] for name in todo}
    peaks: dict[str, int] = {}
    for r in range(args.rounds):
        names = list(todo) if r % 2 == 0 else list(reversed(todo))
        for name in names:
            block = args.ablation_block if "ablation" in name else args.block
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
            times[name].append(todo[name].run(block))
            if device.type == "cuda":
                peaks[name] = max(peaks.get(name, 0), torch.cuda.max_memory_allocated())
        if (r + 1) % max(args.rounds // 5, 1) == 0:
            print(f"  round {r + 1}/{args.rounds} done", flush=True)
    return times, peaks


# ---- figures: per-run seconds and paired ratios ------------------------------------------------
def rows(times: dict[str, list[float]], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Table rows: reglab and conventional seconds per run, ratios (median of paired rounds)."""
    r = range(args.rounds)
    times = {name: [t * args.rounds for t in ts] for name, ts in times.items()}  # per run
    conv = [(times["conv none"][i] + times["conv dropout=0.5"][i]) / 2 for i in r]
    fused = [(times["conv-fused none"][i] + times["conv-fused dropout=0.5"][i]) / 2 for i in r]
    pack1 = [(times["reglab pack1 none"][i] + times["reglab pack1 dropout=0.5"][i]) / 2 for i in r]
    per_run = {
        "classic (none + dropout=0.5), one pack of 2": [t / 2 for t in times["reglab pack2"]],
        "classic (none + dropout=0.5), two packs of 1": pack1,
        "10 runs (5 seeds x 2 arms), one pack of 10": [t / 10 for t in times["reglab pack10"]],
    }
    steps = args.block * args.rounds
    out = [_row(name, steps, reglab, conv, fused) for name, reglab in per_run.items()]
    if "reglab ablation70" in times:
        ab_steps = args.ablation_block * args.rounds
        ablation = [
            (times["reglab ablation70"][i] + times["reglab ablation10bn"][i]) / 80 for i in r
        ]
        scale = ab_steps / steps  # the conventional runs were timed on `steps` steps
        row = _row(
            "80-run ablation (8 arms x 10 seeds), packs of 70 + 10 (bn)",
            ab_steps,
            ablation,
            [c * scale for c in conv],
            [f * scale for f in fused],
        )
        row["note"] = (
            "conventional s/run: the none/dropout loop scaled to the same steps (its other "
            "arms cost at least as much)"
        )
        out.append(row)
        by_arm = [sum(times[f"reglab ablation-arm {a}"][i] for a in ABLATION) / 80 for i in r]
        row = _row(
            "80-run ablation, one pack of 10 per arm (8 packs)",
            ab_steps,
            by_arm,
            [c * scale for c in conv],
            [f * scale for f in fused],
        )
        row["note"] = out[-1]["note"]
        out.append(row)
    return out


def _row(
    name: str, steps: int, reglab: list[float], conv: list[float], fused: list[float]
) -> dict[str, Any]:
    full = 10 * math.ceil(50_000 / BATCH)  # one 10-epoch run of the classic workload
    return {
        "workload": name,
        "steps_per_run": steps,
        "reglab_s_per_run": statistics.median(reglab),
        "conventional_s_per_run": statistics.median(conv),
        "conventional_fused_s_per_run": statistics.median(fused),
        "ratio_vs_conventional": statistics.median(
            c / g for c, g in zip(conv, reglab, strict=True)
        ),
        "ratio_vs_fused": statistics.median(f / g for f, g in zip(fused, reglab, strict=True)),
        "reglab_ms_per_step_per_run": 1e3 * statistics.median(reglab) / steps,
        "reglab_s_per_10_epoch_run_extrapolated": statistics.median(reglab) / steps * full,
        "rounds": {"reglab": reglab, "conventional": conv, "conventional_fused": fused},
    }


def print_table(table: list[dict[str, Any]]) -> None:
    head = f"{'workload':62s} {'steps':>6s} {'reglab s/run':>12s} {'conv s/run':>10s} {'ratio':>6s} {'fused s/run':>11s} {'ratio':>6s}"
    print(head)
    print("-" * len(head))
    for r in table:
        print(
            f"{r['workload']:62s} {r['steps_per_run']:6d} {r['reglab_s_per_run']:12.3f} "
            f"{r['conventional_s_per_run']:10.3f} {r['ratio_vs_conventional']:5.2f}x "
            f"{r['conventional_fused_s_per_run']:11.3f} {r['ratio_vs_fused']:5.2f}x"
        )


# ---- accuracy: reglab's test accuracy equals the conventional loop's within seed noise ------------
def accuracy_check(data: Dataset, args: argparse.Namespace, device: torch.device) -> dict:
    seeds = list(range(args.accuracy_seeds))
    out: dict[str, Any] = {"epochs": args.accuracy_epochs, "seeds": seeds, "arms": {}}
    members = [Member(s, parse_arm(a)) for s in seeds for a in CLASSIC]
    train = TrainConfig(epochs=args.accuracy_epochs, batch_size=BATCH)
    cfg = ModelConfig(hidden=(HIDDEN,), init="torch")  # nn.Linear's init, as the loop has
    results = train_pack(PackTrainer(data, cfg, OptimizerConfig(), train, members, device))
    steps = args.accuracy_epochs * math.ceil(len(data.x_train) / BATCH)
    for k, (arm, p) in enumerate(zip(CLASSIC, (0.0, 0.5), strict=True)):
        ours = [res.test_acc for res in results[k :: len(CLASSIC)]]
        theirs = []
        for seed in seeds:
            run = Conventional(data, p, seed, fused=False, device=device)
            run.run(steps)
            theirs.append(_test_acc(run.model, data, device))
        welch = stats.ttest_ind(ours, theirs, equal_var=False)
        spread = statistics.stdev(theirs + ours) if len(seeds) > 1 else float("nan")
        out["arms"][arm] = {
            "reglab_test_acc": ours,
            "conventional_test_acc": theirs,
            "reglab_mean": statistics.fmean(ours),
            "conventional_mean": statistics.fmean(theirs),
            "difference": statistics.fmean(ours) - statistics.fmean(theirs),
            "pooled_sd": spread,
            "welch_p": float(welch.pvalue),
        }
    return out


@torch.no_grad()
def _test_acc(model: nn.Module, data: Dataset, device: torch.device) -> float:
    model.eval()
    pred = model(data.x_test.to(device)).argmax(1)
    return float((pred == data.y_test.to(device)).float().mean())


# ---- provenance and entry point ---------------------------------------------------------------
def machine(device: torch.device) -> dict[str, Any]:
    model = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            ln.split(":", 1)[1].strip()
            for ln in cpuinfo.read_text().splitlines()
            if ln.startswith("model name")
        ]
        model = names[0] if names else model
    info = {
        "cpu": model,
        "cores": torch.multiprocessing.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": str(device),
        "date": datetime.date.today().isoformat(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name()
    return info


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--steps", type=int, help="steps per run; default 600 on cpu, --epochs on cuda")
    ap.add_argument("--epochs", type=int, default=10, help="sets --steps on cuda: full runs")
    ap.add_argument("--ablation-steps", type=int, help="80-run ablation; default 100 on cpu")
    ap.add_argument("--rounds", type=int, default=20, help="interleaved blocks per run")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    ap.add_argument("--accuracy-seeds", type=int, default=8)
    ap.add_argument("--accuracy-epochs", type=int, default=1)
    ap.add_argument("--skip-accuracy", action="store_true")
    ap.add_argument("--skip-ablation", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = ap.parse_args(argv)
    cpu = args.device == "cpu"
    full = args.epochs * math.ceil(50_000 / BATCH)  # MNIST's 50k training examples
    steps = args.steps if args.steps is not None else (600 if cpu else full)
    ablation = args.ablation_steps if args.ablation_steps is not None else (100 if cpu else steps)
    args.block = max(steps // args.rounds, 1)
    args.ablation_block = max(ablation // args.rounds, 1)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    data = load_dataset(DataConfig("mnist"))  # held once per process, shared by all units
    steps, ab_steps = args.block * args.rounds, args.ablation_block * args.rounds
    mode = f"{steps} steps per run ({ab_steps} for the 80-run ablation)"
    print(f"reglab speed benchmark on {device}: {mode}, {args.rounds} interleaved rounds")
    times, peaks = measure_rounds(data, args, device)
    table = rows(times, args)
    print()
    print_table(table)
    result: dict[str, Any] = {"machine": machine(device), "mode": mode, "table": table}
    result["ms_per_step"] = {  # of each unit (a pack's step trains all its members)
        name: 1e3
        * statistics.median(ts)
        / (args.ablation_block if "ablation" in name else args.block)
        for name, ts in times.items()
    }
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["note"] = "one process; the dataset is held once and shared by every timed unit"
    if device.type == "cuda":
        result["gpu_peak_bytes"] = peaks
    if not args.skip_ablation and ab_steps < args.epochs * math.ceil(50_000 / BATCH):
        result["ablation_note"] = (
            f"80-run ablation timed on {ab_steps} steps per run and extrapolated per step to a "
            "10-epoch run: a short version, not a full run"
        )
    if not args.skip_accuracy:
        result["accuracy"] = accuracy_check(data, args, device)
        for arm, a in result["accuracy"]["arms"].items():
            print(
                f"accuracy {arm:12s} reglab {a['reglab_mean']:.4f}  conventional "
                f"{a['conventional_mean']:.4f}  diff {a['difference']:+.4f}  "
                f"sd {a['pooled_sd']:.4f}  Welch p {a['welch_p']:.2f}"
            )
    print(f"peak RSS {result['peak_rss_mib']:.0f} MiB (dataset held once per process)")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
