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
``StepGraph`` is a ``Stepper`` (engine/step/__init__.py), like ``EagerSteps``; which one a
pack gets is decided in ``select_step``.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import torch

from reglab.engine.step.protocol import Step

__all__ = ["WARMUP_STEPS", "StepGraph"]

WARMUP_STEPS = 3  # eager steps before capture (the recipe in torch.cuda.graphs' docs)


class StepGraph:
    """The steps of one pack, full batches recorded once and replayed.

    ``body(idx, step)`` is the eager step (a ``Step``); it returns each member's data loss
    [M]. ``run`` adds ``loss * rows`` to ``acc`` [M]. The body refers to the trainer's
    state, never to the trainer, so no cycle keeps a finished pack's GPU memory alive.
    Batches of other than ``batch`` rows (an epoch's ragged last one) and the warm-up steps
    go through ``body`` eagerly.
    """

    def __init__(
        self,
        body: Step,
        params: list[torch.Tensor],
        batch: int,
        device: torch.device,
        *,
        capture: bool,
    ) -> None:
        self.body = body
        self.params, self.batch, self.capture = params, batch, capture
        members = params[0].shape[0]
        self.idx = torch.zeros(members, batch, dtype=torch.int64, device=device)
        self.step = torch.zeros((), dtype=torch.int64, device=device)
        self.acc = torch.zeros(members, device=device)
        self.graph: torch.cuda.CUDAGraph | None = None
        self.failed: str | None = None  # why capture failed, once it has
        self._held: list[torch.Tensor | None] = []  # the graph's gradients, kept alive
        self._stream: Any = None  # warm-up and capture share one side stream (cuBLAS workspace)
        self._warm = 0
        self._next: int | None = None  # the step the device counter holds, when known

    def reset(self) -> None:
        """Forget the recording (the trainer's tensors were replaced, e.g. on resume)."""
        self.graph, self._held, self._warm, self._next = None, [], 0, None

    def retune(self) -> None:
        """Record again, after a warm-up: the optimizer's lr or momentum changed.

        A schedule (engine/schedule.py) changes them at most once per epoch, between
        epochs. They are Python floats to the kernels the graph recorded (torch's SGD takes
        momentum only as a float, and a tensor lr would round differently from the float
        that unscheduled studies use), so instead of reading them from device tensors the
        graph is dropped and captured anew with the new values. The warm-up steps run again
        first, eagerly: state the new settings create (SGD's momentum buffers, when the
        momentum rises from 0) must be made outside a capture, or the graph would recreate
        it at every replay. Cost: WARMUP_STEPS eager steps and one capture per epoch whose
        settings changed; replays still do no host work. The per-member decay factors are
        tensors, rewritten in place (PackOptimizer.set_hyper).
        """
        self.reset()

    def run(self, idx: torch.Tensor, step: int, next_idx: torch.Tensor | None = None) -> None:
        """Train on ``idx`` [M, b] at training step ``step``; add the loss into ``acc``.
        (``next_idx`` is for the CPU's chunked step; a graph has no use for it.)"""
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
        if self._stream is None:
            self._stream = torch.cuda.Stream()
        self._stream.wait_stream(torch.cuda.current_stream())  # warm-up off the default stream
        with torch.cuda.stream(self._stream):
            self.acc.add_(self.body(idx, step), alpha=idx.shape[1])
        torch.cuda.current_stream().wait_stream(self._stream)

    def _recorded(self) -> None:
        """What the graph holds: one step on the static buffers, then the counter advanced."""
        self.acc.add_(self.body(self.idx, self.step), alpha=self.batch)
        self.step.add_(1)

    def _record(self) -> None:
        torch.cuda.synchronize()
        for p in self.params:  # gradients are allocated inside the graph's memory pool
            p.grad = None
        graph, pool, device = torch.cuda.CUDAGraph(), torch.cuda.graph_pool_handle(), None
        try:
            device = torch.cuda.current_device()
            # the first context restores the current stream even if capture_end raises
            with (
                torch.cuda.stream(torch.cuda.current_stream()),
                torch.cuda.graph(graph, pool=pool, stream=self._stream),
            ):
                self._recorded()
        except RuntimeError as exc:  # torch.OutOfMemoryError and CUDA errors included
            for p in self.params:
                p.grad = None
            _end_capture_pool(device, pool)
            if isinstance(exc, torch.OutOfMemoryError):
                raise  # the study halves the pack
            cause = exc.__context__ or exc  # the op that failed, not capture_end's complaint
            self.failed = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
            warnings.warn(
                f"CUDA graph capture failed; this pack trains eagerly: {self.failed}",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        self.graph = graph
        self._held = [p.grad for p in self.params]  # eager steps later set p.grad = None


def _end_capture_pool(device: int | None, pool: Any) -> None:
    """After a failed capture: stop the caching allocator routing into the capture's pool.

    torch.cuda.graph's exit calls capture_end without a finally; when capture_end itself
    fails (a CUDA error invalidated the capture) the allocator still believes a capture is
    under way, and every later empty_cache() fails an internal assert. Ending the pool's
    allocation (and releasing it) puts the allocator back. If capture_end got that far, the
    first call raises and the graph object releases the pool itself.
    """
    if device is None:
        return
    try:
        torch._C._cuda_endAllocateToPool(device, pool)
    except (RuntimeError, AttributeError, TypeError):
        return
    with contextlib.suppress(RuntimeError, AttributeError, TypeError):
        torch._C._cuda_releasePool(device, pool)
