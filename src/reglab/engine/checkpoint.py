"""Checkpoints of a pack's ``TrainerState``: plain dicts of tensors and numbers, loadable with
``torch.load(..., weights_only=True)`` (never an arbitrary pickle)::

    >>> torch.save(state_dict(state), "pack.pt")
    >>> load_state_dict(fresh_state, torch.load("pack.pt", weights_only=True))
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from reglab.engine.records import EpochRecord
from reglab.engine.state import TrainerState

__all__ = ["load_state_dict", "state_dict"]


def state_dict(pack: TrainerState) -> dict[str, Any]:
    """Everything needed to continue the pack exactly where it is (between epochs)."""
    return {
        "epoch": pack.epoch,
        "step": pack.step,
        "tensors": [t.detach().cpu().clone() for t in pack.model.tensors()],
        "optimizer": pack.opt.inner.state_dict(),
        "stoppers": [s.state_dict() if s is not None else None for s in pack.stoppers],
        "records": [[dataclasses.astuple(r) for r in recs] for recs in pack.records],
        "best_val": [list(b) for b in pack.best_val],
        "ended": pack.ended,
        "best": [t.cpu() for t in pack.best] if pack.best is not None else None,
        "final": {str(i): [t.cpu() for t in ts] for i, ts in pack.final.items()},
    }


@torch.no_grad()
def load_state_dict(pack: TrainerState, state: dict[str, Any]) -> None:
    """Restore a state saved by :func:`state_dict` into a state built with the same plan
    (the caller resets anything recorded from the old tensors, e.g. a CUDA graph)."""
    dev = pack.device
    for t, saved in zip(pack.model.tensors(), state["tensors"], strict=True):
        t.copy_(saved.to(dev))
    pack.opt.inner.load_state_dict(state["optimizer"])
    for s, saved in zip(pack.stoppers, state["stoppers"], strict=True):
        if s is not None:
            s.load_state_dict(saved)
    pack.epoch, pack.step = state["epoch"], state["step"]
    pack.records = [[EpochRecord(*r) for r in recs] for recs in state["records"]]
    pack.best_val = [(float(v), int(e)) for v, e in state["best_val"]]
    pack.ended = list(state["ended"])
    pack.best = [t.to(dev) for t in state["best"]] if state["best"] is not None else None
    pack.final = {int(i): [t.to(dev) for t in ts] for i, ts in state["final"].items()}
