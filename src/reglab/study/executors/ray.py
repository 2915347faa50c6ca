"""Packs on a Ray cluster: one actor per worker, each pack job trained there by ``train_job``.

    >>> with RayExecutor(address=None, workers=2) as executor:   # a local Ray, loopback only
    ...     ran = run_plan(StudyExperiment(spec), "runs/demo", progress, executor)

Design (DESIGN.md decision 8: an established engine, the driver the only writer):

- One actor per worker: ``num_gpus=1`` each when the cluster has GPUs and the study's device is
  not ``cpu``, else ``num_cpus=cpus`` CPU actors (torch uses that many threads). An actor loads
  the dataset once, from its own node's cache (``reglab data fetch NAME`` on every node), and
  keeps it on its device for every pack it trains; only configs and plans travel to it.
- A pack job is a streaming actor task: ``train_job`` runs in the actor and every event it
  reports (started with the actor's pid, each epoch's records, each epoch's checkpoint as CPU
  tensors) comes back through Ray's object store, then the finished :class:`PackOutcome`
  (typed records and compact numpy arrays). The driver turns the events into progress and
  checkpoint files: it alone writes the study directory, so atomic writes and resume hold.
- Outcomes are yielded as they finish (``ray.wait`` over the running jobs).
- A worker lost mid-pack (its process killed, its node gone) is restarted by Ray (actor
  restarts) and the driver resubmits the pack from the last checkpoint it received, so the
  pack ends as an uninterrupted one would. A lost driver is a local study's lost process:
  its actors die with it, and running the same command again resumes from the directory.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any

import ray
import ray._private.ray_constants as ray_constants

from reglab.errors import ConfigError, invalid
from reglab.study.executors.base import JobEvents, PackJob, PackOutcome
from reglab.study.executors.ray_schedule import Retry, Schedule, WorkerStatus
from reglab.study.executors.ray_worker import Worker

__all__ = ["RayExecutor", "WorkerStatus", "start_local_ray"]

_OWNER = "the Ray executor"
_CONNECT_TIMEOUT_S = 5.0


class RayExecutor:
    """Runs pack jobs on Ray actors; use as a context manager (it stops what it started).

    ``address``: a running cluster's head (``host:port``, ``ray://host:port`` or ``auto``),
    or None to start a local Ray on this machine (loopback only, no dashboard, a small object
    store). ``workers``: how many actors (default: one per GPU, else one per ``cpus`` CPUs of
    the cluster). ``note`` receives one status line when a pack starts or ends.
    """

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        *,
        cpus: int = 1,
        max_retries: int = 3,
        object_store_mb: int = 256,
        note: Callable[[str], None] | None = None,
    ) -> None:
        if workers is not None and (isinstance(workers, bool) or workers < 1):
            raise invalid("workers", _OWNER, "an int >= 1 or None", workers)
        if cpus < 1:
            raise invalid("cpus", _OWNER, "an int >= 1", cpus)
        self.workers, self.cpus, self.max_retries = workers, cpus, max_retries
        self.note = note or (lambda text: None)
        self.actors: list[Any] = []
        self.status: list[WorkerStatus] = []
        self.retries = 0  # packs resubmitted after a lost worker, over this executor's life
        if address is not None:
            _probe(address)  # even when this process already has a Ray session
        self.owns_ray = not ray.is_initialized()  # else: use the session this process has
        if self.owns_ray:
            _connect(address, workers, cpus, object_store_mb)

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the actors, and the local Ray (or the connection) this executor started."""
        for actor in self.actors:
            with contextlib.suppress(Exception):
                ray.kill(actor)
        self.actors, self.status = [], []
        if self.owns_ray and ray.is_initialized():
            ray.shutdown()

    def worker_status(self) -> list[WorkerStatus]:
        """Each worker's pid and current pack: for progress, and for tests that kill one."""
        return list(self.status)

    def run(self, jobs: Sequence[PackJob], events: JobEvents) -> Iterator[PackOutcome]:
        if not jobs:
            return
        if not self.actors:
            self._start_actors(jobs[0].setup.train.device)
        retry = Retry(per_pack=self.max_retries, per_worker=self.max_retries)
        schedule = Schedule(self.actors, self.status, jobs, events, retry, self.note)
        try:
            yield from schedule.outcomes()
        finally:
            schedule.cancel()
            self.retries += schedule.retried

    def _start_actors(self, device: str) -> None:
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0)) if device != "cpu" else 0
        count = self.workers or (gpus or max(1, int(resources.get("CPU", 1)) // self.cpus))
        cpus = int(resources.get("CPU", 0))
        if gpus and count > gpus:  # an actor per GPU: more would wait for a GPU forever
            raise invalid("workers", _OWNER, f"at most the cluster's {gpus} GPUs", count)
        if not gpus and count * self.cpus > cpus:  # the same for CPUs
            need = f"at most the cluster's {cpus} CPUs / {self.cpus} per worker"
            raise invalid("workers", _OWNER, need, count)
        options: dict[str, Any] = {"max_restarts": self.max_retries, "max_task_retries": 0}
        if gpus:
            options |= {"num_gpus": 1, "num_cpus": 1}
        else:
            options |= {"num_cpus": self.cpus}
        actor = ray.remote(Worker).options(**options)
        self.actors = [actor.remote(self.cpus) for _ in range(count)]
        pids = ray.get([a.pid.remote() for a in self.actors])
        self.status = [WorkerStatus(i, pid) for i, pid in enumerate(pids)]
        kind = "GPU" if gpus else f"CPU ({self.cpus} thread{'s' * (self.cpus > 1)})"
        self.note(f"ray: {count} {kind} workers ready")


def start_local_ray(cpus: int, object_store_mb: int = 256) -> None:
    """A Ray on this machine alone: loopback addresses, no dashboard, a small object store."""
    # Ray binds a one-node cluster to the public IP unless clusters are off: keep it local
    # (the flag is read while the node starts; a later ray.init(address=...) sees it as it was).
    clusters, ray_constants.ENABLE_RAY_CLUSTER = ray_constants.ENABLE_RAY_CLUSTER, False
    try:
        ray.init(
            num_cpus=cpus,
            include_dashboard=False,
            object_store_memory=object_store_mb * 1024 * 1024,
            configure_logging=False,
            log_to_driver=False,
        )
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = clusters


def _connect(address: str | None, workers: int | None, cpus: int, object_store_mb: int) -> None:
    """Start a local Ray, or join the cluster at ``address`` (bounded wait)."""
    if address is None:
        start_local_ray(max(os.cpu_count() or 1, (workers or 1) * cpus), object_store_mb)
        return
    try:
        ray.init(address=address, configure_logging=False, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as err:
        why = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise _unreachable(address, why) from None


def _probe(address: str) -> None:
    """Fail in seconds, not minutes, when nothing listens at ``host:port``."""
    if address == "auto":
        return  # Ray reads the local cluster's address file and fails fast without one
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise invalid(
            "address", _OWNER, "host:port of a Ray head, ray://host:port or auto", address
        )
    try:
        with socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT_S):
            pass
    except OSError as err:
        raise _unreachable(address, err.strerror or type(err).__name__) from None


def _unreachable(address: str, why: str) -> ConfigError:
    return ConfigError(
        f"The 'address' parameter of {_OWNER} must be the address of a running Ray cluster "
        f"(start one with `ray start --head`). Got {address!r} instead: {why}."
    )
