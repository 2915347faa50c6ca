"""Run a study or the classic comparison from Python, and get results to tabulate and plot.

    >>> import reglab
    >>> result = reglab.compare(arms=["none", "dropout=0.5"], seeds=5, epochs=10)
    >>> result.table()            # arm, n, mean, CI, delta vs baseline, p, verdict
    >>> result.epochs             # per-run, per-epoch records (pandas)
    >>> result = reglab.run_study("examples/ablation.toml", out="runs/ablation")

The same code path serves ``reglab compare`` and ``reglab run``: a spec is built (from
arguments or a TOML file), trained pack by pack (resumable), summarized with paired
statistics and reported (report.html, report.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reglab.analysis.results import StudySummary
from reglab.analysis.summary import comparisons_table, write_summary
from reglab.arms import parse_arms
from reglab.config import DataConfig
from reglab.data import SUGGESTED_VAL_SIZE, check_name
from reglab.store import StudyDir, spec_identity
from reglab.study import Progress, StudySpec, load_spec, make_progress, run_study_packs

__all__ = ["StudyResult", "compare", "compare_spec", "default_out", "run_study", "with_overrides"]


@dataclass(frozen=True)
class StudyResult:
    """A finished study: its directory, typed summary (summary.json) and record tables."""

    directory: Path
    summary: StudySummary

    @property
    def runs(self) -> pd.DataFrame:
        return StudyDir(self.directory).runs()

    @property
    def epochs(self) -> pd.DataFrame:
        return StudyDir(self.directory).epochs()

    def table(self) -> pd.DataFrame:
        """One row per arm: mean test accuracy, gap, delta vs baseline, CI, p, verdict."""
        return comparisons_table(self.summary)

    @property
    def report(self) -> Path:
        return self.directory / "report.html"


def run_study(
    spec: StudySpec | str | Path,
    out: str | Path | None = None,
    *,
    quiet: bool = False,
    progress: Progress | None = None,
    report: bool = True,
) -> StudyResult:
    """Train (or resume) a study, then write summary.json, comparisons.csv and the report."""
    if not isinstance(spec, StudySpec):
        spec = load_spec(spec)
    directory = Path(out) if out is not None else default_out(spec)
    store = run_study_packs(spec, directory, progress or make_progress(quiet))
    summary = write_summary(store)
    if report:
        from reglab.report import write_report

        write_report(directory)
    return StudyResult(directory, summary)


def compare_spec(
    arms: str | Sequence[str] = ("none", "dropout=0.5"),
    *,
    seeds: int = 5,
    epochs: int = 10,
    dataset: str = "mnist",
    device: str = "auto",
    batch_size: int = 32,
    hidden: Sequence[int] = (512,),
    lr: float = 1e-3,
    val_size: int | None = None,
    train_subset: int | None = None,
    baseline: str | None = None,
) -> StudySpec:
    """The classic notebook experiment as a spec (MNIST, MLP 512 ReLU, Adam 1e-3, batch 32)."""
    check_name(dataset)
    arm_list = parse_arms(list(arms) if not isinstance(arms, str) else arms)
    data = DataConfig(dataset, val_size or SUGGESTED_VAL_SIZE.get(dataset, 10_000), train_subset)
    return StudySpec.from_dict(
        {
            "name": f"compare-{dataset}",
            "arms": arm_list,
            "seeds": seeds,
            "baseline": baseline,
            "data": data.to_dict(),
            "model": {"hidden": list(hidden)},
            "optimizer": {"lr": lr},
            "train": {"epochs": epochs, "batch_size": batch_size, "device": device},
        },
        where="the compare options",
    )


def compare(
    arms: str | Sequence[str] = ("none", "dropout=0.5"),
    *,
    seeds: int = 5,
    epochs: int = 10,
    dataset: str = "mnist",
    device: str = "auto",
    out: str | Path | None = None,
    quiet: bool = False,
    **options: Any,
) -> StudyResult:
    """Run the classic comparison over ``seeds`` seeds; see :func:`compare_spec` options."""
    spec = compare_spec(arms, seeds=seeds, epochs=epochs, dataset=dataset, device=device, **options)
    return run_study(spec, out, quiet=quiet)


def default_out(spec: StudySpec) -> Path:
    """runs/<name>-<hash>: the same spec maps to the same directory, so it resumes."""
    identity = json.dumps(spec_identity(spec.to_dict()), sort_keys=True)
    return Path("runs") / f"{spec.name}-{hashlib.sha256(identity.encode()).hexdigest()[:8]}"


def with_overrides(spec: StudySpec, **changes: Any) -> StudySpec:
    """A spec with CLI overrides applied (None means: keep the spec's value)."""
    train = {k: v for k, v in changes.items() if k in ("epochs", "device") and v is not None}
    top = {k: v for k, v in changes.items() if k in ("seeds", "arms") and v is not None}
    data = spec.to_dict()
    data["train"] = {**data["train"], **train}
    if "seeds" in top:
        data["seeds"] = top["seeds"]
    if "arms" in top:
        data["arms"] = parse_arms(top["arms"])
    if changes.get("dataset") is not None:
        name = changes["dataset"]
        check_name(name)
        data["data"] = dataclasses.replace(
            spec.data, name=name, val_size=SUGGESTED_VAL_SIZE.get(name, spec.data.val_size)
        ).to_dict()
    if changes.get("train_subset") is not None:
        data["data"] = {**data["data"], "train_subset": changes["train_subset"]}
    return StudySpec.from_dict(data, where="the spec with command-line overrides")
