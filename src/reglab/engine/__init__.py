"""The engine: packs of runs trained as one batched network (DESIGN.md, "Packs")."""

from reglab.engine.device import resolve_device
from reglab.engine.pack import Member, PackTrainer
from reglab.engine.records import HIST_EDGES, EpochRecord, RunResult

__all__ = [
    "HIST_EDGES",
    "EpochRecord",
    "Member",
    "PackTrainer",
    "RunResult",
    "resolve_device",
    "train_pack",
]


def train_pack(trainer: PackTrainer) -> list[RunResult]:
    """Train a pack to the end and return its results (a notebook convenience)."""
    while not trainer.done:
        trainer.train_epoch()
    return trainer.finish()
