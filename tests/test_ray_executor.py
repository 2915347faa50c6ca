"""Packs on a Ray cluster: a local Ray (2 CPU workers, loopback only) gives the in-process
executor's results, survives a worker killed mid-pack, leaves a directory a local run resumes;
a missing extra and an unreachable address are one clear error each.

Ray starts once for the module (about 10 s); the tests share one xdist group so that only one
pytest worker starts it. `make test` installs the `ray` extra, so nothing here is skipped.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import ray
import torch

from reglab.cli import main
from reglab.data import load_dataset
from reglab.engine import EpochRecord
from reglab.store import RunRecord, StudyDir
from reglab.study import PackJob, PackOutcome, QuietProgress, StudyExperiment, StudySpec, run_plan
from reglab.study.executors import make_executor
from reglab.study.executors.ray import RayExecutor, start_local_ray
from reglab.study.executors.ray_worker import Checkpoint, Started, Worker
from tests.study_helpers import tiny_spec

pytestmark = pytest.mark.xdist_group("ray")

TIMES = ("train_seconds",)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One local Ray for the module: 4 logical CPUs (2 for the shared executor's workers,
    2 for the ones a CLI run starts), loopback only."""
    assert not ray.is_initialized()
    start_local_ray(cpus=4)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def notes() -> list[str]:
    return []


@pytest.fixture(scope="module")
def executor(local_ray: None, notes: list[str]) -> Iterator[RayExecutor]:
    with RayExecutor(workers=2, note=notes.append) as ex:
        yield ex


def _runs(directory: Path) -> pd.DataFrame:
    runs = StudyDir(directory).runs()
    return runs.drop(columns=[c for c in runs.columns if c in TIMES]).sort_values("run_id")


def _assert_same_runs(a: Path, b: Path) -> None:
    pd.testing.assert_frame_equal(_runs(a).reset_index(drop=True), _runs(b).reset_index(drop=True))


def _spec(**train: object) -> StudySpec:
    """Two packs (one per arm) of two seeds, slow enough per epoch to be killed mid-pack."""
    base = {"epochs": 5, "train_eval_size": 300, "device": "cpu", "batch_size": 16}
    return tiny_spec(model={"hidden": [128]}, train={**base, **train})


def test_the_local_ray_listens_on_loopback_only(local_ray: None) -> None:
    assert ray.get_runtime_context().gcs_address.startswith("127.0.0.1:")
    assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}


def test_cli_study_on_ray_gives_the_in_process_runs(local_ray: None, tmp_path: Path) -> None:
    common = ["compare", "--dataset", "digits", "--seeds", "2", "--epochs", "2", "--quiet"]
    common += ["--hidden", "32", "--arms", "none,dropout=0.5+l2=1e-3"]
    assert main([*common, "--out", str(tmp_path / "local")]) == 0
    ray_run = ["--out", str(tmp_path / "ray"), "--executor", "ray", "--workers", "2"]
    assert main([*common, *ray_run]) == 0
    _assert_same_runs(tmp_path / "local", tmp_path / "ray")
    assert len(_runs(tmp_path / "ray")) == 4
    assert (tmp_path / "ray" / "summary.json").exists()


