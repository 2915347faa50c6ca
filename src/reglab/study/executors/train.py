"""One pack job trained on one device: the work every executor does, wherever it runs.

>>> outcome = train_job(job, data, torch.device("cpu"), events)
>>> [r.test_acc for r in outcome.runs]
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import torch

from reglab.data import Dataset
from reglab.engine import Member, PackTrainer, RunResult
from reglab.store.records import EpochRecord, RunRecord, Techniques
from reglab.study.executors.base import JobEvents, PackJob, PackOutcome

__all__ = ["train_job", "use_tf32"]


def train_job(job: PackJob, data: Dataset, device: torch.device, events: JobEvents) -> PackOutcome:
    """Train ``job``'s pack (from its state, if any), checkpointing through ``events`` by time.

    A checkpoint follows the pack's first epoch (from then on the pack is resumable), every
    epoch that ends ``train.checkpoint_seconds`` or more after the last save, and the last
    epoch: a kill loses at most about that long, and a 10-epoch pack pays for 2 or 3 saves,
    not 10 (a save copies every member's weights and Adam moments to the host and fsyncs).
    Raises ``torch.OutOfMemoryError`` as it comes: the executor decides what to do with it.
    """
    setup = job.setup
    use_tf32(setup.train.tf32, device)
    members = [Member(r.seed, r.arm.reg, bootstrap=r.bootstrap) for r in job.pack.runs]
    trainer = PackTrainer(data, setup.model, setup.optimizer, setup.train, members, device)
    if job.state is not None:
        trainer.load_state_dict(dict(job.state))
    events.started(job)
    start = time.perf_counter()
    saved: float | None = None  # when this session last saved the pack
    while not trainer.done:
        records = trainer.train_epoch(lambda done, total: events.steps(job, done, total))
        now = time.perf_counter()
        if trainer.done or saved is None or now - saved >= setup.train.checkpoint_seconds:
            events.checkpoint(job, trainer.state_dict())
            saved = now
        events.epoch(job, trainer.epoch, records)
    results = trainer.finish(setup.evaluation.mc_samples)
    return outcome(job, results, time.perf_counter() - start)


def use_tf32(on: bool, device: torch.device) -> None:
    """TF32 for CUDA matmuls and cuDNN convolutions when ``on`` (``[train] tf32``); full
    float32 otherwise. The CPU is left alone (TF32 is a CUDA tensor-core format)."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on


def outcome(job: PackJob, results: list[RunResult], seconds: float) -> PackOutcome:
    """The engine's per-member results as typed records and arrays (in the pack's run order)."""
    runs: list[RunRecord] = []
    epochs: list[EpochRecord] = []
    arrays: dict[str, np.ndarray] = {}
    for planned, res in zip(job.pack.runs, results, strict=True):
        run_id, arm, seed = planned.run_id, planned.arm.name, planned.seed
        runs.append(
            RunRecord(
                run_id=run_id,
                arm=arm,
                seed=seed,
                arm_index=planned.arm_index,
                pack=job.index,
                status=res.status,
                test_acc=res.test_acc,
                test_loss=res.test_loss,
                train_acc=res.train_acc,
                train_loss=res.train_loss,
                best_epoch=res.best_epoch,
                stop_epoch=res.stop_epoch,
                stop_reason=res.stop_reason,
                diverged_epoch=res.diverged_epoch,
                train_seconds=res.train_seconds,
                sparsity=res.sparsity,
                dead_units=res.dead_units,
                test_ece=res.test_ece,
                test_acc_mc=res.test_acc_mc,
                test_nll_mc=res.test_nll_mc,
                test_ece_mc=res.test_ece_mc,
                weight_l1=tuple(res.weight_l1),
                weight_l2=tuple(res.weight_l2),
                techniques=Techniques.of(planned.arm.reg),
            )
        )
        for e in res.epochs:
            epochs.append(EpochRecord(run_id, arm, seed, **dataclasses.asdict(e)))
        arrays[f"pred/{run_id}"] = res.test_pred
        arrays[f"hist/{run_id}"] = res.weight_hist
        if res.test_proba is not None:  # classification: ensembles, bias–variance
            arrays[f"proba/{run_id}"] = res.test_proba
        if res.test_proba_mc is not None:  # [eval] mc_samples, runs with dropout
            arrays[f"proba_mc/{run_id}"] = res.test_proba_mc
    return PackOutcome(job.index, tuple(runs), tuple(epochs), arrays, seconds)
