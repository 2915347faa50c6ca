"""A tiny study on `digits` that trains in seconds, for study, CLI and report tests."""

from __future__ import annotations

from typing import Any

from reglab.analysis.results import StudySummary
from reglab.study import StudySpec

TINY: dict[str, Any] = {
    "name": "tiny",
    "seeds": 2,
    "arms": ["none", "dropout=0.5"],
    "data": {"name": "digits", "val_size": 300},
    "model": {"hidden": [16]},
    "train": {"epochs": 3, "train_eval_size": 500, "device": "cpu"},
}


def tiny_spec(**changes: Any) -> StudySpec:
    return StudySpec.from_dict({**TINY, **changes})


def without_times(result: StudySummary) -> dict[str, Any]:
    """A summary's JSON minus wall-clock fields, which differ between any two runs."""
    summary = result.to_json()
    arms = []
    for arm in summary["arms"]:
        arm = {k: v for k, v in arm.items() if k not in ("train_seconds", "time_vs_baseline")}
        arm["runs"] = [{k: v for k, v in r.items() if k != "train_seconds"} for r in arm["runs"]]
        arms.append(arm)
    return {**summary, "arms": arms}
