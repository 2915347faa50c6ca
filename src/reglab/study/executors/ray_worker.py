"""The Ray actor's side: a dataset loaded once, pack jobs trained by ``train_job``, and every
event the job reports streamed back to the driver (no Ray import here: the driver wraps
:class:`Worker` with ``ray.remote``; see ``executors/ray.py``).

    >>> worker = Worker(threads=1)
    >>> items = list(worker.train(job))   # Started, (Checkpoint, Epoch) per epoch, PackOutcome
"""

from __future__ import annotations

import dataclasses
import gc
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch

from reglab.config import DataConfig
from reglab.data import Dataset, load_dataset
from reglab.engine import EpochRecord, resolve_device
from reglab.study.executors.base import JobEvents, PackJob, PackOutcome
from reglab.study.executors.train import train_job

__all__ = ["Checkpoint", "Epoch", "Started", "Worker"]


# ---- what an actor sends back, in order: Started, (Checkpoint, Epoch) per epoch, outcome
@dataclass(frozen=True)
class Started:
    pid: int


@dataclass(frozen=True)
class Epoch:
    epoch: int
    records: list[EpochRecord | None]


@dataclass(frozen=True)
class Checkpoint:
    state: dict[str, Any]


class _QueueEvents:
    """JobEvents inside the actor: each call becomes one item for the driver."""

    def __init__(self, items: queue.Queue[Any]) -> None:
        self.items = items

    def started(self, job: PackJob) -> None:
        self.items.put(Started(os.getpid()))

    def epoch(self, job: PackJob, epoch: int, records: list[EpochRecord | None]) -> None:
        self.items.put(Epoch(epoch, records))

    def checkpoint(self, job: PackJob, state: dict[str, Any]) -> None:
        self.items.put(Checkpoint(_on_cpu(state)))  # the driver may have no GPU

    def steps(self, job: PackJob, done: int, total: int) -> None:
        """Within-epoch steps stay on the worker: the driver shows Ray's status lines."""


class Worker:
    """The actor: a dataset on its device (loaded once), and pack jobs trained one by one."""

    def __init__(self, threads: int) -> None:
        torch.set_num_threads(threads)
        self.loaded: tuple[DataConfig, str, Dataset] | None = None

    def pid(self) -> int:
        return os.getpid()

    def train(self, job: PackJob) -> Iterator[Any]:
        """Yields Started, then Checkpoint and Epoch per epoch, then the PackOutcome."""
        items: queue.Queue[Any] = queue.Queue()

        def work() -> None:  # train_job reports through callbacks: run it beside the stream
            try:
                items.put(self._train(job, _QueueEvents(items)))
            except BaseException as err:
                items.put(err)

        threading.Thread(target=work, name=f"pack-{job.index}", daemon=True).start()
        while True:
            item = items.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if isinstance(item, PackOutcome):
                return

    def _train(self, job: PackJob, events: JobEvents) -> PackOutcome:
        setup = job.setup
        device = resolve_device(setup.train.device)
        data = self._data(setup.data, device)
        torch.use_deterministic_algorithms(setup.train.deterministic)
        try:
            return train_job(job, data, device, events)
        except torch.OutOfMemoryError:
            gc.collect()  # the failed pack's tensors, before the cache is emptied
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            return PackOutcome(job.index, out_of_memory=True)

    def _data(self, cfg: DataConfig, device: torch.device) -> Dataset:
        """The dataset on this worker's device: loaded on the first pack that needs it."""
        if self.loaded is None or self.loaded[:2] != (cfg, str(device)):
            self.loaded = None  # free the previous one first
            self.loaded = (cfg, str(device), _on_device(load_dataset(cfg), device))
        return self.loaded[2]


def _on_device(data: Dataset, device: torch.device) -> Dataset:
    """The dataset's tensors moved to the device once (as the runner does for local runs)."""
    moved = {
        f.name: getattr(data, f.name).to(device)
        for f in dataclasses.fields(data)
        if isinstance(getattr(data, f.name), torch.Tensor)
    }
    return dataclasses.replace(data, **moved)


def _on_cpu(value: Any) -> Any:
    """A checkpoint as CPU copies, taken now: the state dict shares tensors with the live
    trainer (the optimizer's moments), which the next epoch updates in place before the
    driver has read this one (and optimizer state may be on the GPU)."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    if isinstance(value, dict):
        return {k: _on_cpu(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_on_cpu(v) for v in value)
    return value
