"""The plan: runs (arm x seed) grouped into packs, sized by memory; fixed at a study's start.

Runs whose networks share layer shapes and Batch Norm-or-not can share a pack. With
``pack_by = "arm"`` each arm's seeds form their own pack(s); ``"structure"`` packs all
compatible runs together, fewer and larger packs (on a GPU a pack of 200 steps in about the
time of a pack of 100); ``"auto"`` (the default) is "structure" on CUDA, "arm" on the CPU,
where a larger pack gains little (docs/performance.md). Time per member step is the same for
every member of a pack, so each arm's time per run is reported either way::

    >>> packs = plan_study(StudySpec(seeds=(0, 1)), input_shape=(784,), out_features=10,
    ...                    device=torch.device("cpu"))
    >>> [[r.run_id for r in p.runs] for p in packs]
    [['a00-s0', 'a00-s1'], ['a01-s0', 'a01-s1']]

A planned run carries its typed :class:`~reglab.arms.Arm`; ``plan.json`` stores the arm's
name and index, and reading it back takes the arm from the experiment's (parsed) arms.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from reglab.arms import Arm
from reglab.config import ModelConfig, TrainConfig
from reglab.errors import StudyError
from reglab.study.budget import member_bytes
from reglab.study.spec import StudySpec

__all__ = [
    "PlannedPack",
    "PlannedRun",
    "chunk",
    "free_bytes",
    "members_that_fit",
    "pack_by",
    "plan_study",
]

CPU_PACK_CAP = 16  # larger CPU packs gain nothing: their gradients page-fault (docs/performance.md)


@dataclass(frozen=True)
class PlannedRun:
    """One run: its id, typed arm (and the arm's index in the experiment), seed, and whether
    it trains on a bootstrap resample of the training set."""

    run_id: str
    arm: Arm
    arm_index: int
    seed: int
    bootstrap: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = {"run_id": self.run_id, "arm": self.arm.name, "arm_index": self.arm_index}
        out["seed"] = self.seed
        return out | ({"bootstrap": True} if self.bootstrap else {})

    @staticmethod
    def from_dict(data: dict[str, Any], arms: Sequence[Arm]) -> PlannedRun:
        index = int(data["arm_index"])
        if not 0 <= index < len(arms) or arms[index].name != data["arm"]:
            raise StudyError(
                f"plan.json names arm {data['arm']!r} at index {index}, which this study does "
                "not have; delete plan.json (and packs/) to plan the study again."
            )
        seed, boot = int(data["seed"]), bool(data.get("bootstrap", False))
        return PlannedRun(str(data["run_id"]), arms[index], index, seed, boot)


@dataclass(frozen=True)
class PlannedPack:
    """Runs trained together as one network; ``index`` names its files (pack-K.*)."""

    index: int
    runs: tuple[PlannedRun, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "runs": [r.to_dict() for r in self.runs]}

    @staticmethod
    def from_dict(data: dict[str, Any], arms: Sequence[Arm]) -> PlannedPack:
        runs = tuple(PlannedRun.from_dict(r, arms) for r in data["runs"])
        return PlannedPack(int(data["index"]), runs)

    def halves(self, next_index: int) -> list[PlannedPack]:
        """Split in two (after an out-of-memory error), with fresh indices."""
        mid = len(self.runs) // 2
        return [
            PlannedPack(next_index, self.runs[:mid]),
            PlannedPack(next_index + 1, self.runs[mid:]),
        ]


def chunk(groups: Sequence[Sequence[PlannedRun]], size: int) -> list[PlannedPack]:
    """Cut each group of runs into packs of at most ``size``, numbered in order."""
    packs: list[PlannedPack] = []
    for runs in groups:
        for first in range(0, len(runs), size):
            packs.append(PlannedPack(len(packs), tuple(runs[first : first + size])))
    return packs


def plan_study(
    spec: StudySpec, input_shape: tuple[int, ...], out_features: int, device: torch.device
) -> list[PlannedPack]:
    """Group the study's runs into packs, in arm order then seed order."""
    groups: dict[Any, list[PlannedRun]] = {}
    by = pack_by(spec.train, device)
    for a, arm in enumerate(spec.typed_arms):
        key = (a,) if by == "arm" else (arm.reg.bn,)
        for seed in spec.seeds:
            groups.setdefault(key, []).append(PlannedRun(f"a{a:02d}-s{seed}", arm, a, seed))
    bn = any(arm.reg.bn for arm in spec.typed_arms)
    size = spec.train.pack_size or members_that_fit(
        spec.model, spec.train, input_shape, out_features, device, bn=bn
    )
    return chunk(list(groups.values()), size)


def pack_by(train: TrainConfig, device: torch.device) -> str:
    """How runs are grouped into packs on ``device``: "auto" resolved to "arm" or "structure".

    >>> pack_by(TrainConfig(), torch.device("cpu")), pack_by(TrainConfig(), torch.device("cuda"))
    ('arm', 'structure')
    """
    if train.pack_by != "auto":
        return train.pack_by
    return "structure" if device.type == "cuda" else "arm"


def members_that_fit(
    model: ModelConfig,
    train: TrainConfig,
    input_shape: tuple[int, ...],
    out_features: int,
    device: torch.device,
    bn: bool = False,
) -> int:
    """How many members a pack can hold in about half of the free memory (a CNN counted by
    its feature maps: models/size.py)."""
    per_member = member_bytes(model, train, input_shape, out_features, bn)
    fit = max(1, int(free_bytes(device) * 0.5) // per_member)
    return fit if device.type == "cuda" else min(fit, CPU_PACK_CAP)


def free_bytes(device: torch.device) -> int:
    """Free memory on ``device`` (CPU: available physical pages)."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 4 << 30
