"""The shared pipeline: typed arms and sweeps, typed records read back from every file,
pack jobs that pickle, and an executor other than the in-process one slotting in."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reglab.arms import Arm, SweepPoint
from reglab.data import load_dataset
from reglab.engine import resolve_device
from reglab.errors import StudyError
from reglab.store import RunRecord, StudyDir
from reglab.store.records import EpochRecord, read_runs_csv
from reglab.study import (
    JobEvents,
    LocalExecutor,
    PackJob,
    PackOutcome,
    PlannedPack,
    StudyExperiment,
    run_plan,
)
from tests.study_helpers import tiny_spec

SWEEP = [{"technique": "l2", "values": [1e-4, 1e-3], "base": "dropout=0.5"}]


def _rows_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def same(x: Any, y: Any) -> bool:
        nan = isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)
        return nan or x == y

    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> StudyDir:
    spec = tiny_spec(train={"epochs": 2, "train_eval_size": 300, "device": "cpu"}, sweeps=SWEEP)
    return run_plan(StudyExperiment(spec), tmp_path_factory.mktemp("s") / "study").store


def test_sweeps_stay_typed_from_spec_to_arms_json(study: StudyDir) -> None:
    spec = tiny_spec(sweeps=SWEEP)
    swept = spec.typed_arms[2]
    assert swept == Arm.parse(
        "dropout=0.5+l2=0.0001", spec.early_stopping, SweepPoint("l2", 1e-4, "dropout=0.5")
    )
    assert swept.reg.dropout == 0.5 and swept.reg.l2 == 1e-4
    saved = json.loads((study.root / "arms.json").read_text())
    assert saved["baseline"] == "none"
    assert [a["sweep"] for a in saved["arms"]] == [
        None,
        None,
        {"technique": "l2", "value": 1e-4, "base": "dropout=0.5"},
        {"technique": "l2", "value": 1e-3, "base": "dropout=0.5"},
    ]
    assert saved["arms"][3]["regularization"] == {
        "dropout": 0.5,
        "input_dropout": 0.0,
        "l1": 0.0,
        "l2": 1e-3,
        "wd": 0.0,
        "bn": False,
        "spatial_dropout": 0.0,
        "noise": 0.0,
        "smoothing": 0.0,
    }


def test_records_read_back_the_same_from_packs_and_csv(study: StudyDir) -> None:
    runs, epochs = study.pack_records()
    assert all(isinstance(r, RunRecord) for r in runs) and len(runs) == 8
    from_csv = read_runs_csv(study.root / "runs.csv")
    assert [r.run_id for r in from_csv] == [r.run_id for r in runs]
    for a, b in zip(runs, from_csv, strict=True):
        assert _rows_equal(a.to_row(), b.to_row())
        assert RunRecord.from_row(a.to_row()) == a or math.isnan(a.test_acc)
    assert study.epoch_records() == epochs and all(isinstance(e, EpochRecord) for e in epochs)
    frame = pd.read_csv(study.root / "runs.csv")
    assert list(frame.columns[:6]) == ["run_id", "arm", "seed", "arm_index", "pack", "status"]
    assert list(frame.columns[-8:]) == [
        "dropout",
        "input_dropout",
        "l1",
        "l2",
        "wd",
        "maxnorm",
        "bn",
        "es_patience",
    ]
    assert [r.run_id for r in read_runs_csv(study.root / "runs.csv")] == list(frame["run_id"])


def test_plan_json_reads_back_into_typed_arms(study: StudyDir) -> None:
    spec = tiny_spec(sweeps=SWEEP)
    saved = json.loads((study.root / "plan.json").read_text())
    assert set(saved[0]["runs"][0]) == {"run_id", "arm", "arm_index", "seed"}  # unchanged format
    plan = [PlannedPack.from_dict(p, spec.typed_arms) for p in saved]
    assert plan[3].runs[0].arm.sweep == SweepPoint("l2", 1e-3, "dropout=0.5")
    with pytest.raises(StudyError, match=r"plan\.json names arm 'none' at index 0"):
        PlannedPack.from_dict(saved[0], spec.typed_arms[1:])


class _Reversed:
    """Another executor: runs the batch last-first through the local one, pickling every job
    and outcome on the way (as a process or cluster boundary would)."""

    def __init__(self, local: LocalExecutor) -> None:
        self.local, self.seen = local, 0

    def run(self, jobs: Sequence[PackJob], events: JobEvents) -> Iterator[PackOutcome]:
        for job in reversed(jobs):
            copy = pickle.loads(pickle.dumps(job))
            self.seen += 1
            for outcome in self.local.run([copy], events):
                yield pickle.loads(pickle.dumps(outcome))


def test_another_executor_slots_in_with_the_same_results(study: StudyDir, tmp_path: Path) -> None:
    spec = tiny_spec(train={"epochs": 2, "train_eval_size": 300, "device": "cpu"}, sweeps=SWEEP)
    device = resolve_device("cpu")
    executor = _Reversed(LocalExecutor(load_dataset(spec.data), device))
    other = run_plan(StudyExperiment(spec), tmp_path / "other", executor=executor).store
    assert executor.seen == 4
    a = [dataclasses.replace(r, train_seconds=0.0).to_row() for r in study.run_records()]
    b = [dataclasses.replace(r, train_seconds=0.0).to_row() for r in other.run_records()]
    assert all(_rows_equal(x, y) for x, y in zip(a, b, strict=True)) and len(a) == len(b)
