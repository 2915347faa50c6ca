"""The unit of work and the executor interface: a picklable pack job in, compact results out.

The runner (the driver, the only writer of the study directory) hands an :class:`Executor`
a batch of :class:`PackJob` objects and receives one :class:`PackOutcome` per job, in any
order, as they finish. A job holds only configs, its planned runs and (when resuming) the
pack's last checkpoint, so it can travel to another process or machine; an outcome holds
typed records and numpy arrays. The executor reports epochs and checkpoints back through
:class:`JobEvents`, which the driver turns into progress and checkpoint files::

    >>> for outcome in LocalExecutor(data, device).run(jobs, events):
    ...     store.write_pack(outcome.index, outcome.runs, outcome.epochs, outcome.arrays)

In-process execution is ``executors/local.py``; an executor for a cluster implements the same
two types and the :class:`Executor` protocol, and trains each job with
:func:`reglab.study.executors.train.train_job`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from reglab.config import DataConfig, EvalConfig, ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import EpochRecord as EngineEpoch
from reglab.store.records import EpochRecord, RunRecord
from reglab.study.plan import PlannedPack

__all__ = ["Executor", "JobEvents", "PackJob", "PackOutcome", "PackSetup"]


@dataclass(frozen=True)
class PackSetup:
    """What every pack of an experiment shares: data, model, optimizer and schedule."""

    data: DataConfig
    model: ModelConfig
    optimizer: OptimizerConfig
    train: TrainConfig
    evaluation: EvalConfig = field(
        default_factory=EvalConfig
    )  # the final test's extras (MC dropout)


@dataclass(frozen=True, eq=False)
class PackJob:
    """One pack to train: the shared setup, the planned pack, and the state to resume from
    (the pack's last checkpoint, a ``PackTrainer.state_dict()``), or None to start fresh."""

    setup: PackSetup
    pack: PlannedPack
    state: Mapping[str, Any] | None = None

    @property
    def index(self) -> int:
        return self.pack.index


@dataclass(frozen=True, eq=False)
class PackOutcome:
    """A finished pack (records per run, arrays per run id: ``pred/<id>`` [N_test],
    ``hist/<id>`` [bins], for classification ``proba/<id>`` [N_test, C] and, with MC
    dropout, ``proba_mc/<id>``), or one that ran out of memory (``out_of_memory``)."""

    index: int
    runs: tuple[RunRecord, ...] = ()
    epochs: tuple[EpochRecord, ...] = ()
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0
    out_of_memory: bool = False


class JobEvents(Protocol):
    """The driver's side of a running job: progress and checkpoints (called in order).

    ``steps`` reports training steps within the current epoch (``done`` of ``total``)."""

    def started(self, job: PackJob) -> None: ...
    def steps(self, job: PackJob, done: int, total: int) -> None: ...
    def epoch(self, job: PackJob, epoch: int, records: list[EngineEpoch | None]) -> None: ...
    def checkpoint(self, job: PackJob, state: dict[str, Any]) -> None: ...


class Executor(Protocol):
    """Runs pack jobs; yields each one's outcome as it finishes (any order)."""

    def run(self, jobs: Sequence[PackJob], events: JobEvents) -> Iterator[PackOutcome]: ...
