"""Choosing where packs run: ``local`` (this process, the default) or ``ray`` (a Ray cluster).

    >>> with make_executor("ray", address="10.0.0.5:6379") as executor:
    ...     run_plan(experiment, "runs/demo", progress, executor)
    >>> with make_executor("local") as executor:   # None: the runner's in-process executor
    ...     run_plan(experiment, "runs/demo", progress, executor)

An executor object passed instead of a kind is used as it is (its caller closes it), so one
Ray session can serve several studies (a learning curve's sizes). Ray is an optional extra:
without it, ``ray`` is one clear error naming the extra.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from reglab.errors import ConfigError, invalid
from reglab.study.executors.base import Executor

__all__ = ["EXECUTOR_KINDS", "ExecutorKind", "make_executor"]

ExecutorKind = Literal["local", "ray"]
EXECUTOR_KINDS: tuple[str, ...] = ("local", "ray")
RAY_EXTRA = "pip install 'reglab[ray]'"


@contextmanager
def make_executor(
    kind: ExecutorKind | str | Executor = "local",
    address: str | None = None,
    *,
    workers: int | None = None,
    note: Callable[[str], None] | None = None,
) -> Iterator[Executor | None]:
    """The executor for ``kind`` (None for ``local``: the runner builds it on the study's
    device), stopped on exit. ``address`` and ``workers`` apply to ``ray`` only."""
    if not isinstance(kind, str):
        yield kind
        return
    if kind not in EXECUTOR_KINDS:
        raise invalid("executor", "reglab", "one of 'local' or 'ray'", kind)
    if kind == "local":
        if address is not None or workers is not None:
            raise ConfigError(
                "--address and --workers place packs on a Ray cluster; add --executor ray "
                f"(got --address {address!r}, --workers {workers!r} with --executor local)."
            )
        yield None
        return
    _require_ray()
    from reglab.study.executors.ray import RayExecutor

    with RayExecutor(address, workers, note=note) as executor:
        yield executor


def _require_ray() -> None:
    try:
        import ray  # noqa: F401
    except ImportError:
        raise ConfigError(
            f"--executor ray needs Ray, an optional extra of reglab: {RAY_EXTRA}"
        ) from None
