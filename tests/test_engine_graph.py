"""The recorded training step (engine/graph.py): static buffers, counter, fallback.

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
from reglab.engine import Member, PackTrainer
from reglab.engine import graph as graph_module
from reglab.engine.graph import WARMUP_STEPS, StepGraph
from tests.engine_helpers import tiny_dataset

ARMS = [
    "none",
    "dropout=0.5",
    "indrop=0.2+dropout=0.3",
    "l1=1e-3+l2=1e-3",
    "wd=1e-2+maxnorm=1.5+es=1",
]


def _trainer(arms: list[str], *, bn: bool = False, batch: int = 24) -> PackTrainer:
    data = tiny_dataset(n=200)  # 200 rows / 24 = 8 full batches and a ragged one of 8
    regs = [parse_arm(("bn" if a == "none" else a + "+bn") if bn else a) for a in arms]
    members = [Member(seed, reg) for seed in (0, 1) for reg in regs]
    train = TrainConfig(epochs=3, batch_size=batch, train_eval_size=100, eval_batch_size=64)
    return PackTrainer(data, ModelConfig(hidden=(16, 8)), OptimizerConfig(), train, members)


def _recorded(trainer: PackTrainer) -> StepGraph:
    """Give the trainer a StepGraph that runs its body instead of replaying a capture."""
    graph = StepGraph(
        trainer._step,
        trainer.net.parameters(),
        trainer.train.batch_size,
        trainer.device,
        capture=False,
    )
    trainer.graph = graph
    return graph


def _train(trainer: PackTrainer) -> list[list[Any]]:
    """Train to the end; the records without their timings."""
    while not trainer.done:
        trainer.train_epoch()
    return [[dataclasses.replace(r, seconds=0.0) for r in recs] for recs in trainer.records]


@pytest.mark.parametrize("bn", [False, True])
def test_recorded_step_equals_eager_bit_for_bit(bn: bool) -> None:
    eager, recorded = _trainer(ARMS, bn=bn), _trainer(ARMS, bn=bn)
    graph = _recorded(recorded)
    assert _train(recorded) == _train(eager)  # losses and accuracies, every epoch
    for a, b in zip(eager.net.tensors(), recorded.net.tensors(), strict=True):
        assert torch.equal(a, b)
    steps_per_epoch = 9
    assert recorded.step == eager.step == 3 * steps_per_epoch
    # the static path ran: the device counter stands after the last full batch of epoch 3
    assert int(graph.step) == 3 * steps_per_epoch - 1


def test_resume_resets_the_recording_and_continues_exactly(tmp_path) -> None:
    whole = _trainer(ARMS)
    _recorded(whole)
    _train(whole)
    first = _trainer(ARMS)
    _recorded(first)
    first.train_epoch()
    path = tmp_path / "pack.pt"
    torch.save(first.state_dict(), path)
    second = _trainer(ARMS)
    graph = _recorded(second)
    graph._warm = WARMUP_STEPS  # pretend it had recorded: loading must forget that
    second.load_state_dict(torch.load(path, weights_only=True))
    assert graph._warm == 0 and graph.graph is None
    _train(second)
    assert _train(second) == _train(whole)
    for a, b in zip(whole.net.tensors(), second.net.tensors(), strict=True):
        assert torch.equal(a, b)


class _FakeCuda:
    """Enough of torch.cuda for StepGraph on the CPU, with a capture that fails.

    A real capture records kernels without running them, so a failed one changes no tensor.
    The fake fails in one of two ways: the body's first op raises (``error`` before the body
    runs), or, as after a CUDA error that invalidated the capture, capture_end raises on exit
    with the op's error as its context (``at_exit``). It counts open stream contexts.
    """

    def __init__(self, error: BaseException, *, at_exit: bool = False) -> None:
        self.error, self.at_exit, self.open_streams = error, at_exit, 0
        self.CUDAGraph = object

    class Stream:
        def wait_stream(self, other: object) -> None:
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
    eager, fallback = _trainer(ARMS), _trainer(ARMS)
    graph = _recorded(fallback)
    graph.capture = True
    ended: list[tuple[object, object]] = []
    monkeypatch.setattr(graph_module, "_end_capture_pool", lambda d, p: ended.append((d, p)))
    fake = _FakeCuda(RuntimeError("operation not permitted"), at_exit=at_exit)
    monkeypatch.setattr(torch, "cuda", fake)
    with pytest.warns(RuntimeWarning, match="CUDA graph capture failed.*not permitted"):
        records = _train(fallback)
    monkeypatch.undo()
    assert graph.failed == "operation not permitted" and graph.graph is None
    assert ended == [(0, (0, 7))]  # the allocator was told the capture is over, once
    assert fake.open_streams == 0  # every stream context was left
    assert records == _train(eager)
    for a, b in zip(eager.net.tensors(), fallback.net.tensors(), strict=True):
        assert torch.equal(a, b)


def test_out_of_memory_during_capture_is_raised_for_the_planner(monkeypatch) -> None:
    trainer = _trainer(ARMS)
    graph = _recorded(trainer)
    graph.capture = True
    monkeypatch.setattr(torch, "cuda", _FakeCuda(torch.OutOfMemoryError("CUDA out of memory")))
    with pytest.raises(torch.OutOfMemoryError):
        trainer.train_epoch()
    monkeypatch.undo()


def test_the_graph_does_not_keep_its_trainer_alive() -> None:
    trainer = _trainer(ARMS)
    graph = _recorded(trainer)
    ref = weakref.ref(trainer)
    del trainer
    assert ref() is None  # freed at once, not at the next cycle collection
    with pytest.raises(RuntimeError, match="no longer exists"):
        graph.body(graph.idx, 0)


def test_cpu_trainers_step_eagerly() -> None:
    assert _trainer(["none"]).graph is None


def _on_gpu(cuda_graph: bool, *, bn: bool = False) -> PackTrainer:
    cpu = _trainer(ARMS, bn=bn)
    train = TrainConfig(
        epochs=3, batch_size=24, train_eval_size=100, eval_batch_size=64, cuda_graph=cuda_graph
    )
    model = ModelConfig(hidden=(16, 8))
    return PackTrainer(cpu.data, model, OptimizerConfig(), train, cpu.members, "cuda")


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@needs_cuda
@pytest.mark.parametrize(("bn", "autograd"), [(False, False), (True, False), (True, True)])
def test_cuda_graph_replay_matches_eager_on_the_gpu(bn: bool, autograd: bool) -> None:
    replayed, eager = _on_gpu(True, bn=bn), _on_gpu(False, bn=bn)
    if autograd:  # the reference step, with autograd's backward under capture
        replayed.backprop = eager.backprop = None
    _train(replayed), _train(eager)
    graph = replayed.graph
    assert graph is not None and graph.graph is not None, graph and graph.failed
    for a, b in zip(eager.net.tensors(), replayed.net.tensors(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@needs_cuda
def test_a_step_that_cannot_be_captured_leaves_cuda_usable(monkeypatch) -> None:
    real = PackTrainer._step

    def syncing(self: PackTrainer, idx: torch.Tensor, step: Any, *rest: Any) -> torch.Tensor:
        loss = real(self, idx, step, *rest)
        if isinstance(step, torch.Tensor):  # only inside the capture: a host sync
            loss.sum().item()
        return loss

    monkeypatch.setattr(PackTrainer, "_step", syncing)
    trainer = _on_gpu(True)
    with pytest.warns(RuntimeWarning, match="CUDA graph capture failed"):
        records = _train(trainer)
    monkeypatch.undo()
    assert torch.cuda.current_stream() == torch.cuda.default_stream()
    torch.cuda.empty_cache()  # the allocator no longer thinks a capture is under way
    eager = _on_gpu(False)
    assert records == _train(eager)
