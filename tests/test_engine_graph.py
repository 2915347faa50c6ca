"""The recorded training step (engine/step/graph.py): static buffers, counter, fallback.

On the CPU the StepGraph runs its recorded body directly (capture=False): every full batch
after warm-up goes through the static index buffer and the device step counter, exactly as
a CUDA graph replay would. Those runs must equal eager training bit for bit. The fallback
is exercised with a fake torch.cuda whose capture fails. The last test captures for real
and runs only where a CUDA GPU is present.
"""

from __future__ import annotations

import contextlib
import dataclasses
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import GraphMode, Member, PackTrainer
from reglab.engine.step import EagerSteps, ReferenceStep, StepPath
from reglab.engine.step import graph as graph_module
from reglab.engine.step.graph import WARMUP_STEPS, StepGraph
from tests.engine_helpers import tiny_dataset

ARMS = [
    "none",
    "dropout=0.5",
    "indrop=0.2+dropout=0.3",
    "l1=1e-3+l2=1e-3",
    "wd=1e-2+maxnorm=1.5+es=1",
]


def _trainer(
    arms: list[str], *, bn: bool = False, batch: int = 24, graph: GraphMode = "auto"
) -> PackTrainer:
    data = tiny_dataset(n=200)  # 200 rows / 24 = 8 full batches and a ragged one of 8
    regs = [parse_arm(("bn" if a == "none" else a + "+bn") if bn else a) for a in arms]
    members = [Member(seed, reg) for seed in (0, 1) for reg in regs]
    train = TrainConfig(epochs=3, batch_size=batch, train_eval_size=100, eval_batch_size=64)
    model = ModelConfig(hidden=(16, 8))
    return PackTrainer(data, model, OptimizerConfig(), train, members, "cpu", graph=graph)


def _graph(trainer: PackTrainer) -> StepGraph:
    graph = trainer.stepper
    assert isinstance(graph, StepGraph)
    return graph


def _recorded(arms: list[str], *, bn: bool = False, capture: bool = False) -> PackTrainer:
    """A CPU trainer whose StepGraph runs its recorded body instead of replaying a capture
    (``capture``: it tries to capture, through a fake torch.cuda)."""
    return _trainer(arms, bn=bn, graph="capture" if capture else "body")


def _train(trainer: PackTrainer) -> list[list[Any]]:
    """Train to the end; the records without their timings."""
    while not trainer.done:
        trainer.train_epoch()
    return [[dataclasses.replace(r, seconds=0.0) for r in recs] for recs in trainer.records]


@pytest.mark.parametrize("bn", [False, True])
def test_recorded_step_equals_eager_bit_for_bit(bn: bool) -> None:
    eager, recorded = _trainer(ARMS, bn=bn), _recorded(ARMS, bn=bn)
    graph = _graph(recorded)
    assert _train(recorded) == _train(eager)  # losses and accuracies, every epoch
    for a, b in zip(eager.model.tensors(), recorded.model.tensors(), strict=True):
        assert torch.equal(a, b)
    steps_per_epoch = 9
    assert recorded.step == eager.step == 3 * steps_per_epoch
    # the static path ran: the device counter stands after the last full batch of epoch 3
    assert int(graph.step) == 3 * steps_per_epoch - 1


def test_resume_resets_the_recording_and_continues_exactly(tmp_path) -> None:
    whole = _recorded(ARMS)
    _train(whole)
    first = _recorded(ARMS)
    first.train_epoch()
    path = tmp_path / "pack.pt"
    torch.save(first.state_dict(), path)
    second = _recorded(ARMS)
    graph = _graph(second)
    graph._warm = WARMUP_STEPS  # pretend it had recorded: loading must forget that
    second.load_state_dict(torch.load(path, weights_only=True))
    assert graph._warm == 0 and graph.graph is None
    _train(second)
    assert _train(second) == _train(whole)
    for a, b in zip(whole.model.tensors(), second.model.tensors(), strict=True):
        assert torch.equal(a, b)


class _FakeCuda:
    """Enough of torch.cuda for StepGraph on the CPU, with a capture that fails.

    A real capture records kernels without running them, so a failed one changes no tensor.
    The fake fails in one of two ways: the body's first op raises (``error`` before the body
    runs), or, as after a CUDA error that invalidated the capture, capture_end raises on exit
    with the op's error as its context (``at_exit``). It counts open stream contexts.
    ``install`` replaces only the functions StepGraph calls, so the rest of torch.cuda (what
    torch.optim asks, e.g. ``is_available``) stays real: the test runs with or without a GPU.
    """

    def __init__(self, error: BaseException, *, at_exit: bool = False) -> None:
        self.error, self.at_exit, self.open_streams = error, at_exit, 0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> _FakeCuda:
        for name in (
            "Stream",
            "CUDAGraph",
            "current_stream",
            "stream",
            "synchronize",
            "graph_pool_handle",
            "current_device",
            "graph",
        ):
            monkeypatch.setattr(torch.cuda, name, getattr(self, name))
        return self

    class Stream:
        def wait_stream(self, other: object) -> None:
            pass

    class CUDAGraph:
        pass

    def current_stream(self) -> _FakeCuda.Stream:
        return _FakeCuda.Stream()

    @contextlib.contextmanager
    def stream(self, s: object) -> Iterator[None]:
        self.open_streams += 1
        try:
            yield
        finally:
            self.open_streams -= 1

    def synchronize(self) -> None:
        pass

    def graph_pool_handle(self) -> tuple[int, int]:
        return (0, 7)

    def current_device(self) -> int:
        return 0

    def graph(self, g: object, pool: object, stream: object) -> Any:
        fake = self

        @contextlib.contextmanager
        def capturing() -> Iterator[None]:
            with fake.stream(stream):  # like torch.cuda.graph, no finally around capture_end
                if not fake.at_exit:
                    raise fake.error
                try:
                    raise fake.error  # the op fails; the real body would stop here too
                except BaseException:
                    raise RuntimeError("operation failed due to a previous error") from None
                yield

        return capturing()


