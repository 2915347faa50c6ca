"""The engine: M runs trained as one batched network, epoch by epoch (DESIGN.md, "Packs").

A member's trajectory depends only on its own seed and techniques: initial weights, data
order and dropout masks come from per-member streams (reglab.seeding), every op is batched
over the leading member dimension, and nothing mixes members. ``PackTrainer`` holds a
``TrainerState`` (engine/state.py) and a ``Stepper`` (engine/step/, chosen by
``select_step``); it runs epochs, does the end-of-epoch bookkeeping (one host sync per
epoch: measurements, early stopping, divergence) and hands the state to engine/finish.py and
engine/checkpoint.py::

    >>> trainer = PackTrainer(data, ModelConfig(), OptimizerConfig(), TrainConfig(epochs=2),
    ...                       [Member(0, Regularization()), Member(0, parse_arm("dropout=0.5"))])
    >>> while not trainer.done:
    ...     trainer.train_epoch()
    >>> [r.test_acc for r in trainer.finish()]
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch

from reglab import seeding
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.data import Dataset
from reglab.engine import checkpoint
from reglab.engine.finish import finish
from reglab.engine.measure import measure
from reglab.engine.records import EpochRecord, RunResult
from reglab.engine.schedule import hyper_at
from reglab.engine.state import Member, TrainerState
from reglab.engine.step import GraphMode, StepPath, select_step
from reglab.models import PackedModel
from reglab.techniques import penalty

__all__ = ["STEPS_EVERY", "Member", "PackTrainer"]

STEPS_EVERY = 25  # steps between on_steps calls (progress within an epoch)


class PackTrainer:
    """Trains members that share layer shapes (and Batch Norm or not) as one network.

    ``path`` and ``graph`` pick the step (engine/step: ``select_step``); the defaults take
    the fastest that applies.
    """

    def __init__(
        self,
        data: Dataset,
        model: ModelConfig,
        optimizer: OptimizerConfig,
        train: TrainConfig,
        members: Sequence[Member],
        device: torch.device | str = "cpu",
        *,
        path: StepPath = "auto",
        graph: GraphMode = "auto",
    ) -> None:
        self.data, self.train = data, train
        self.state = TrainerState.build(
            data, model, optimizer, train, members, torch.device(device)
        )
        self.stepper = select_step(self.state, train, path, graph)

    # ---- read-only views of the state ---------------------------------------------------
    @property
    def members(self) -> list[Member]:
        return self.state.members

    @property
    def model(self) -> PackedModel:
        return self.state.model

    @property
    def device(self) -> torch.device:
        return self.state.device

    @property
    def epoch(self) -> int:
        return self.state.epoch

    @property
    def step(self) -> int:
        return self.state.step

    @property
    def records(self) -> list[list[EpochRecord]]:
        return self.state.records

    @property
    def best_epochs(self) -> list[int]:
        return self.state.best_epochs

    # ---- training -------------------------------------------------------------------
    @property
    def done(self) -> bool:
        s = self.state
        return s.epoch >= self.train.epochs or all(e is not None for e in s.ended)

    def train_epoch(
        self, on_steps: Callable[[int, int], None] | None = None
    ) -> list[EpochRecord | None]:
        """One epoch for every member; returns each member's record (None once it ended).

        ``on_steps(done, total)``, if given, is called every ``STEPS_EVERY`` steps with the
        epoch's steps so far (for progress bars); it reads no tensor, so it costs no host sync.
        """
        start = time.perf_counter()
        s = self.state
        if s.opt.set_hyper(hyper_at(s.opt.config, s.epoch, self.train.epochs)):
            self.stepper.retune()  # a schedule changed lr / momentum: re-record a CUDA graph
        batches = self.batches(s.epoch)
        acc = self.stepper.acc.zero_()  # the epoch's sum of loss * rows, per member [M]
        for i, idx in enumerate(batches):  # the next batch lets the CPU step work ahead
            self.train_batch(idx, batches[i + 1] if i + 1 < len(batches) else None)
            if on_steps is not None and (i + 1) % STEPS_EVERY == 0:
                on_steps(i + 1, len(batches))
        seconds = (time.perf_counter() - start) / len(self.members)
        return self._end_epoch(acc / sum(b.shape[1] for b in batches), seconds)

    def batches(self, epoch: int) -> list[torch.Tensor]:
        """The rows of each batch of ``epoch``, [M, b] each: every member its own order."""
        s = self.state
        n = s.rows.shape[1] if s.rows is not None else len(s.x)
        order = seeding.permutations(s.order_keys, epoch, n)  # [M, N]
        if s.rows is not None:
            order = s.rows.gather(1, order)
        size = self.train.batch_size
        return [order[:, first : first + size] for first in range(0, n, size)]

    def train_batch(self, idx: torch.Tensor, next_idx: torch.Tensor | None = None) -> None:
        """One training step on rows ``idx`` [M, b]; its loss * b goes into the stepper's acc.

        ``next_idx``, the next step's rows if known, lets the CPU step compute that step's
        first layer while this step's new weights are in cache (engine/step/chunked.py).
        """
        self.stepper.run(idx, self.state.step, next_idx)
        self.state.step += 1

    # ---- end of epoch: one host sync, early stopping, divergence ------------------------
    def _end_epoch(self, data_loss: torch.Tensor, seconds: float) -> list[EpochRecord | None]:
        s, chunk, task = self.state, self.train.eval_batch_size, self.data.task
        tr = measure(s.model, s.x_eval, s.y_eval, task, chunk)
        va = measure(s.model, s.x_val, s.y_val, task, chunk)
        pen = sum(penalty(w.detach(), s.coefs.l1, s.coefs.l2) for w in s.model.kernels())
        table = (
            torch.stack(
                [
                    data_loss,
                    torch.as_tensor(pen),
                    tr.loss,
                    tr.acc.to(s.device),
                    va.loss,
                    va.acc.to(s.device),
                ]
            )
            .cpu()
            .tolist()
        )  # the sync
        s.epoch += 1
        out: list[EpochRecord | None] = []
        improved: list[int] = []
        for i, row in enumerate(zip(*table, strict=True)):
            if s.ended[i] is not None:
                out.append(None)
                continue
            data, pen, tr_loss, tr_acc, va_loss, va_acc = row
            rec = EpochRecord(s.epoch, data, pen, tr_loss, tr_acc, va_loss, va_acc, seconds)
            s.records[i].append(rec)
            out.append(rec)
            self._judge(i, rec, improved)
        self._snapshot(improved)
        return out

    def _judge(self, i: int, rec: EpochRecord, improved: list[int]) -> None:
        s = self.state
        if not all(math.isfinite(v) for v in (rec.data_loss, rec.val_loss, rec.train_loss)):
            self._end(i, {"status": "diverged", "reason": "loss is not finite"})
            return
        if rec.val_loss < s.best_val[i][0]:
            s.best_val[i] = (rec.val_loss, s.epoch)
        stopper = s.stoppers[i]
        if stopper is None:
            return
        decision = stopper.update(
            rec.val_acc if stopper.config.monitor == "val_acc" else rec.val_loss
        )
        if decision.improved and stopper.config.restore_best:
            improved.append(i)
        if decision.stop:
            self._end(i, {"status": "ok", "reason": f"early stop: {decision.reason}"})

    def _end(self, i: int, info: dict[str, Any]) -> None:
        """A member stops: keep its final weights; a diverged one is zeroed (no NaN work)."""
        s = self.state
        s.ended[i] = {**info, "epoch": s.epoch}
        if info["status"] == "diverged":
            with torch.no_grad():
                for t in s.model.tensors():
                    t[i].zero_()
                for opt_state in s.opt.inner.state.values():
                    for v in opt_state.values():
                        if v.dim() > 0:
                            v[i].zero_()
            return
        s.final[i] = [t.clone() for t in s.kept_weights(i)]  # the best ones if it restores

    def _snapshot(self, improved: list[int]) -> None:
        """Copy the current weights of members that improved into the restore-best snapshot."""
        s = self.state
        if not improved:
            return
        current = [t.detach() for t in s.model.tensors()]
        if s.best is None:
            s.best = [t.clone() for t in current]
            return
        for best, cur in zip(s.best, current, strict=True):
            best[improved] = cur[improved]

    # ---- results and checkpoints ----------------------------------------------------------
    def finish(self, mc_samples: int = 0) -> list[RunResult]:
        """Test every member once, on its final (restored) weights (``mc_samples`` > 0: also
        with MC dropout, for members with dropout; engine/finish.py)."""
        return finish(self.state, self.data, self.train.eval_batch_size, mc_samples)

    def state_dict(self) -> dict[str, Any]:
        return checkpoint.state_dict(self.state)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        checkpoint.load_state_dict(self.state, state)
        self.stepper.reset()  # the optimizer's state tensors are new: record again
