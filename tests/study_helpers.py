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
        timed = ("train_seconds", "time_vs_baseline", "step_seconds", "step_seconds_range")
        arm = {k: v for k, v in arm.items() if k not in timed}
        if "vs_baseline" in arm:  # the paired test of time per step is wall-clock too
            arm["vs_baseline"] = {
                k: v for k, v in arm["vs_baseline"].items() if k != "step_seconds"
            }
        arm["runs"] = [{k: v for k, v in r.items() if k != "train_seconds"} for r in arm["runs"]]
        arms.append(arm)
    return {**summary, "arms": arms}