@pytest.mark.parametrize("at_exit", [False, True])
def test_failed_capture_falls_back_to_eager_with_a_warning(monkeypatch, at_exit: bool) -> None:
    eager, fallback = _trainer(ARMS), _recorded(ARMS, capture=True)
    graph = _graph(fallback)
    ended: list[tuple[object, object]] = []
    monkeypatch.setattr(graph_module, "_end_capture_pool", lambda d, p: ended.append((d, p)))
    fake = _FakeCuda(RuntimeError("operation not permitted"), at_exit=at_exit).install(monkeypatch)
    with pytest.warns(RuntimeWarning, match="CUDA graph capture failed.*not permitted"):
        records = _train(fallback)
    monkeypatch.undo()
    assert graph.failed == "operation not permitted" and graph.graph is None
    assert ended == [(0, (0, 7))]  # the allocator was told the capture is over, once
    assert fake.open_streams == 0  # every stream context was left
    assert records == _train(eager)
    for a, b in zip(eager.model.tensors(), fallback.model.tensors(), strict=True):
        assert torch.equal(a, b)


def test_out_of_memory_during_capture_is_raised_for_the_planner(monkeypatch) -> None:
    trainer = _recorded(ARMS, capture=True)
    _FakeCuda(torch.OutOfMemoryError("CUDA out of memory")).install(monkeypatch)
    with pytest.raises(torch.OutOfMemoryError):
        trainer.train_epoch()
    monkeypatch.undo()


def test_a_finished_trainer_is_freed_at_once() -> None:
    """No cycle (trainer -> graph -> step -> state, never back): a pack's GPU memory goes
    when its trainer does, not at the next cycle collection."""
    trainer = _recorded(ARMS)
    graph, ref = _graph(trainer), weakref.ref(trainer)
    state = weakref.ref(trainer.state)
    del trainer, graph
    assert ref() is None and state() is None


def test_cpu_trainers_step_eagerly() -> None:
    assert isinstance(_trainer(["none"]).stepper, EagerSteps)


def _on_gpu(cuda_graph: bool, *, bn: bool = False, path: StepPath = "auto") -> PackTrainer:
    cpu = _trainer(ARMS, bn=bn)
    train = TrainConfig(
        epochs=3, batch_size=24, train_eval_size=100, eval_batch_size=64, cuda_graph=cuda_graph
    )
    model = ModelConfig(hidden=(16, 8))
    return PackTrainer(cpu.data, model, OptimizerConfig(), train, cpu.members, "cuda", path=path)


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize(("bn", "autograd"), [(False, False), (True, False), (True, True)])
def test_cuda_graph_replay_matches_eager_on_the_gpu(bn: bool, autograd: bool) -> None:
    path: StepPath = "reference" if autograd else "auto"  # autograd's backward under capture
    replayed, eager = _on_gpu(True, bn=bn, path=path), _on_gpu(False, bn=bn, path=path)
    _train(replayed), _train(eager)
    graph = _graph(replayed)
    assert graph.graph is not None, graph.failed
    for a, b in zip(eager.model.tensors(), replayed.model.tensors(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.gpu
@needs_cuda
def test_a_step_that_cannot_be_captured_leaves_cuda_usable(monkeypatch) -> None:
    real = ReferenceStep.__call__

    def syncing(self: ReferenceStep, idx: torch.Tensor, step: Any, *rest: Any) -> torch.Tensor:
        loss = real(self, idx, step, *rest)
        if isinstance(step, torch.Tensor):  # only inside the capture: a host sync
            loss.sum().item()
        return loss

    monkeypatch.setattr(ReferenceStep, "__call__", syncing)
    trainer = _on_gpu(True, path="reference")
    with pytest.warns(RuntimeWarning, match="CUDA graph capture failed"):
        records = _train(trainer)
    monkeypatch.undo()
    assert torch.cuda.current_stream() == torch.cuda.default_stream()
    torch.cuda.empty_cache()  # the allocator no longer thinks a capture is under way
    eager = _on_gpu(False, path="reference")
    assert records == _train(eager)
