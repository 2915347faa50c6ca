"""What an experiment kind gives the runner: its identity, its arms, and its plan of packs.

An experiment kind (a study, a bias–variance run, ...) is a small module that turns its typed
spec into an :class:`Experiment`; :func:`reglab.study.runner.run_plan` trains the plan and
hands back the study directory and dataset, from which the kind builds its typed result::

    >>> ran = run_plan(StudyExperiment(spec), "runs/demo")
    >>> ran.store.run_records()
"""

from __future__ import annotations

from typing import Any, Protocol

import torch

from reglab.arms import Arm
from reglab.study.executors.base import PackSetup
from reglab.study.plan import PlannedPack

__all__ = ["Experiment"]


class Experiment(Protocol):
    """One experiment, ready to plan. ``arms`` are indexed by ``PlannedRun.arm_index``."""

    @property
    def kind(self) -> str: ...  # "study", "biasvar": written to the manifest
    @property
    def setup(self) -> PackSetup: ...
    @property
    def arms(self) -> tuple[Arm, ...]: ...
    @property
    def baseline(self) -> str: ...
    @property
    def seeds(self) -> tuple[int, ...]: ...
    @property
    def tables(self) -> bool: ...  # write runs.csv / epochs.csv at the end

    def spec_toml(self) -> str:
        """The resolved spec, written to DIR/spec.toml at the first start."""
        ...

    def identity(self) -> dict[str, Any]:
        """What must match DIR/spec.toml to resume (``spec_identity`` of its table)."""
        ...

    def plan(
        self, input_shape: tuple[int, ...], out_features: int, device: torch.device
    ) -> list[PlannedPack]:
        """The runs grouped into packs (called once; the plan is then fixed in plan.json)."""
        ...
