"""The options every training command shares for where its packs run: ``--executor``,
``--address``, ``--workers`` (one definition, used by compare, run, biasvar, learning-curve).

    reglab compare --dataset digits --executor ray              # a local Ray on this machine
    reglab run spec.toml --executor ray --address 10.0.0.5:6379  # a running Ray cluster
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import typer

from reglab.errors import invalid

if TYPE_CHECKING:  # the study package imports torch: not at `reglab --help`
    from reglab.study.executors.factory import ExecutorKind

__all__ = ["ADDRESS", "EXECUTOR", "WORKERS", "executor_kind"]

EXECUTOR = typer.Option(
    "local",
    "--executor",
    help="Where packs train: local (this process) or ray (a Ray cluster; needs "
    "pip install 'reglab\\[ray]'). The study directory is written here either way.",
)
ADDRESS = typer.Option(
    None,
    "--address",
    help="With --executor ray: the Ray head to join (host:port, ray://host:port or auto). "
    "Default: start a local Ray on this machine (loopback only).",
)
WORKERS = typer.Option(
    None,
    "--workers",
    help="With --executor ray: Ray actors to train on (default: one per GPU, else one per CPU).",
)


def executor_kind(text: str) -> ExecutorKind:
    """The --executor value, checked (local or ray)."""
    if text in ("local", "ray"):
        return cast("ExecutorKind", text)
    raise invalid("--executor", "reglab", "one of 'local' or 'ray'", text)
