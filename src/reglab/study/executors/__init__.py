"""Executors: where pack jobs run (in-process now; a cluster executor slots in beside it)."""

from reglab.study.executors.base import Executor, JobEvents, PackJob, PackOutcome, PackSetup
from reglab.study.executors.local import LocalExecutor
from reglab.study.executors.train import train_job

__all__ = [
    "Executor",
    "JobEvents",
    "LocalExecutor",
    "PackJob",
    "PackOutcome",
    "PackSetup",
    "train_job",
]
