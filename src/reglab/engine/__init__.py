"""The engine: packs of runs trained as one batched network (DESIGN.md, "Packs").

Layout: trainer.py (PackTrainer: epochs, early stopping, divergence), state.py (TrainerState:
everything a pack holds, in one dataclass), step/ (the training step: the autograd reference
and the fast paths, chosen by ``select_step``), optim.py (the pack's optimizer with
penalties, decay and max-norm), schedule.py (lr and momentum per epoch), loss.py,
measure.py (evaluation-mode measurements), finish.py (the final test), checkpoint.py, records.py (EpochRecord, RunResult). The engine
trains any ``reglab.models.PackedModel`` and imports nothing below it in DESIGN.md's layers.
"""

from reglab.engine.device import default_threads, resolve_device, set_threads
from reglab.engine.records import HIST_EDGES, EpochRecord, RunResult
from reglab.engine.schedule import Hyper, hyper_at, schedule_table
from reglab.engine.state import Member, TrainerState, check_techniques
from reglab.engine.step import GraphMode, StepPath, select_step
from reglab.engine.trainer import PackTrainer

__all__ = [
    "HIST_EDGES",
    "EpochRecord",
    "GraphMode",
    "Hyper",
    "Member",
    "PackTrainer",
    "RunResult",
    "StepPath",
    "TrainerState",
    "check_techniques",
    "default_threads",
    "hyper_at",
    "resolve_device",
    "schedule_table",
    "select_step",
    "set_threads",
    "train_pack",
]


def train_pack(trainer: PackTrainer) -> list[RunResult]:
    """Train a pack to the end and return its results (a notebook convenience)."""
    while not trainer.done:
        trainer.train_epoch()
    return trainer.finish()
