"""The runner: executes any experiment's plan of packs, writing results as they come.

One runner for every experiment kind. It claims the directory (spec.toml: the same study
resumes, a different one is refused), fixes the plan (plan.json, arms.json), trains the packs
not yet finished through an :class:`~reglab.study.executors.Executor` (in-process by
default), saves each pack's checkpoint after its first and last epochs and by time between
(``[train] checkpoint_seconds``) and its records when it finishes, halves a pack that runs out
of memory, and keeps the manifest. The runner is the only writer of the directory: executors
return results and report checkpoints, they write nothing.

Running the same experiment on the same directory again resumes it: finished packs are kept,
the unfinished pack continues from its last checkpoint, and the final results equal an
uninterrupted run's::

    >>> ran = run_plan(StudyExperiment(StudySpec(seeds=(0, 1))), "runs/demo")
    >>> study_dir = run_study_packs(StudySpec(seeds=(0, 1)), "runs/demo")   # the same
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from reglab.data import Dataset, load_dataset
from reglab.engine import EpochRecord as EngineEpoch
from reglab.engine import check_techniques, resolve_device
from reglab.errors import StudyError
from reglab.store import StudyDir
from reglab.study.budget import Estimate, check_estimate, describe, estimate
from reglab.study.executors import Executor, LocalExecutor, PackJob, PackOutcome
from reglab.study.executors.base import PackSetup
from reglab.study.experiments.base import Experiment
from reglab.study.experiments.study import StudyExperiment
from reglab.study.manifest import check_same_data, data_identity, manifest
from reglab.study.plan import PlannedPack, free_bytes
from reglab.study.progress import Outlook, Progress, QuietProgress
from reglab.study.spec import StudySpec

__all__ = ["Ran", "run_plan", "run_study_packs"]


@dataclass(frozen=True)
class Ran:
    """A finished experiment: its directory and the dataset it trained on (on the device)."""

    store: StudyDir
    data: Dataset


def run_study_packs(spec: StudySpec, out: str | Path, progress: Progress | None = None) -> StudyDir:
    """Train every pack of ``spec`` not yet finished in ``out``; returns the study dir."""
    return run_plan(StudyExperiment(spec), out, progress, allow_large=spec.allow_large).store


def run_plan(
    experiment: Experiment,
    out: str | Path,
    progress: Progress | None = None,
    executor: Executor | None = None,
    allow_large: bool = False,
) -> Ran:
    """Train (or resume) ``experiment`` in ``out``; ``executor`` defaults to in-process.

    A resume checks the data (checksum and split) against the manifest, trains again any
    finished pack whose files are damaged, and writes nothing when the study is finished
    and whole. ``allow_large`` lifts the size limits of :mod:`reglab.study.budget`.
    """
    progress = progress or QuietProgress()
    setup = experiment.setup
    device = resolve_device(setup.train.device)
    data = _on_device(load_dataset(setup.data), device)  # bad data settings fail before any write
    bn = any(a.reg.bn for a in experiment.arms)
    est = _estimate(len(experiment.arms) * len(experiment.seeds), 1, setup, data, bn)
    check_estimate(est, free_bytes(device), allow_large)  # before anything is written
    check_techniques(setup.model, [a.reg for a in experiment.arms], data)  # ... and bad arms
    store = StudyDir(out)
    resumed = store.claim(experiment.spec_toml(), experiment.identity())
    previous = store.read_json("manifest.json") if resumed else None
    identity = data_identity(setup.data, data)
    check_same_data(previous, identity, store.root)
    plan = _plan(store, experiment, data, device)
    size = _estimate(sum(len(p.runs) for p in plan), len(plan), setup, data, bn)
    progress.note(describe(dataclasses.replace(size, members=max(len(p.runs) for p in plan))))
    for note in store.drop_damaged_packs([p.index for p in plan if store.pack_done(p.index)]):
        progress.note(note)
    done = sum(store.pack_done(p.index) for p in plan)
    finished = previous is not None and previous.get("finished") and store.targets_whole()
    if done == len(plan) and finished:
        return _finished(store, experiment, data)  # nothing to do: nothing is written
    names = [a.name for a in experiment.arms]
    tf32 = setup.train.tf32 and device.type == "cuda"
    info = manifest(
        experiment.kind,
        experiment.seeds,
        names,
        experiment.baseline,
        device,
        data,
        previous,
        identity,
        tf32=tf32,
    )
    store.write_json("manifest.json", info)  # this session is on record before any training
    store.write_targets(data.y_test.cpu().numpy())
    progress.start(_outlook(store, plan, setup.train.epochs))
    torch.use_deterministic_algorithms(setup.train.deterministic)
    executor = executor or LocalExecutor(data, device)
    events = _Events(store, progress)
    pending = [p for p in plan if not store.pack_done(p.index)]
    while pending:
        jobs = [PackJob(setup, p, store.load_checkpoint(p.index)) for p in pending]
        pending = []
        for outcome in executor.run(jobs, events):
            if outcome.out_of_memory:
                plan, halves = _halve(store, plan, outcome.index, progress)
                pending.extend(halves)
                continue
            _save(store, outcome, info)
    if experiment.tables and not store.tables_current():
        store.write_tables()
    info["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    store.write_json("manifest.json", info)
    progress.finish()
    return Ran(store, data)


class _Events:
    """The driver's side of running jobs: checkpoint files and progress."""

    def __init__(self, store: StudyDir, progress: Progress) -> None:
        self.store, self.progress = store, progress

    def started(self, job: PackJob) -> None:
        runs = job.pack.runs
        arms = list(dict.fromkeys(r.arm.name for r in runs))
        self.progress.pack(job.index, ", ".join(arms), len(runs))

    def steps(self, job: PackJob, done: int, total: int) -> None:
        self.progress.steps(done, total)

    def epoch(self, job: PackJob, epoch: int, records: list[EngineEpoch | None]) -> None:
        self.progress.epoch(epoch, records)

    def checkpoint(self, job: PackJob, state: dict[str, Any]) -> None:
        self.store.save_checkpoint(job.index, state)


