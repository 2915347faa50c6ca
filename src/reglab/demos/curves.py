"""Per-epoch curves of a finished study, averaged over each arm's seeds.

>>> epochs, val_loss = arm_curve(Path("runs/demos/early-stopping/study"), "none", "val_loss")
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reglab.store import StudyDir

__all__ = ["arm_curve", "run_curves"]


def run_curves(directory: Path, arm: str, field: str) -> np.ndarray:
    """``field`` per epoch for every run of ``arm``: [runs, epochs] (NaN after a run stopped)."""
    records = [r for r in StudyDir(directory).epoch_records() if r.arm == arm]
    runs = sorted({r.run_id for r in records})
    last = max((r.epoch for r in records), default=0)
    out = np.full((len(runs), last), np.nan)
    row = {run: i for i, run in enumerate(runs)}
    for r in records:
        out[row[r.run_id], r.epoch - 1] = getattr(r, field)
    return out


def arm_curve(directory: Path, arm: str, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Epochs 1..E and the mean of ``field`` over the runs of ``arm`` still training then."""
    curves = run_curves(directory, arm, field)  # [R, E]
    seen = np.isfinite(curves)
    count = seen.sum(0)
    total = np.where(seen, curves, 0.0).sum(0)
    mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return np.arange(1, curves.shape[1] + 1), mean
