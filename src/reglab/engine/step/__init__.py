"""The training step: one interface, its implementations, and the one place that picks them.

A ``Step`` trains every member on one batch: ``step(idx, step_number, next_idx) -> loss [M]``
(idx [M, b]: each member's rows; the step number draws the dropout masks). Implementations:

- ``ReferenceStep`` (reference.py): model forward, loss, autograd, optimizer. Any family.
- ``BackpropStep`` (backprop.py): the MLP's forward and backward written out by hand.
- ``ChunkedStep`` (chunked.py): the hand-written step with the first layer's gradient and
  Adam update done chunk by chunk, for CPU packs of 4+ members.

A ``Stepper`` runs a step batch after batch and adds each member's ``loss * rows`` into its
``acc`` [M]: ``EagerSteps`` calls it, ``StepGraph`` (graph.py) records it as a CUDA graph and
replays it. ``select_step`` chooses both::

    >>> stepper = select_step(state, TrainConfig())            # "auto": the fastest that applies
    >>> stepper.run(idx, 0, next_idx)
    >>> select_step(state, TrainConfig(), path="reference").body
    <...ReferenceStep object at ...>

Every path gives the reference step's numbers: the hand-written and chunked steps bit for bit
without Batch Norm (to rounding with it), the graph bit for bit (tests/test_engine_*.py).
"""

from __future__ import annotations

from typing import Literal

import torch

from reglab.config import TrainConfig
from reglab.engine.state import TrainerState
from reglab.engine.step.backprop import Backprop, BackpropStep
from reglab.engine.step.chunked import ChunkedStep
from reglab.engine.step.graph import StepGraph
from reglab.engine.step.protocol import Step, Stepper
from reglab.engine.step.reference import ReferenceStep

__all__ = [
    "BackpropStep",
    "ChunkedStep",
    "EagerSteps",
    "GraphMode",
    "ReferenceStep",
    "Step",
    "StepGraph",
    "StepPath",
    "Stepper",
    "select_step",
]

StepPath = Literal["auto", "reference", "backprop", "chunked"]
# auto: a captured graph on a GPU when TrainConfig.cuda_graph; off: eager; capture: always
# record (a fake torch.cuda in tests); body: run the recorded body without capturing (CPU tests)
GraphMode = Literal["auto", "off", "capture", "body"]


class EagerSteps:
    """Calls the step for each batch (the CPU, or a GPU without CUDA graphs)."""

    def __init__(self, body: Step, members: int, device: torch.device) -> None:
        self.body, self.acc = body, torch.zeros(members, device=device)

    def run(self, idx: torch.Tensor, step: int, next_idx: torch.Tensor | None = None) -> None:
        self.acc.add_(self.body(idx, step, next_idx), alpha=idx.shape[1])

    def reset(self) -> None:
        pass

    def retune(self) -> None:
        pass  # each eager step reads the optimizer's current settings


def select_step(
    state: TrainerState,
    train: TrainConfig,
    path: StepPath = "auto",
    graph: GraphMode = "auto",
) -> Stepper:
    """The step for ``state``'s pack, and how it is run.

    ``path="auto"`` takes the chunked step where it applies (CPU, fused Adam, 4+ members, no
    input dropout), else the hand-written one where the model has one (the MLP), else the
    reference. Naming a path that cannot run this pack raises ValueError.
    """
    body = _body(state, path)
    if graph == "auto":
        graph = "capture" if state.device.type == "cuda" and train.cuda_graph else "off"
    if graph == "off":
        return EagerSteps(body, len(state.members), state.device)
    params = state.model.parameters()
    return StepGraph(body, params, train.batch_size, state.device, capture=graph == "capture")


def _body(state: TrainerState, path: StepPath) -> Step:
    if path == "reference":
        return ReferenceStep(state)
    if state.inputs is not None or state.smoothing is not None:  # the reference's only
        if path != "auto":
            raise ValueError("augment, noise and smooth run in the reference step only")
        return ReferenceStep(state)
    backprop = Backprop.of(state.model, state.drop, state.task)
    if path in ("auto", "chunked") and ChunkedStep.applies(state, backprop):
        assert backprop is not None  # applies() requires it
        return ChunkedStep(state, backprop)
    if path == "chunked":
        raise ValueError("the chunked step needs a CPU pack of 4+ MLPs with Adam, no indrop")
    if backprop is not None:
        return BackpropStep(state, backprop)
    if path == "backprop":
        raise ValueError(f"no hand-written step for {type(state.model).__name__}")
    return ReferenceStep(state)
