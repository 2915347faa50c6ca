"""The runner for real: results on disk, resume after SIGKILL, refusal of a foreign --out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from reglab.api import run_study
from reglab.errors import StudyError
from reglab.store import StudyDir
from tests.study_helpers import tiny_spec, without_times

pytestmark = pytest.mark.xdist_group("studies")


def test_study_directory_holds_every_result(tmp_path: Path) -> None:
    result = run_study(tiny_spec(), tmp_path / "s", quiet=True, report=False)
    root = result.directory
    for name in (
        "spec.toml",
        "plan.json",
        "manifest.json",
        "runs.csv",
        "epochs.csv",
        "summary.json",
        "comparisons.csv",
        "targets.npz",
    ):
        assert (root / name).exists(), name
    runs, epochs = result.runs, result.epochs
    assert len(runs) == 4 and set(runs["status"]) == {"ok"}
    assert len(epochs) == 4 * 3
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["seeds"] == [0, 1] and manifest["torch"] and manifest["dataset"]["checksum"]
    assert not list((root / "checkpoints").glob("*.pt"))  # finished packs drop checkpoints
    summary = result.summary
    assert summary.names == ["none", "dropout=0.5"]
    arm = summary.arms[1]
    assert arm.n == 2 and len(arm.test_acc.ci95) == 2
    assert arm.vs_baseline is not None
    assert arm.vs_baseline.verdict == "too few seeds"  # 2 seeds: no verdict (MIN_SEEDS = 3)
    assert set(StudyDir(root).arrays("pred")) == set(runs["run_id"])


def test_a_different_study_in_the_same_directory_is_refused(tmp_path: Path) -> None:
    run_study(tiny_spec(), tmp_path / "s", quiet=True, report=False)
    with pytest.raises(StudyError, match="holds a different study"):
        run_study(tiny_spec(seeds=3), tmp_path / "s", quiet=True, report=False)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(StudyError, match="not empty and holds no reglab study"):
        run_study(tiny_spec(), tmp_path / "other", quiet=True, report=False)


def test_a_study_written_before_a_setting_existed_resumes(tmp_path: Path) -> None:
    """spec.toml of an older reglab lacks settings added since (at their defaults): same study."""
    out = tmp_path / "s"
    run_study(tiny_spec(), out, quiet=True, report=False)
    spec = (out / "spec.toml").read_text()
    older = "\n".join(
        line
        for line in spec.splitlines()
        if not line.startswith(("kernel =", "pooling =", "tf32 =", "lr_decay", "nesterov ="))
    )
    assert older != spec
    (out / "spec.toml").write_text(older)
    before = (out / "runs.csv").read_bytes()
    run_study(tiny_spec(), out, quiet=True, report=False)  # resumes: nothing to train
    assert (out / "runs.csv").read_bytes() == before
    (out / "spec.toml").write_text(older.replace("hidden = [\n    16,", "hidden = [\n    17,"))
    with pytest.raises(StudyError, match="holds a different study"):
        run_study(tiny_spec(), out, quiet=True, report=False)


def test_running_again_resumes_and_trains_nothing_new(tmp_path: Path) -> None:
    first = run_study(tiny_spec(), tmp_path / "s", quiet=True, report=False)
    stamp = (tmp_path / "s" / "packs" / "pack-000.json").stat().st_mtime_ns
    again = run_study(
        tiny_spec(train={**tiny_spec().train.to_dict(), "device": "auto"}),
        tmp_path / "s",
        quiet=True,
        report=False,
    )
    assert (tmp_path / "s" / "packs" / "pack-000.json").stat().st_mtime_ns == stamp
    assert without_times(again.summary) == without_times(first.summary)


def test_sigkill_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    spec = tiny_spec(train={"epochs": 8, "train_eval_size": 500, "device": "cpu"})
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(spec.to_toml())
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "reglab", "run", str(spec_file), "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    # kill inside the second pack: the first is finished, the second has a checkpoint
    while not (out / "checkpoints" / "pack-001.pt").exists():
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the study did not reach its second pack"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert (out / "packs" / "pack-000.json").exists()
    assert not (out / "packs" / "pack-001.json").exists()
    resumed = run_study(spec, out, quiet=True, report=False)
    whole = run_study(spec, tmp_path / "whole", quiet=True, report=False)
    assert without_times(resumed.summary) == without_times(whole.summary)
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 2


def test_out_of_memory_halves_the_pack_and_retries(tmp_path: Path, monkeypatch) -> None:
    """A pack that runs out of memory is split in two and retried (CUDA's case, faked)."""
    from reglab.engine import PackTrainer

    original = PackTrainer.train_epoch

    def tight(self: PackTrainer, on_steps=None):  # type: ignore[no-untyped-def]
        if len(self.members) > 1:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return original(self, on_steps)

    monkeypatch.setattr(PackTrainer, "train_epoch", tight)
    spec = tiny_spec(train={"epochs": 1, "train_eval_size": 500, "device": "cpu"})
    result = run_study(spec, tmp_path / "oom", quiet=True, report=False)
    plan = json.loads((tmp_path / "oom" / "plan.json").read_text())
    assert sorted(len(p["runs"]) for p in plan) == [1, 1, 1, 1]
    assert len(result.runs) == 4 and set(result.runs["status"]) == {"ok"}


class _Recorder:
    """JobEvents that count checkpoints (and ignore the rest)."""

    def __init__(self) -> None:
        self.checkpoints: list[int] = []

    def started(self, job: object) -> None: ...

    def epoch(self, job: object, epoch: int, records: object) -> None:
        self.last_epoch = epoch

    def checkpoint(self, job: object, state: dict[str, object]) -> None:
        self.checkpoints.append(int(state["epoch"]))  # type: ignore[call-overload]

    def steps(self, job: object, done: int, total: int) -> None: ...


@pytest.mark.parametrize(("seconds", "expected"), [(0.0, [1, 2, 3, 4]), (3600.0, [1, 4])])
def test_checkpoints_come_after_the_first_and_last_epochs_and_by_time(
    seconds: float, expected: list[int]
) -> None:
    """checkpoint_seconds = 0 saves after every epoch; a long interval only after the first
    epoch (the pack is resumable from then on) and the last."""
    from reglab.data import load_dataset
    from reglab.study.executors import PackJob
    from reglab.study.executors.base import PackSetup
    from reglab.study.executors.train import train_job
    from reglab.study.plan import plan_study

    train = {"epochs": 4, "train_eval_size": 200, "device": "cpu", "checkpoint_seconds": seconds}
    spec = tiny_spec(train=train)
    data = load_dataset(spec.data)
    pack = plan_study(spec, data.model_shape, data.out_features, torch.device("cpu"))[0]
    events = _Recorder()
    job = PackJob(PackSetup(spec.data, spec.model, spec.optimizer, spec.train), pack)
    train_job(job, data, torch.device("cpu"), events)
    assert events.checkpoints == expected and events.last_epoch == 4
