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
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import Member, PackTrainer
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
    """Enough of torch.cuda for StepGraph on the CPU, with a capture that raises ``error``.

    A real capture records kernels without running them, so a failed one changes no tensor;
    the fake raises before the body runs.
    """

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.CUDAGraph = object

    class Stream:
        def wait_stream(self, other: object) -> None:
            pass

    def current_stream(self) -> _FakeCuda.Stream:
        return _FakeCuda.Stream()

    @contextlib.contextmanager
    def stream(self, s: object) -> Iterator[None]:
        yield

    def synchronize(self) -> None:
        pass

    def graph(self, g: object) -> contextlib.AbstractContextManager[None]:
        error = self.error

        @contextlib.contextmanager
        def capturing() -> Iterator[None]:  # a capture runs no kernel: fail before the body
            raise error
            yield

        return capturing()


def test_failed_capture_falls_back_to_eager_with_a_warning(monkeypatch) -> None:
    eager, fallback = _trainer(ARMS), _trainer(ARMS)
    graph = _recorded(fallback)
    graph.capture = True
    monkeypatch.setattr(torch, "cuda", _FakeCuda(RuntimeError("operation not permitted")))
    with pytest.warns(RuntimeWarning, match="CUDA graph capture failed.*not permitted"):
        records = _train(fallback)
    monkeypatch.undo()
    assert graph.failed == "operation not permitted" and graph.graph is None
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


def test_cpu_trainers_step_eagerly() -> None:
    assert _trainer(["none"]).graph is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_graph_replay_matches_eager_on_the_gpu() -> None:
    def on_gpu(cuda_graph: bool) -> PackTrainer:
        trainer = _trainer(ARMS)
        train = TrainConfig(
            epochs=3,
            batch_size=24,
            train_eval_size=100,
            eval_batch_size=64,
            cuda_graph=cuda_graph,
        )
        return PackTrainer(
            trainer.data,
            ModelConfig(hidden=(16, 8)),
            OptimizerConfig(),
            train,
            trainer.members,
            "cuda",
        )

    replayed, eager = on_gpu(True), on_gpu(False)
    _train(replayed), _train(eager)
    graph = replayed.graph
    assert graph is not None and graph.graph is not None, graph and graph.failed
    for a, b in zip(eager.net.tensors(), replayed.net.tensors(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
