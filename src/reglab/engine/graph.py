"""The training step as one replayed CUDA graph (DESIGN.md, "Packs": no per-step host work).

A pack's step is a few dozen small kernels; on a GPU, launching them from Python costs more
than running them. ``StepGraph`` records the whole step once — gather of the batch, forward,
loss, backward, penalties, decay, the fused optimizer step, max-norm, the loss accumulator
and the step counter — and then replays it with one call per batch. Everything that changes
between steps lives in static device tensors the graph reads: the batch's row indices
(copied in before each replay) and the step number (the dropout hash's counter, advanced by
the graph itself). The masks are a pure function of (seed, purpose, step), so a replayed
step draws exactly the masks the eager step would.

Capture follows ``torch.cuda.graphs``' whole-network recipe: a few eager warm-up steps on a
side stream (they are real training steps), gradients set to None, then capture. Anything
that fails during capture falls back to eager steps for the rest of the pack, with a warning;
an out-of-memory error is re-raised so the study can halve the pack.

Off the GPU the same object runs the recorded body directly (``capture=False``), so the
tests check on the CPU that the static-buffer step equals the eager one bit for bit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch

__all__ = ["WARMUP_STEPS", "StepGraph"]

WARMUP_STEPS = 3  # eager steps before capture (the recipe in torch.cuda.graphs' docs)

Body = Callable[[torch.Tensor, int | torch.Tensor], torch.Tensor]  # (idx, step) -> loss [M]


class StepGraph:
    """The steps of one pack, full batches recorded once and replayed.

    ``body(idx, step)`` is the eager step (it returns each member's data loss [M]); ``run``
    adds ``loss * rows`` to ``acc`` [M]. Batches of other than ``batch`` rows (an epoch's
    ragged last one) and the warm-up steps go through ``body`` eagerly.
    """

    def __init__(
        self,
        body: Body,
        params: list[torch.Tensor],
        batch: int,
        device: torch.device,
        *,
        capture: bool,
    ) -> None:
        self.body, self.params, self.batch, self.capture = body, params, batch, capture
        members = params[0].shape[0]
        self.idx = torch.zeros(members, batch, dtype=torch.int64, device=device)
        self.step = torch.zeros((), dtype=torch.int64, device=device)
        self.acc = torch.zeros(members, device=device)
        self.graph: torch.cuda.CUDAGraph | None = None
        self.failed: str | None = None  # why capture failed, once it has
        self._held: list[torch.Tensor | None] = []  # the graph's gradients, kept alive
        self._warm = 0
        self._next: int | None = None  # the step the device counter holds, when known

    def reset(self) -> None:
        """Forget the recording (the trainer's tensors were replaced, e.g. on resume)."""
        self.graph, self._held, self._warm, self._next = None, [], 0, None

    def run(self, idx: torch.Tensor, step: int) -> None:
        """Train on ``idx`` [M, b] at training step ``step``; add the loss into ``acc``."""
        if idx.shape[1] != self.batch or self.failed is not None or self._warm < WARMUP_STEPS:
            self._eager(idx, step)
            return
        if self.graph is None and self.capture:
            self._record()
            if self.graph is None:
                self._eager(idx, step)
                return
        self.idx.copy_(idx)
        if self._next != step:  # after an eager step: set the device counter
            self.step.fill_(step)
        if self.graph is not None:
            self.graph.replay()
        else:
            self._recorded()
        self._next = step + 1

    def _eager(self, idx: torch.Tensor, step: int) -> None:
        self._next, self._warm = None, self._warm + 1
        if not (self.capture and self.graph is None and self.failed is None):
            self.acc.add_(self.body(idx, step), alpha=idx.shape[1])
            return
        stream = torch.cuda.Stream()  # warm-up before capture runs on a side stream
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            self.acc.add_(self.body(idx, step), alpha=idx.shape[1])
        torch.cuda.current_stream().wait_stream(stream)

    def _recorded(self) -> None:
        """What the graph holds: one step on the static buffers, then the counter advanced."""
        self.acc.add_(self.body(self.idx, self.step), alpha=self.batch)
        self.step.add_(1)

    def _record(self) -> None:
        torch.cuda.synchronize()
        for p in self.params:  # gradients are allocated inside the graph's memory pool
            p.grad = None
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                self._recorded()
        except torch.OutOfMemoryError:
            raise
        except RuntimeError as exc:  # an op that cannot be captured: stay eager
            self.failed = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            for p in self.params:
                p.grad = None
            warnings.warn(
                f"CUDA graph capture failed; this pack trains eagerly: {self.failed}",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        self.graph = graph
        self._held = [p.grad for p in self.params]  # eager steps later set p.grad = None
