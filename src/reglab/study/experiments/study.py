"""The study experiment (``reglab compare`` / ``reglab run``): arms x seeds, paired.

>>> ran = run_plan(StudyExperiment(load_spec("examples/classic.toml")), "runs/classic")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from reglab.arms import Arm
from reglab.store import spec_identity
from reglab.study.executors.base import PackSetup
from reglab.study.plan import PlannedPack, plan_study
from reglab.study.spec import StudySpec

__all__ = ["StudyExperiment"]


@dataclass(frozen=True)
class StudyExperiment:
    """A :class:`StudySpec` as an experiment: its arms (sweeps typed), its plan."""

    spec: StudySpec
    kind: str = "study"
    tables: bool = True

    @property
    def setup(self) -> PackSetup:
        s = self.spec
        return PackSetup(s.data, s.model, s.optimizer, s.train, s.eval)

    @property
    def arms(self) -> tuple[Arm, ...]:
        return self.spec.typed_arms

    @property
    def baseline(self) -> str:
        return self.spec.baseline_arm

    @property
    def seeds(self) -> tuple[int, ...]:
        return self.spec.seeds

    def spec_toml(self) -> str:
        return self.spec.to_toml()

    def identity(self) -> dict[str, Any]:
        return spec_identity(self.spec.to_dict())

    def plan(
        self, input_shape: tuple[int, ...], out_features: int, device: torch.device
    ) -> list[PlannedPack]:
        return plan_study(self.spec, input_shape, out_features, device)
