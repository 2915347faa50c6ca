"""The planner: arms x seeds -> runs -> packs (grouped by structure, sized by memory).

Runs whose networks share layer shapes and Batch Norm-or-not can share a pack. With
``pack_by = "arm"`` (the default) each arm's seeds form their own pack(s), so every arm's
time per run is measured on its own; ``"structure"`` packs all compatible runs together::

    >>> packs = plan_study(StudySpec(seeds=(0, 1)), in_features=784, out_features=10,
    ...                    device=torch.device("cpu"))
    >>> [[r.run_id for r in p.runs] for p in packs]
    [['a00-s0', 'a00-s1'], ['a01-s0', 'a01-s1']]
"""

from __future__ import annotations

import itertools
import os
from dataclasses import asdict, dataclass
from typing import Any

import torch

from reglab.study.spec import StudySpec

__all__ = ["PlannedPack", "PlannedRun", "members_that_fit", "plan_study"]

CPU_PACK_CAP = 16  # larger CPU packs gain nothing: their gradients page-fault (docs/performance.md)


@dataclass(frozen=True)
class PlannedRun:
    run_id: str
    arm: str
    arm_index: int
    seed: int


@dataclass(frozen=True)
class PlannedPack:
    index: int
    runs: tuple[PlannedRun, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "runs": [asdict(r) for r in self.runs]}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> PlannedPack:
        return PlannedPack(int(data["index"]), tuple(PlannedRun(**r) for r in data["runs"]))

    def halves(self, next_index: int) -> list[PlannedPack]:
        """Split in two (after an out-of-memory error), with fresh indices."""
        mid = len(self.runs) // 2
        return [
            PlannedPack(next_index, self.runs[:mid]),
            PlannedPack(next_index + 1, self.runs[mid:]),
        ]


def plan_study(
    spec: StudySpec, in_features: int, out_features: int, device: torch.device
) -> list[PlannedPack]:
    """Group the study's runs into packs, in arm order then seed order."""
    groups: dict[Any, list[PlannedRun]] = {}
    for a, arm in enumerate(spec.all_arms):
        bn = spec.regularization(arm).bn
        key = (a,) if spec.train.pack_by == "arm" else (bn,)
        for seed in spec.seeds:
            groups.setdefault(key, []).append(PlannedRun(f"a{a:02d}-s{seed}", arm, a, seed))
    size = spec.train.pack_size or members_that_fit(spec, in_features, out_features, device)
    packs: list[PlannedPack] = []
    for runs in groups.values():
        for first in range(0, len(runs), size):
            packs.append(PlannedPack(len(packs), tuple(runs[first : first + size])))
    return packs


def members_that_fit(
    spec: StudySpec, in_features: int, out_features: int, device: torch.device
) -> int:
    """How many members a pack can hold in about half of the free memory."""
    widths = [in_features, *spec.model.hidden, out_features]
    params = sum(a * b + b for a, b in itertools.pairwise(widths))
    # parameter, gradient, two Adam moments, best snapshot, stopped copy, checkpoint copy
    state = params * 4 * 7
    units = sum(spec.model.hidden) + out_features
    activations = 4 * units * (spec.train.batch_size * 6 + spec.train.eval_batch_size * 2)
    per_member = state + activations
    free = _free_bytes(device)
    fit = max(1, int(free * 0.5) // per_member)
    return fit if device.type == "cuda" else min(fit, CPU_PACK_CAP)


def _free_bytes(device: torch.device) -> int:
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 4 << 30
