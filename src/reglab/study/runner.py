"""The runner: trains a study's packs, writing results as they come; resumable.

Running the same spec on the same directory again resumes it: finished packs are kept,
the unfinished pack continues from its last epoch checkpoint, and the final results equal
an uninterrupted run's. A directory that holds a different study is refused::

    >>> study_dir = run_study_packs(StudySpec(seeds=(0, 1)), "runs/demo")
"""

from __future__ import annotations

import dataclasses
import gc
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from reglab.config import Regularization
from reglab.data import Dataset, load_dataset
from reglab.engine import Member, PackTrainer, RunResult, resolve_device
from reglab.store import StudyDir, spec_identity
from reglab.study.manifest import manifest
from reglab.study.plan import PlannedPack, plan_study
from reglab.study.progress import Progress, QuietProgress
from reglab.study.spec import StudySpec

__all__ = ["run_study_packs"]


def run_study_packs(spec: StudySpec, out: str | Path, progress: Progress | None = None) -> StudyDir:
    """Train every pack of ``spec`` not yet finished in ``out``; returns the study dir."""
    progress = progress or QuietProgress()
    device = resolve_device(spec.train.device)
    data = _on_device(load_dataset(spec.data), device)  # bad data settings fail before any write
    store = StudyDir(out)
    resumed = store.claim(spec.to_toml(), spec_identity(spec.to_dict()))
    plan = _plan(store, spec, data, device)
    store.write_targets(data.y_test.cpu().numpy())
    info = manifest(
        spec, device, data, previous=store.read_json("manifest.json") if resumed else None
    )
    done = sum(store.pack_done(p.index) for p in plan)
    progress.start(len(plan), sum(len(p.runs) for p in plan), spec.train.epochs, done)
    torch.use_deterministic_algorithms(spec.train.deterministic)
    queue = list(plan)
    while queue:
        pack = queue.pop(0)
        if store.pack_done(pack.index):
            continue
        try:
            seconds = _train(store, spec, data, device, pack, progress)
        except torch.OutOfMemoryError:
            if len(pack.runs) == 1:
                raise
            halves = pack.halves(max(p.index for p in plan) + 1)
            progress.note(f"out of memory with {len(pack.runs)} runs in a pack: halving")
            plan = [p for p in plan if p.index != pack.index] + halves
            store.write_json("plan.json", [p.to_dict() for p in plan])
            store.checkpoint_path(pack.index).unlink(missing_ok=True)
            gc.collect()  # the failed pack's tensors, before the cache is emptied
            torch.cuda.empty_cache()
            queue = halves + queue
            continue
        info["packs"][str(pack.index)] = {"runs": len(pack.runs), "seconds": seconds}
        store.write_json("manifest.json", info)
    store.write_tables()
    info["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    store.write_json("manifest.json", info)
    progress.finish()
    return store


def _on_device(data: Dataset, device: torch.device) -> Dataset:
    """The dataset moved to the device once for the whole study (not once per pack)."""
    moved = {
        f.name: getattr(data, f.name).to(device)
        for f in dataclasses.fields(data)
        if isinstance(getattr(data, f.name), torch.Tensor)
    }
    return dataclasses.replace(data, **moved)


def _plan(
    store: StudyDir, spec: StudySpec, data: Dataset, device: torch.device
) -> list[PlannedPack]:
    saved = store.read_json("plan.json")
    if saved is not None:
        return [PlannedPack.from_dict(p) for p in saved]
    plan = plan_study(spec, data.in_features, data.out_features, device)
    store.write_json("plan.json", [p.to_dict() for p in plan])
    return plan


def _train(
    store: StudyDir,
    spec: StudySpec,
    data: Dataset,
    device: torch.device,
    pack: PlannedPack,
    progress: Progress,
) -> float:
    """Train one pack (from its checkpoint if any), checkpoint each epoch, save results."""
    members = [Member(r.seed, spec.regularization(r.arm)) for r in pack.runs]
    trainer = PackTrainer(data, spec.model, spec.optimizer, spec.train, members, device)
    state = store.load_checkpoint(pack.index)
    if state is not None:
        trainer.load_state_dict(state)
    arms = sorted({r.arm for r in pack.runs}, key=[r.arm for r in pack.runs].index)
    progress.pack(pack.index, ", ".join(arms), len(members))
    start = time.perf_counter()
    while not trainer.done:
        records = trainer.train_epoch()
        store.save_checkpoint(pack.index, trainer.state_dict())
        progress.epoch(trainer.epoch, records)
    results = trainer.finish()
    runs, epochs, arrays = _records(pack, spec, results)
    store.write_pack(pack.index, runs, epochs, arrays)
    return time.perf_counter() - start


def _records(
    pack: PlannedPack, spec: StudySpec, results: list[RunResult]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, np.ndarray]]:
    runs: list[dict[str, Any]] = []
    epochs: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    for planned, res in zip(pack.runs, results, strict=True):
        key = {"run_id": planned.run_id, "arm": planned.arm, "seed": planned.seed}
        reg = spec.regularization(planned.arm)
        runs.append(
            {
                **key,
                "arm_index": planned.arm_index,
                "pack": pack.index,
                "status": res.status,
                "test_acc": res.test_acc,
                "test_loss": res.test_loss,
                "train_acc": res.train_acc,
                "train_loss": res.train_loss,
                "best_epoch": res.best_epoch,
                "stop_epoch": res.stop_epoch,
                "stop_reason": res.stop_reason,
                "diverged_epoch": res.diverged_epoch,
                "train_seconds": res.train_seconds,
                "sparsity": res.sparsity,
                "dead_units": res.dead_units,
                **{f"weight_l1_{i}": v for i, v in enumerate(res.weight_l1)},
                **{f"weight_l2_{i}": v for i, v in enumerate(res.weight_l2)},
                **_techniques(reg),
            }
        )
        epochs.extend({**key, **dataclasses.asdict(e)} for e in res.epochs)
        arrays[f"pred/{planned.run_id}"] = res.test_pred
        arrays[f"hist/{planned.run_id}"] = res.weight_hist
    return runs, epochs, arrays


def _techniques(reg: Regularization) -> dict[str, Any]:
    es = reg.early_stopping
    return {
        "dropout": reg.dropout,
        "input_dropout": reg.input_dropout,
        "l1": reg.l1,
        "l2": reg.l2,
        "wd": reg.wd,
        "maxnorm": reg.maxnorm,
        "bn": reg.bn,
        "es_patience": es.patience if es is not None else None,
    }
