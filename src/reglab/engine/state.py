"""Checkpoint state of a pack: plain dicts of tensors and numbers, loadable with
``torch.load(..., weights_only=True)`` (never an arbitrary pickle)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import torch

from reglab.engine.records import EpochRecord

if TYPE_CHECKING:
    from reglab.engine.pack import PackTrainer

__all__ = ["load_state_dict", "state_dict"]


def state_dict(trainer: PackTrainer) -> dict[str, Any]:
    """Everything needed to continue the pack exactly where it is (between epochs)."""
    return {
        "epoch": trainer.epoch,
        "step": trainer.step,
        "tensors": [t.detach().cpu().clone() for t in trainer.net.tensors()],
        "optimizer": trainer.opt.inner.state_dict(),
        "stoppers": [s.state_dict() if s is not None else None for s in trainer.stoppers],
        "records": [[dataclasses.astuple(r) for r in recs] for recs in trainer.records],
        "best_val": [list(b) for b in trainer.best_val],
        "ended": trainer.ended,
        "best": [t.cpu() for t in trainer.best] if trainer.best is not None else None,
        "final": {str(i): [t.cpu() for t in ts] for i, ts in trainer.final.items()},
    }


@torch.no_grad()
def load_state_dict(trainer: PackTrainer, state: dict[str, Any]) -> None:
    """Restore a state saved by :func:`state_dict` into a trainer built with the same plan."""
    dev = trainer.device
    for t, saved in zip(trainer.net.tensors(), state["tensors"], strict=True):
        t.copy_(saved.to(dev))
    trainer.opt.inner.load_state_dict(state["optimizer"])
    for s, saved in zip(trainer.stoppers, state["stoppers"], strict=True):
        if s is not None:
            s.load_state_dict(saved)
    trainer.epoch, trainer.step = state["epoch"], state["step"]
    trainer.records = [[EpochRecord(*r) for r in recs] for recs in state["records"]]
    trainer.best_val = [(float(v), int(e)) for v, e in state["best_val"]]
    trainer.ended = list(state["ended"])
    trainer.best = [t.to(dev) for t in state["best"]] if state["best"] is not None else None
    trainer.final = {int(i): [t.to(dev) for t in ts] for i, ts in state["final"].items()}
    if trainer.graph is not None:  # the optimizer's state tensors are new: record again
        trainer.graph.reset()
