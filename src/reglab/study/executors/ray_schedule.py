"""The driver's loop for one batch of pack jobs on Ray actors (used by ``RayExecutor.run``).

Each idle worker gets the next queued job as a streaming actor task; ``ray.wait`` takes
whichever stream has an item ready; the item becomes a progress event, a checkpoint file
(through the runner's :class:`JobEvents`: the driver is the only writer) or an outcome for
the runner. A worker lost mid-pack puts its job back at the head of the queue with the last
checkpoint received, to run on the restarted actor or any other::

    >>> schedule = Schedule(actors, status, jobs, events, Retry(3, 3), note)
    >>> for outcome in schedule.outcomes(): ...
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import ray

from reglab.errors import StudyError
from reglab.study.executors.base import JobEvents, PackJob, PackOutcome
from reglab.study.executors.ray_worker import Checkpoint, Epoch, Started

__all__ = ["Retry", "Schedule", "WorkerStatus"]


@dataclass(frozen=True)
class WorkerStatus:
    """One worker as the driver last heard of it: its process, its pack and epoch (or idle)."""

    worker: int
    pid: int | None
    pack: int | None = None
    epoch: int = 0


@dataclass(frozen=True)
class Retry:
    """How many times one pack may be resubmitted, and one worker lost (Ray restarts it)."""

    per_pack: int
    per_worker: int


@dataclass(frozen=True)
class _Running:
    worker: int
    job: PackJob


class Schedule:
    """Jobs queued, running (one per worker) and done; ``status`` is updated in place."""

    def __init__(
        self,
        actors: Sequence[Any],
        status: list[WorkerStatus],
        jobs: Sequence[PackJob],
        events: JobEvents,
        retry: Retry,
        note: Callable[[str], None],
    ) -> None:
        self.actors, self.status, self.events, self.retry = actors, status, events, retry
        self.note = note
        self.queue = deque(jobs)
        self.idle = deque(range(len(actors)))
        self.running: dict[Any, _Running] = {}  # stream (ObjectRefGenerator) -> its job
        self.rejoining: dict[Any, int] = {}  # a restarting worker's pid() call -> worker
        self.states: dict[int, dict[str, Any]] = {}  # pack -> last checkpoint received
        self.tries: dict[int, int] = {}
        self.lost: dict[int, int] = {}
        self.announced: set[int] = set()
        self.done, self.total, self.retried = 0, len(jobs), 0

    def outcomes(self) -> Iterator[PackOutcome]:
        """Each job's outcome as it finishes."""
        while self.queue or self.running:
            self._submit()
            ready, _ = ray.wait([*self.running, *self.rejoining], num_returns=1)
            for ref in ready:
                if ref in self.rejoining:
                    self._rejoin(ref)
                    continue
                outcome = self._take(ref)
                if outcome is not None:
                    yield outcome

    def cancel(self) -> None:
        """Stop jobs still running (the consumer gave up): their actors restart, idle."""
        for run in self.running.values():
            with contextlib.suppress(Exception):
                ray.kill(self.actors[run.worker], no_restart=False)
        self.running.clear()

    def _submit(self) -> None:
        while self.queue and self.idle:
            worker, job = self.idle.popleft(), self.queue.popleft()
            stream = self.actors[worker].train.options(num_returns="streaming").remote(job)
            self.running[stream] = _Running(worker, job)
            epoch = 0 if job.state is None else int(job.state["epoch"])
            self.status[worker] = replace(self.status[worker], pack=job.index, epoch=epoch)
        if self.queue and not self.running and not self.rejoining:
            raise StudyError(
                f"Every Ray worker was lost; {len(self.queue)} packs were not trained. The "
                "study directory keeps what finished: run the same command again to resume."
            )

    def _take(self, stream: Any) -> PackOutcome | None:
        """The stream's next item, handled; the outcome when it is the last."""
        run = self.running[stream]
        try:
            item = ray.get(next(stream))
        except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError):
            self._lost(stream, run)
            return None
        except ray.exceptions.RayTaskError as err:  # the job itself failed: not retried
            cause = err.cause
            raise (cause if isinstance(cause, BaseException) else err) from None
        except StopIteration:  # a stream ends with its outcome; an empty end is a lost one
            self._lost(stream, run)
            return None
        return self._handle(stream, run, item)

    def _handle(self, stream: Any, run: _Running, item: Any) -> PackOutcome | None:
        job, worker = run.job, run.worker
        if isinstance(item, Started):
            self.status[worker] = replace(self.status[worker], pid=item.pid)
            if job.index not in self.announced:
                self.announced.add(job.index)
                self.events.started(job)
            self._say()
        elif isinstance(item, Checkpoint):
            self.states[job.index] = item.state
            self.events.checkpoint(job, item.state)
        elif isinstance(item, Epoch):
            self.status[worker] = replace(self.status[worker], epoch=item.epoch)
            self.events.epoch(job, item.epoch, item.records)
        else:
            assert isinstance(item, PackOutcome), type(item)
            del self.running[stream]
            self.states.pop(job.index, None)  # a finished pack's checkpoint: no longer needed
            self.idle.append(worker)
            self.status[worker] = replace(self.status[worker], pack=None, epoch=0)
            self.done += 1
            self._say()
            return item
        return None

    def _lost(self, stream: Any, run: _Running) -> None:
        """The worker died mid-pack: resubmit the job from its last checkpoint."""
        del self.running[stream]
        job, worker, index = run.job, run.worker, run.job.index
        self.lost[worker] = self.lost.get(worker, 0) + 1
        if self.lost[worker] <= self.retry.per_worker:  # Ray restarts it: wait, then reuse
            call = self.actors[worker].pid.options(max_task_retries=-1).remote()
            self.rejoining[call] = worker
        self.tries[index] = self.tries.get(index, 0) + 1
        if self.tries[index] > self.retry.per_pack:
            raise StudyError(
                f"Pack {index} lost its Ray worker {self.tries[index]} times; giving up. Its "
                "last checkpoint is in the study directory: run the same command to resume."
            )
        state = self.states.get(index, job.state)
        self.queue.appendleft(PackJob(job.setup, job.pack, state))
        self.retried += 1
        pid = self.status[worker].pid
        self.status[worker] = WorkerStatus(worker, None)
        since = "from scratch" if state is None else f"from its epoch {state['epoch']} checkpoint"
        self.note(f"ray: worker {worker} (pid {pid}) lost during pack {index}: retrying {since}")

    def _rejoin(self, call: Any) -> None:
        """A restarted worker answered (idle again), or is gone for good (dropped)."""
        worker = self.rejoining.pop(call)
        try:
            pid = int(ray.get(call))
        except ray.exceptions.RayActorError:
            self.note(f"ray: worker {worker} is gone; {len(self.idle)} idle workers left")
            return
        self.status[worker] = WorkerStatus(worker, pid)
        self.idle.append(worker)

    def _say(self) -> None:
        busy = [s for s in self.status if s.pack is not None]
        where = "; ".join(f"w{s.worker}: pack {s.pack} epoch {s.epoch}" for s in busy)
        self.note(
            f"ray: {self.done}/{self.total} packs done, {len(self.running)} running"
            f"{f' ({where})' if where else ''}, {len(self.queue)} queued"
        )
