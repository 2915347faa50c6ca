"""Whole process against whole process: `reglab compare` vs the plain PyTorch script.

The user's question is "how long until I have my answer", start-up included. This script runs
the reglab command (a fresh study directory each time: nothing resumes) and
``benchmarks/plain_two_models.py`` (the same two models, the conventional way) one after the
other, alternating, for several rounds, and reports min and median wall seconds of each, the
CPU seconds (user + system of the child), and the ratio plain / reglab taken within each round
(paired, so drifting machine load hits both alike). The load average is printed with the
figures: on a shared machine, quote ratios. With ``--profile``, it first runs the reglab
command once under cProfile and prints where the time goes (imports, data, training steps,
evaluation, checkpoints, summary, report, terminal output)::

    python benchmarks/bench_process.py --rounds 5                    # classic: 1 seed, 2 epochs
    python benchmarks/bench_process.py --rounds 3 --profile --out process.json

docs/performance.md ("The whole process") records the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# Where the time of `reglab compare` goes: (label, file suffix, function) of cProfile entries.
# Cumulative times; "training steps" is the epochs minus their end-of-epoch evaluation.
PHASES = (
    ("imports", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("data (load, split, to device)", "reglab/data/registry.py", "load_dataset"),
    ("epochs (steps + evaluation)", "reglab/engine/trainer.py", "train_epoch"),
    ("  evaluation each epoch", "reglab/engine/trainer.py", "_end_epoch"),
    ("final test + weight stats", "reglab/engine/finish.py", "finish"),
    ("checkpoints", "reglab/store/study_dir.py", "save_checkpoint"),
    ("records (write_pack)", "reglab/store/study_dir.py", "write_pack"),
    ("summary (statistics)", "reglab/analysis/summary.py", "write_summary"),
    ("report (HTML, MD, figures)", "reglab/report/document.py", "write_report"),
    ("terminal table", "reglab/cli/study.py", "_show"),
)


def reglab_command(epochs: int, out: Path) -> list[str]:
    reglab = [sys.executable, "-m", "reglab"]
    args = ["compare", "--arms", "none,dropout=0.5", "--seeds", "1", "--epochs", str(epochs)]
    return [*reglab, *args, "--device", "cpu", "--quiet", "--out", str(out)]


def plain_command(epochs: int) -> list[str]:
    return [sys.executable, str(HERE / "plain_two_models.py"), "--epochs", str(epochs)]


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of running ``cmd`` to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def rounds(n: int, epochs: int, scratch: Path) -> list[dict[str, float]]:
    """n rounds of (reglab, plain), alternating which goes first."""
    rows = []
    for k in range(n):
        runs: dict[str, tuple[float, float]] = {}
        order = ("reglab", "plain") if k % 2 == 0 else ("plain", "reglab")
        for who in order:
            cmd = reglab_command(epochs, scratch / f"r{k}") if who == "reglab" else None
            runs[who] = timed(cmd or plain_command(epochs))
        row = {"reglab_s": runs["reglab"][0], "plain_s": runs["plain"][0]}
        row |= {"reglab_cpu_s": runs["reglab"][1], "plain_cpu_s": runs["plain"][1]}
        row["ratio"] = row["plain_s"] / row["reglab_s"]
        rows.append(row)
        print(
            f"round {k + 1}: reglab {row['reglab_s']:.2f} s, plain {row['plain_s']:.2f} s, "
            f"plain/reglab {row['ratio']:.2f}x  (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    return rows


def profile(epochs: int, scratch: Path) -> dict[str, float]:
    """Seconds per phase of one reglab run under cProfile (its overhead inflates the steps)."""
    stats_file = scratch / "reglab.prof"
    cmd = reglab_command(epochs, scratch / "profiled")
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats_file), *cmd[1:]],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    table: dict[Any, Any] = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in table.values())
    phases = {"total": total}
    for label, suffix, func in PHASES:
        phases[label] = sum(
            entry[3]
            for (file, _line, name), entry in table.items()
            if name == func and file.endswith(suffix)
        )
    return phases


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key in ("reglab_s", "plain_s", "reglab_cpu_s", "plain_cpu_s", "ratio"):
        values = [r[key] for r in rows]
        out[f"{key}_min"], out[f"{key}_median"] = min(values), statistics.median(values)
    out["ratio_of_minima"] = out["plain_s_min"] / out["reglab_s_min"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="Break one reglab run down.")
    parser.add_argument("--out", type=Path, help="Write the figures as JSON here.")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load_before": os.getloadavg(),
        "reglab": " ".join(reglab_command(args.epochs, Path("DIR"))[3:]),
        "plain": f"benchmarks/plain_two_models.py --epochs {args.epochs}",
    }
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            result["profile"] = profile(args.epochs, Path(tmp))
            for label, seconds in result["profile"].items():
                print(f"{label:32s} {seconds:7.2f} s")
        rows = rounds(args.rounds, args.epochs, Path(tmp))
    result |= {"rounds": rows, "summary": summary(rows), "load_after": os.getloadavg()}
    s = result["summary"]
    print(
        f"reglab min {s['reglab_s_min']:.2f} s, median {s['reglab_s_median']:.2f} s | "
        f"plain min {s['plain_s_min']:.2f} s, median {s['plain_s_median']:.2f} s | "
        f"plain/reglab median {s['ratio_median']:.2f}x, of minima {s['ratio_of_minima']:.2f}x | "
        f"load {result['load_before'][0]:.1f} -> {result['load_after'][0]:.1f}"
    )
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