class _KillOnFirstEpoch(QuietProgress):
    """Kills (SIGKILL) the process of a worker that is mid-pack, at the first epoch reported."""

    def __init__(self, executor: RayExecutor) -> None:
        self.executor = executor
        self.killed: list[int] = []

    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None:
        if self.killed:
            return
        status = self.executor.worker_status()
        busy = [s for s in status if s.pack is not None and s.pid and s.epoch >= 1]
        assert busy, status  # the worker that just reported its first epoch
        victim = busy[0]
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGKILL)
        self.killed.append(victim.pid)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The in-process run of :func:`_spec` that Ray runs must equal."""
    out = tmp_path_factory.mktemp("reference") / "local"
    run_plan(StudyExperiment(_spec()), out)
    return out


def test_a_worker_killed_mid_pack_is_retried_with_equal_results(
    executor: RayExecutor, notes: list[str], reference: Path, tmp_path: Path
) -> None:
    spec = _spec()
    before = executor.retries
    killer = _KillOnFirstEpoch(executor)
    run_plan(StudyExperiment(spec), tmp_path / "ray", killer, executor)
    assert len(killer.killed) == 1
    assert executor.retries == before + 1
    assert any(f"(pid {killer.killed[0]}) lost during pack" in n for n in notes), notes
    assert any("retrying from its epoch" in n for n in notes), notes
    _assert_same_runs(reference, tmp_path / "ray")
    pids = {s.pid for s in executor.worker_status()}
    assert killer.killed[0] not in pids  # Ray restarted that actor in a new process


def test_an_actor_checkpoint_resumes_to_the_uninterrupted_outcome() -> None:
    """The worker's checkpoints are copies taken at the epoch's end (the live optimizer state
    moves on while the driver reads them): resuming from any of them ends the same."""
    spec = _spec(epochs=3)
    experiment = StudyExperiment(spec)
    data = load_dataset(spec.data)
    pack = experiment.plan(data.model_shape, data.out_features, torch.device("cpu"))[0]
    worker = Worker(threads=1)
    items = list(worker.train(PackJob(experiment.setup, pack)))
    assert isinstance(items[0], Started) and isinstance(items[-1], PackOutcome)
    whole = items[-1]
    for checkpoint in [i for i in items if isinstance(i, Checkpoint)][:2]:
        state = pickle.loads(pickle.dumps(checkpoint.state))  # as it travels
        resumed = list(worker.train(PackJob(experiment.setup, pack, state)))[-1]
        assert _timeless(resumed.runs) == _timeless(whole.runs)
        for key, array in whole.arrays.items():
            np.testing.assert_array_equal(resumed.arrays[key], array)


def _timeless(runs: tuple[RunRecord, ...]) -> list[RunRecord]:
    return [dataclasses.replace(r, train_seconds=0.0) for r in runs]


class _LoseDriver(QuietProgress):
    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None:
        raise KeyboardInterrupt  # the driver dies after the first checkpoint it wrote


def test_a_lost_driver_resumes_like_a_local_study(
    executor: RayExecutor, reference: Path, tmp_path: Path
) -> None:
    spec = _spec()
    with pytest.raises(KeyboardInterrupt):
        run_plan(StudyExperiment(spec), tmp_path / "study", _LoseDriver(), executor)
    assert list((tmp_path / "study").glob("checkpoints/pack-*.pt")), "a checkpoint was written"
    run_plan(StudyExperiment(spec), tmp_path / "study")  # resumed in-process
    _assert_same_runs(reference, tmp_path / "study")


def test_without_ray_installed_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    rc = main(["compare", "--dataset", "digits", "--executor", "ray", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2
    errors = [line for line in err.splitlines() if not line.startswith("study: ")]  # its folder
    assert len(errors) == 1 and "pip install 'reglab[ray]'" in errors[0], err
    assert not list(tmp_path.iterdir())  # nothing written


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_address_is_one_clear_error_quickly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    address = f"127.0.0.1:{_free_port()}"
    start = time.perf_counter()
    args = ["biasvar", "--dataset", "digits", "--out", str(tmp_path / "bv")]
    rc = main([*args, "--executor", "ray", "--address", address])
    err = capsys.readouterr().err
    assert rc == 2 and time.perf_counter() - start < 30
    assert f"Got {address!r} instead" in err and "running Ray cluster" in err, err
    assert not (tmp_path / "bv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--executor", "dask"], "The '--executor' parameter of reglab must be one of"),
        (["--address", "10.0.0.5:6379"], "add --executor ray"),
        (["--executor", "ray", "--address", "no-port"], "The 'address' parameter of the Ray"),
        (["--executor", "ray", "--workers", "0"], "The 'workers' parameter of the Ray"),
    ],
)
def test_executor_options_are_checked(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["compare", "--dataset", "digits", "--out", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["run", str(EXAMPLES / "classic.toml"), "--dataset", "digits"],
        ["learning-curve", "--dataset", "digits", "--sizes", "100,300"],
        ["biasvar", "--dataset", "digits"],
    ],
)
def test_every_training_command_takes_the_executor_options(
    command: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The options reach the Ray executor (its own check of the address answers), and
    nothing is written before it does."""
    out = tmp_path / "out"
    args = [*command, "--out", str(out), "--executor", "ray", "--address", "no-port"]
    assert main(args) == 2
    assert "The 'address' parameter of the Ray executor" in capsys.readouterr().err
    assert not out.exists()


def test_make_executor_passes_an_executor_object_through() -> None:
    class Mine:
        def run(self, jobs: object, events: object) -> Iterator[object]:
            yield from ()

    mine = Mine()
    with make_executor(mine) as chosen:  # type: ignore[arg-type]
        assert chosen is mine
    with make_executor("local") as chosen:
        assert chosen is None
