"""Executors: where pack jobs run: in-process (local.py) or on a Ray cluster (ray.py, an
optional extra, imported only by :func:`make_executor`)."""

from reglab.study.executors.base import Executor, JobEvents, PackJob, PackOutcome, PackSetup
from reglab.study.executors.factory import EXECUTOR_KINDS, ExecutorKind, make_executor
from reglab.study.executors.local import LocalExecutor
from reglab.study.executors.train import train_job

__all__ = [
    "EXECUTOR_KINDS",
    "Executor",
    "ExecutorKind",
    "JobEvents",
    "LocalExecutor",
    "PackJob",
    "PackOutcome",
    "PackSetup",
    "make_executor",
    "train_job",
]
