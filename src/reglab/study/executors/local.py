"""The in-process executor: packs one after another on this process's device.

    >>> executor = LocalExecutor(data, torch.device("cuda"))
    >>> outcomes = list(executor.run(jobs, events))

An out-of-memory error becomes an outcome with ``out_of_memory=True`` (after freeing the
failed pack's memory); the runner then halves the pack and submits the halves.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence

import torch

from reglab.data import Dataset
from reglab.study.executors.base import JobEvents, PackJob, PackOutcome
from reglab.study.executors.train import train_job

__all__ = ["LocalExecutor"]


class LocalExecutor:
    """Trains each job here, in order, on ``device`` with ``data`` (already on the device)."""

    def __init__(self, data: Dataset, device: torch.device) -> None:
        self.data, self.device = data, device

    def run(self, jobs: Sequence[PackJob], events: JobEvents) -> Iterator[PackOutcome]:
        for job in jobs:
            try:
                result = train_job(job, self.data, self.device, events)
            except torch.OutOfMemoryError:
                result = PackOutcome(job.index, out_of_memory=True)
            if result.out_of_memory:
                gc.collect()  # the failed pack's tensors, before the cache is emptied
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
            yield result
