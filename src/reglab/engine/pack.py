"""The engine: M runs trained as one batched network, epoch by epoch (DESIGN.md, "Packs").

A member's trajectory depends only on its own seed and techniques: initial weights, data
order and dropout masks come from per-member streams (reglab.seeding), every op is batched
over the leading member dimension, and nothing mixes members. The training step is
``PackTrainer._step``; the end-of-epoch bookkeeping (one host sync per epoch) is
``PackTrainer.train_epoch``::

    >>> trainer = PackTrainer(data, ModelConfig(), OptimizerConfig(), TrainConfig(epochs=2),
    ...                       [Member(0, Regularization()), Member(0, parse_arm("dropout=0.5"))])
    >>> while not trainer.done:
    ...     trainer.train_epoch()
    >>> [r.test_acc for r in trainer.finish()]
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from reglab import seeding
from reglab.config import ModelConfig, OptimizerConfig, Regularization, TrainConfig
from reglab.data import Dataset
from reglab.engine.backprop import Backprop
from reglab.engine.chunked import ChunkedFirstLayer
from reglab.engine.finish import finish
from reglab.engine.graph import StepGraph
from reglab.engine.measure import loss_per_member, measure
from reglab.engine.optim import Coefficients, PackOptimizer
from reglab.engine.records import EpochRecord, RunResult
from reglab.engine.state import load_state_dict, state_dict
from reglab.models import DropoutPlan, PackedMLP
from reglab.techniques import EarlyStopping, penalty

__all__ = ["Member", "PackTrainer"]


@dataclass(frozen=True)
class Member:
    """One run of a pack: its seed, its techniques, and whether it trains on a bootstrap."""

    seed: int
    reg: Regularization
    bootstrap: bool = False


class PackTrainer:
    """Trains members that share layer shapes (and Batch Norm or not) as one network."""

    def __init__(
        self,
        data: Dataset,
        model: ModelConfig,
        optimizer: OptimizerConfig,
        train: TrainConfig,
        members: Sequence[Member],
        device: torch.device | str = "cpu",
    ) -> None:
        if not members or len({m.reg.bn for m in members}) != 1:
            raise ValueError("a pack needs members that all use Batch Norm or all do not")
        self.data, self.train, self.members = data, train, list(members)
        self.device = torch.device(device)
        seeds = [m.seed for m in members]
        self.x, self.y = data.x_train.to(self.device), data.y_train.to(self.device)
        self.x_val, self.y_val = data.x_val.to(self.device), data.y_val.to(self.device)
        self.net = PackedMLP.create(
            model,
            data.in_features,
            data.out_features,
            seeds,
            bn=members[0].reg.bn,
            device=self.device,
        )
        self.coefs = Coefficients.of([m.reg for m in members], optimizer, self.device)
        self.opt = PackOptimizer(optimizer, self.net.parameters(), self.net.weights, self.coefs)
        self.order_keys = seeding.member_keys(seeds, "order", self.device)
        self.drop = DropoutPlan.of(
            self.coefs.input_dropout, self.coefs.dropout, seeds, len(model.hidden), self.device
        )
        self.backprop = Backprop.of(self.net, self.drop, data.task)  # None: autograd
        self.chunked = ChunkedFirstLayer.of(self)  # None: the plain step
        self.rows = self._bootstrap_rows(seeds)  # [M, N] training rows, or None: all of them
        gen = torch.Generator().manual_seed(0)  # the clean-train subset is the same for all
        subset = torch.randperm(len(self.x), generator=gen)[: train.train_eval_size]
        self.x_eval, self.y_eval = self.x[subset.to(self.device)], self.y[subset.to(self.device)]
        self.stoppers = [
            EarlyStopping(m.reg.early_stopping) if m.reg.early_stopping else None for m in members
        ]
        self.graph = (  # the whole step as one CUDA graph, replayed (engine/graph.py)
            StepGraph(
                self._step, self.net.parameters(), train.batch_size, self.device, capture=True
            )
            if self.device.type == "cuda" and train.cuda_graph
            else None
        )
        self.epoch, self.step = 0, 0
        self.records: list[list[EpochRecord]] = [[] for _ in members]
        self.best_val = [(math.inf, 0)] * len(members)  # (val_loss, epoch) for every member
        self.ended: list[dict[str, Any] | None] = [None] * len(members)
        self.best: list[torch.Tensor] | None = None  # snapshot for restore-best members
        self.final: dict[int, list[torch.Tensor]] = {}  # weights of members that stopped

    # ---- training -------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.epoch >= self.train.epochs or all(e is not None for e in self.ended)

    def train_epoch(self) -> list[EpochRecord | None]:
        """One epoch for every member; returns each member's record (None once it ended)."""
        start = time.perf_counter()
        batches = self.batches(self.epoch)
        m = len(self.members)  # acc: the epoch's sum of loss * rows, per member
        acc = self.graph.acc.zero_() if self.graph else torch.zeros(m, device=self.device)
        for i, idx in enumerate(batches):  # the next batch lets the CPU step work ahead
            self.train_batch(idx, acc, batches[i + 1] if i + 1 < len(batches) else None)
        seconds = (time.perf_counter() - start) / len(self.members)
        return self._end_epoch(acc / sum(b.shape[1] for b in batches), seconds)

    def batches(self, epoch: int) -> list[torch.Tensor]:
        """The rows of each batch of ``epoch``, [M, b] each: every member its own order."""
        n = self.rows.shape[1] if self.rows is not None else len(self.x)
        order = seeding.permutations(self.order_keys, epoch, n)  # [M, N]
        if self.rows is not None:
            order = self.rows.gather(1, order)
        size = self.train.batch_size
        return [order[:, first : first + size] for first in range(0, n, size)]

    def train_batch(
        self,
        idx: torch.Tensor,
        acc: torch.Tensor | None = None,
        next_idx: torch.Tensor | None = None,
    ) -> None:
        """One training step on rows ``idx`` [M, b]; adds loss * b to ``acc`` [M] if given.

        On a GPU the step is a replayed CUDA graph, which always adds into ``graph.acc``.
        ``next_idx``, the next step's rows if known, lets the CPU step compute that step's
        first layer while this step's new weights are in cache (engine/chunked.py).
        """
        if self.graph is not None:
            self.graph.run(idx, self.step)
        elif acc is not None:
            acc.add_(self._step(idx, self.step, next_idx), alpha=idx.shape[1])
        else:
            self._step(idx, self.step, next_idx)
        self.step += 1

    def _step(
        self, idx: torch.Tensor, step: int | torch.Tensor, next_idx: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Forward, backward and update for one batch of each member; returns data loss [M].

        ``step`` numbers the dropout masks: a Python int, or a device tensor in a CUDA graph.
        """
        if self.chunked is not None and isinstance(step, int):  # CPU packs of 4+ (chunked.py)
            loss = self.chunked(idx, step, next_idx)
            if loss is not None:
                return loss
        xb, yb = self.x[idx], self.y[idx]  # [M, b, D], [M, b]
        if self.backprop is not None:  # forward and backward written out (engine/backprop.py)
            loss = self.backprop(xb, yb, step)
        else:
            out = self.net.forward(xb, training=True, drop=self.drop, step=step)  # [M, b, C]
            loss = loss_per_member(out, yb, self.data.task)  # [M]
            self.opt.zero_grad()
            loss.sum().backward()  # members share no parameters: each gets its own gradient
        self.opt.step()
        return loss.detach()

    # ---- end of epoch: one host sync, early stopping, divergence ------------------------
    def _end_epoch(self, data_loss: torch.Tensor, seconds: float) -> list[EpochRecord | None]:
        chunk = self.train.eval_batch_size
        tr = measure(self.net, self.x_eval, self.y_eval, self.data.task, chunk)
        va = measure(
            self.net,
            self.x_val,
            self.y_val,
            self.data.task,
            chunk,
        )
        pen = sum(penalty(w.detach(), self.coefs.l1, self.coefs.l2) for w in self.net.weights)
        table = (
            torch.stack(
                [
                    data_loss,
                    torch.as_tensor(pen),
                    tr.loss,
                    tr.acc.to(self.device),
                    va.loss,
                    va.acc.to(self.device),
                ]
            )
            .cpu()
            .tolist()
        )  # the sync
        self.epoch += 1
        out: list[EpochRecord | None] = []
        improved: list[int] = []
        for i, row in enumerate(zip(*table, strict=True)):
            if self.ended[i] is not None:
                out.append(None)
                continue
            data, pen, tr_loss, tr_acc, va_loss, va_acc = row
            rec = EpochRecord(self.epoch, data, pen, tr_loss, tr_acc, va_loss, va_acc, seconds)
            self.records[i].append(rec)
            out.append(rec)
            self._judge(i, rec, improved)
        self._snapshot(improved)
        return out

    def _judge(self, i: int, rec: EpochRecord, improved: list[int]) -> None:
        if not all(math.isfinite(v) for v in (rec.data_loss, rec.val_loss, rec.train_loss)):
            self._end(i, {"status": "diverged", "reason": "loss is not finite"})
            return
        if rec.val_loss < self.best_val[i][0]:
            self.best_val[i] = (rec.val_loss, self.epoch)
        stopper = self.stoppers[i]
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
        self.ended[i] = {**info, "epoch": self.epoch}
        stopper = self.stoppers[i]
        if info["status"] == "diverged":
            with torch.no_grad():
                for t in self.net.tensors():
                    t[i].zero_()
                for state in self.opt.inner.state.values():
                    for v in state.values():
                        if v.dim() > 0:
                            v[i].zero_()
            return
        restore = stopper is not None and stopper.config.restore_best and self.best is not None
        source = self.best if restore else [t.detach() for t in self.net.tensors()]
        self.final[i] = [t[i].clone() for t in source]  # type: ignore[union-attr]

    def _snapshot(self, improved: list[int]) -> None:
        """Copy the current weights of members that improved into the restore-best snapshot."""
        if not improved:
            return
        current = [t.detach() for t in self.net.tensors()]
        if self.best is None:
            self.best = [t.clone() for t in current]
            return
        for best, cur in zip(self.best, current, strict=True):
            best[improved] = cur[improved]

    @property
    def best_epochs(self) -> list[int]:
        """Best epoch per member: the early-stopping one, else the lowest val_loss epoch."""
        return [
            (s.best_epoch + 1 if s is not None and s.best_epoch is not None else bv[1])
            for s, bv in zip(self.stoppers, self.best_val, strict=True)
        ]

    # ---- randomness ---------------------------------------------------------------------
    def _bootstrap_rows(self, seeds: list[int]) -> torch.Tensor | None:
        if not any(m.bootstrap for m in self.members):
            return None
        n = len(self.x)
        keys = seeding.member_keys(seeds, "bootstrap", self.device)
        rows = seeding.random_bits(keys, 0, n) % n  # [M, N] drawn with replacement
        plain = torch.arange(n, device=self.device).expand(len(seeds), n)
        flags = torch.tensor([m.bootstrap for m in self.members], device=self.device)
        return torch.where(flags[:, None], rows, plain)

    # ---- results and checkpoints ----------------------------------------------------------
    def finish(self) -> list[RunResult]:
        """Test every member once, on its final (restored) weights."""
        return finish(self)

    def state_dict(self) -> dict[str, Any]:
        return state_dict(self)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_state_dict(self, state)
