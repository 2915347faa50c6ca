"""Same study, same numbers: run a fixed set of small experiments and compare two result trees.

A redesign must keep results. This script runs, through the CLI (the stable contract), a digits
study with every technique, a 1-epoch MNIST study, a bias–variance run and a learning curve,
then compares every CSV/JSON number and every NPZ array (test predictions, weight histograms,
bias–variance predictions) of two such trees, exactly (wall-clock fields excluded)::

    python benchmarks/same_results.py run /tmp/before       # on the old commit
    python benchmarks/same_results.py run /tmp/after        # on the new one
    python benchmarks/same_results.py compare /tmp/before /tmp/after

`compare` exits 1 and lists every difference when a number differs; files that exist in only one
tree are listed (a redesign may add files) but do not fail the comparison.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

COMMANDS: dict[str, list[str]] = {
    "digits": [
        "compare", "--dataset", "digits", "--epochs", "4", "--seeds", "2", "--hidden", "32",
        "--arms", "none,dropout=0.5,l1=1e-4,l2=1e-3,wd=1e-3,maxnorm=2,bn,es=1,dropout=0.5+es=1",
        "--device", "cpu", "--quiet",
    ],
    "mnist": [
        "compare", "--dataset", "mnist", "--epochs", "1", "--seeds", "2", "--hidden", "64",
        "--train-subset", "6000", "--arms", "none,dropout=0.5,l1=1e-5,bn,es=1",
        "--device", "cpu", "--quiet",
    ],
    "biasvar": [
        "biasvar", "--dataset", "digits", "--technique", "l2", "--strengths", "0,1e-3",
        "--rounds", "3", "--epochs", "3", "--hidden", "32", "--device", "cpu",
    ],
    "curve": [
        "learning-curve", "--dataset", "digits", "--sizes", "200,600", "--seeds", "2",
        "--epochs", "3", "--hidden", "32", "--arms", "none,dropout=0.5", "--device", "cpu",
        "--quiet",
    ],
}  # fmt: skip

SKIPPED_FILES = {"manifest.json", "plan.json"}
TIME_WORDS = ("seconds", "time", "started", "finished", "created", "elapsed", "per_step")


def run(out: Path) -> None:
    reglab = Path(sys.executable).with_name("reglab")
    for name, args in COMMANDS.items():
        cmd = [str(reglab), *args, "--out", str(out / name)]
        print("$", " ".join(cmd[1:]), flush=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def _timeish(key: str) -> bool:
    return any(w in key.lower() for w in TIME_WORDS)


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not _timeish(str(k)):
                out.update(_leaves(v, f"{prefix}.{k}"))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_leaves(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def _table(path: Path) -> dict[str, Any]:
    frame = pd.read_csv(path)
    frame = frame[[c for c in frame.columns if not _timeish(c)]]
    return _leaves(frame.to_dict(orient="list"))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _arrays(path: Path) -> dict[str, Any]:
    """Each array of an NPZ file as one value (compared whole, exactly)."""
    with np.load(path, allow_pickle=False) as npz:
        return {f"[{k}]": _Array(npz[k]) for k in npz.files}


class _Array:
    def __init__(self, value: np.ndarray) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Array):
            return NotImplemented
        return bool(np.array_equal(self.value, other.value, equal_nan=self.value.dtype.kind == "f"))

    def __repr__(self) -> str:
        return f"array{self.value.shape} {self.value.dtype}"


def compare(before: Path, after: Path, common: bool = False) -> int:
    """Print every differing value; with ``common``, keys or columns that exist on one side
    only (a redesign may add them) are counted apart instead of as differences."""
    kinds = (".csv", ".json", ".npz")
    files_a = {p.relative_to(before) for p in before.rglob("*") if p.suffix in kinds}
    files_b = {p.relative_to(after) for p in after.rglob("*") if p.suffix in kinds}
    for only in sorted(files_a ^ files_b):
        print(f"only in {'before' if only in files_a else 'after'}: {only}")
    differences = compared = one_sided = 0
    for rel in sorted(files_a & files_b):
        if rel.name in SKIPPED_FILES:
            continue
        if rel.suffix == ".csv":
            a, b = _table(before / rel), _table(after / rel)
        elif rel.suffix == ".npz":
            a, b = _arrays(before / rel), _arrays(after / rel)
        else:
            a = _leaves(json.loads((before / rel).read_text()))
            b = _leaves(json.loads((after / rel).read_text()))
        for key in sorted(a.keys() | b.keys()):
            if common and (key not in a or key not in b):
                one_sided += 1
                continue
            compared += 1
            if key not in a or key not in b or not _same(a[key], b[key]):
                differences += 1
                print(f"{rel}{key}: {a.get(key, '<missing>')!r} != {b.get(key, '<missing>')!r}")
    print(f"{compared} values compared in {len(files_a & files_b)} files; {differences} differ")
    if common:
        print(f"{one_sided} values exist on one side only (added or removed keys, not compared)")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run").add_argument("out", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    cmp.add_argument(
        "--common", action="store_true", help="compare only keys and columns both trees have"
    )
    args = parser.parse_args()
    if args.command == "run":
        run(args.out)
        return 0
    return compare(args.before, args.after, args.common)


if __name__ == "__main__":
    sys.exit(main())