def _outlook(store: StudyDir, plan: list[PlannedPack], epochs: int) -> Outlook:
    """The session ahead: packs, runs, epochs, and which packs a resume reuses."""
    done = [k for k, p in enumerate(plan, start=1) if store.pack_done(p.index)]
    return Outlook(
        packs=len(plan),
        runs=sum(len(p.runs) for p in plan),
        epochs=epochs,
        done=tuple(done),
        runs_done=sum(len(plan[k - 1].runs) for k in done),
    )


def _save(store: StudyDir, outcome: PackOutcome, info: dict[str, Any]) -> None:
    store.write_pack(outcome.index, outcome.runs, outcome.epochs, outcome.arrays)
    info["packs"][str(outcome.index)] = {"runs": len(outcome.runs), "seconds": outcome.seconds}
    store.write_json("manifest.json", info)


def _halve(
    store: StudyDir, plan: list[PlannedPack], index: int, progress: Progress
) -> tuple[list[PlannedPack], list[PlannedPack]]:
    """Replace pack ``index`` by its two halves in the plan (out of memory)."""
    pack = next(p for p in plan if p.index == index)
    if len(pack.runs) == 1:
        raise StudyError(
            f"Pack {index} ran out of memory with a single run; use a smaller model or "
            "batch size, or another device."
        )
    halves = pack.halves(max(p.index for p in plan) + 1)
    progress.note(f"out of memory with {len(pack.runs)} runs in a pack: halving")
    plan = [p for p in plan if p.index != index] + halves
    store.write_json("plan.json", [p.to_dict() for p in plan])
    store.checkpoint_path(index).unlink(missing_ok=True)
    return plan, halves


def _finished(store: StudyDir, experiment: Experiment, data: Dataset) -> Ran:
    """A finished study run again: its tables are rebuilt only if they were damaged."""
    if experiment.tables and not store.tables_current():
        store.write_tables()
    return Ran(store, data)


def _estimate(runs: int, packs: int, setup: PackSetup, data: Dataset, bn: bool) -> Estimate:
    return estimate(
        runs=runs,
        packs=packs,
        members=1,
        model=setup.model,
        train=setup.train,
        input_shape=data.model_shape,
        out_features=data.out_features,
        n_train=len(data.y_train),
        bn=bn,
    )


def _on_device(data: Dataset, device: torch.device) -> Dataset:
    """The dataset moved to the device once for the whole study (not once per pack)."""
    moved = {
        f.name: getattr(data, f.name).to(device)
        for f in dataclasses.fields(data)
        if isinstance(getattr(data, f.name), torch.Tensor)
    }
    return dataclasses.replace(data, **moved)


def _plan(
    store: StudyDir, experiment: Experiment, data: Dataset, device: torch.device
) -> list[PlannedPack]:
    """The saved plan (resume) or a new one; arms.json describes the arms for readers."""
    arms = {"baseline": experiment.baseline, "arms": [a.to_dict() for a in experiment.arms]}
    if store.read_json("arms.json") != json.loads(json.dumps(arms)):
        store.write_json("arms.json", arms)
    saved = store.read_json("plan.json")
    if saved is not None:
        return [PlannedPack.from_dict(p, experiment.arms) for p in saved]
    plan = experiment.plan(data.model_shape, data.out_features, device)
    store.write_json("plan.json", [p.to_dict() for p in plan])
    return plan
