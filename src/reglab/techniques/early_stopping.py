"""Early stopping as a small state machine: ``update(metric) -> Decision``; no trainer needed.

Semantics follow keras.callbacks.EarlyStopping: an epoch improves when the monitored metric
beats the best so far by more than ``min_delta``; after ``patience`` epochs without
improvement the run stops; epochs before ``start_from_epoch`` are not monitored. Unlike
Keras, a missing or non-finite metric is never silently ignored::

    >>> es = EarlyStopping(EarlyStoppingConfig(patience=1))
    >>> [es.update(x).stop for x in (0.5, 0.4, 0.45)]
    [False, False, True]
    >>> es.best_epoch, es.stop_epoch
    (1, 2)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reglab.config import EarlyStoppingConfig

__all__ = ["Decision", "EarlyStopping"]


@dataclass(frozen=True)
class Decision:
    """What one epoch's metric means: improved (snapshot the weights), stop, and why."""

    improved: bool
    stop: bool
    reason: str = ""


class EarlyStopping:
    """Tracks one run's monitored metric; epochs are counted from 0 in the order of updates."""

    def __init__(self, config: EarlyStoppingConfig) -> None:
        self.config = config
        self.epoch = -1
        self.best = math.inf
        self.best_epoch: int | None = None
        self.wait = 0
        self.stop_epoch: int | None = None

    @property
    def _sign(self) -> float:
        return -1.0 if self.config.monitor == "val_acc" else 1.0  # minimize sign * metric

    def update(self, metric: float) -> Decision:
        """Feed the metric of the next epoch; returns the decision for that epoch."""
        if self.stop_epoch is not None:
            raise RuntimeError("update() after the run stopped")  # internal misuse
        self.epoch += 1
        if not math.isfinite(metric):
            self.stop_epoch = self.epoch
            return Decision(False, True, f"{self.config.monitor} is {metric}")
        value = self._sign * metric
        if self.epoch < self.config.start_from_epoch:
            return Decision(False, False, "before start_from_epoch")
        if self.best_epoch is None or value < self.best - self.config.min_delta:
            self.best, self.best_epoch, self.wait = value, self.epoch, 0
            return Decision(True, False, "improved")
        self.wait += 1
        if self.wait >= self.config.patience:
            self.stop_epoch = self.epoch
            return Decision(False, True, f"no improvement for {self.wait} epochs")
        return Decision(False, False, f"no improvement for {self.wait} epochs")

    def state_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stop_epoch": self.stop_epoch,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.epoch, self.best = state["epoch"], state["best"]
        self.best_epoch, self.wait = state["best_epoch"], state["wait"]
        self.stop_epoch = state["stop_epoch"]
