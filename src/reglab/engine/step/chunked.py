"""The first layer's gradient and Adam update, chunk by chunk, for packs of 4+ on the CPU.

In a pack of M the first kernel is the big tensor (784 x 512 x M floats: 16 MB at M = 10),
and a plain step streams it through memory five times: the forward reads W, the backward
writes its gradient (16 MB), and Adam reads W, the gradient and both moments and writes W
and the moments back. With 32 MB of L3 shared by everything, most of that is DRAM traffic.
Here the hand-written backward (engine/step/backprop.py) leaves the first kernel's gradient out;
then, for each chunk of members (one member per thread, so each thread runs one whole GEMM),
the gradient goes into a small reused buffer and the fused Adam update of that chunk runs at
once, while it is in cache; and right after a chunk's update, with its new weights still in
cache, the *next* batch's first-layer pre-activation for that chunk is computed (the epoch
loop passes the next batch's rows). The next step starts from it.

Every kernel is the one the plain step runs, on the same numbers: parameters, Adam state and
losses are bit-identical to the plain step (tests/test_engine_chunked.py). Packs below
``CHUNKED_FROM`` members gain nothing (their gradient already stays in cache; measured).
Penalties, decay and max-norm act per member, so each chunk gets them with its update
(``PackOptimizer.update``); SGD and input dropout take the plain step. ``ChunkedStep.of``
says whether a pack qualifies; engine/step/__init__.py's ``select_step`` asks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from reglab.engine.step.backprop import Backprop, BackpropStep

if TYPE_CHECKING:
    from reglab.engine.state import TrainerState

__all__ = ["CHUNKED_FROM", "ChunkedStep"]

CHUNKED_FROM = 4  # members


class ChunkedStep:
    """``step(idx, step, next_idx)`` -> loss [M]; the plain hand-written step where the
    chunked one cannot run (Adam's first step, a step number on the device)."""

    @staticmethod
    def applies(state: TrainerState, backprop: Backprop | None) -> bool:
        """Whether the chunked step can run this pack (and gains anything)."""
        drop = state.drop
        return not (
            state.device.type != "cpu"
            or backprop is None
            or not state.opt.piecewise
            or state.model.members < CHUNKED_FROM
            or (drop is not None and drop.input is not None)  # next step's input mask: not here
        )

    def __init__(self, state: TrainerState, backprop: Backprop) -> None:
        self.state, self.backprop = state, backprop
        self.plain = BackpropStep(state, backprop)
        w = backprop.net.weights[0]
        m, self.d, h = w.shape
        self.chunk = max(1, min(torch.get_num_threads(), m))  # one member per thread
        self.grad = torch.empty(self.chunk, self.d, h)  # reused: stays in cache
        self.x_bufs: list[torch.Tensor | None] = [None, None]  # this batch, the next one
        self.z_bufs: list[torch.Tensor | None] = [None, None]
        self.ahead: tuple[torch.Tensor, int, torch.Tensor] | None = None  # (idx, step, z0)

    def _gather(self, idx: torch.Tensor, which: int) -> torch.Tensor:
        m, b = idx.shape
        buf = self.x_bufs[which]
        if buf is None or buf.shape[0] != m * b:
            buf = self.x_bufs[which] = torch.empty(m * b, self.d)
        return torch.index_select(self.state.x, 0, idx.reshape(-1), out=buf).view(m, b, self.d)

    def __call__(
        self, idx: torch.Tensor, step: int | torch.Tensor, next_idx: torch.Tensor | None = None
    ) -> torch.Tensor:
        loss = self._chunked(idx, step, next_idx) if isinstance(step, int) else None
        return loss if loss is not None else self.plain(idx, step, next_idx)

    @torch.no_grad()
    def _chunked(
        self, idx: torch.Tensor, step: int, next_idx: torch.Tensor | None
    ) -> torch.Tensor | None:
        """The chunked step, or None where the plain one must run."""
        opt, backprop = self.state.opt, self.backprop
        net = backprop.net
        if any(p not in opt.inner.state for p in opt.params):
            return None  # Adam's first step creates its state: the plain step does it
        m, b = idx.shape
        ahead, self.ahead = self.ahead, None
        z0 = None
        if ahead is not None and ahead[0] is idx and ahead[1] == step:
            xb, z0 = self.x_bufs[0][: m * b].view(m, b, self.d), ahead[2]  # type: ignore[index]
        else:
            xb = self._gather(idx, 0)
        yb = self.state.y.index_select(0, idx.reshape(-1)).view(m, b)
        loss = backprop(xb, yb, step, z0=z0, defer_first=True)
        assert backprop.first is not None
        x0, g0 = backprop.first
        w, b0 = net.weights[0], net.biases[0]
        rest = [p for p in opt.params if p is not w]
        # every other parameter first: b0 is part of the next batch's pre-activation below
        opt.update(rest, [p.grad for p in rest])  # type: ignore[misc]
        z = x_next = None
        if next_idx is not None and next_idx.shape == idx.shape:  # work ahead
            x_next = self._gather(next_idx, 1)
            z = self.z_bufs[step % 2]  # not the buffer this step's activations live in
            if z is None or z.shape != (m, b, w.shape[2]):
                z = self.z_bufs[step % 2] = torch.empty(m, b, w.shape[2])
        x_t = x0.transpose(1, 2)
        for first in range(0, m, self.chunk):
            rows = slice(first, min(first + self.chunk, m))
            g = self.grad[: rows.stop - first]
            torch.bmm(x_t[rows], g0[rows], out=g)
            opt.update([w], [g], rows=rows, count=first == 0)
            if z is not None and x_next is not None:  # w[rows] was just written: in cache
                torch.baddbmm(b0[rows], x_next[rows], w[rows], out=z[rows])
        if z is not None and next_idx is not None:
            self.ahead = (next_idx, step + 1, z)
            self.x_bufs.reverse()
        return loss
