"""Learning-rate and momentum schedules (engine/schedule.py, OptimizerConfig).

Reference tests: the lr per epoch equals torch.optim.lr_scheduler's, and a pack trained with
a schedule equals plain PyTorch loops driven by those schedulers (every step path, the
recorded-graph body included). A constant schedule changes nothing, bit for bit; a resumed
pack continues its schedule exactly; a changed schedule is a different study.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
import torch
from torch import nn

from reglab import seeding
from reglab.arms import parse_arm
from reglab.cli import main
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import GraphMode, Member, PackTrainer
from reglab.engine.optim import PackOptimizer
from reglab.engine.schedule import Hyper, hyper_at, schedule_table
from reglab.engine.step import StepPath
from reglab.engine.step.graph import WARMUP_STEPS, StepGraph
from reglab.errors import ConfigError
from reglab.store import spec_identity
from reglab.study import StudySpec
from tests.engine_helpers import assert_close_rel, reference_model, tiny_dataset
from tests.test_study_kill import _kill_when

EPOCHS = 4
SGD_RAMP = OptimizerConfig(
    name="sgd",
    lr=0.05,
    momentum=0.5,
    momentum_final=0.9,
    momentum_epochs=2,
    schedule="exponential",
    lr_decay=0.7,
)
ADAM_COSINE = OptimizerConfig(lr=3e-3, schedule="cosine", lr_min=1e-4)


# ---- the schedule against torch.optim.lr_scheduler --------------------------------------
@pytest.mark.parametrize("name", ["sgd", "adam"])
@pytest.mark.parametrize(
    ("settings", "scheduler"),
    [
        (
            {"schedule": "exponential", "lr_decay": 0.9},
            lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9),
        ),
        (
            {"schedule": "step", "lr_decay": 0.5, "lr_step": 3},
            lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        ),
        (
            {"schedule": "cosine", "lr_min": 1e-3},
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=1e-3),
        ),
    ],
    ids=["exponential", "step", "cosine"],
)
def test_lr_per_epoch_equals_torch_schedulers(name, settings, scheduler) -> None:
    config = OptimizerConfig(name=name, lr=0.1, **settings)
    param = nn.Parameter(torch.zeros(1))
    kind = torch.optim.SGD if name == "sgd" else torch.optim.Adam
    opt = kind([param], lr=0.1)
    sched = scheduler(opt)
    expected = []
    for _ in range(12):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    got = [h.lr for h in schedule_table(config, 12)]
    assert got == pytest.approx(expected, rel=1e-12)
    assert got[0] == 0.1  # the first epoch runs at lr itself, exactly


def test_momentum_ramps_linearly_then_holds() -> None:
    cfg = OptimizerConfig(name="sgd", momentum=0.5, momentum_final=0.99, momentum_epochs=4)
    got = [h.momentum for h in schedule_table(cfg, 7)]
    assert got == pytest.approx([0.5, 0.6225, 0.745, 0.8675, 0.99, 0.99, 0.99], rel=1e-12)
    assert [h.lr for h in schedule_table(cfg, 7)] == [cfg.lr] * 7  # lr constant


def test_constant_schedule_is_the_config_itself() -> None:
    cfg = OptimizerConfig(name="sgd", lr=0.037, momentum=0.9)
    assert schedule_table(cfg, 5) == [Hyper(0.037, 0.9)] * 5


# ---- a pack with a schedule against plain PyTorch loops ---------------------------------
def _pack(
    opt: OptimizerConfig,
    arms: list[str],
    *,
    path: StepPath = "auto",
    graph: GraphMode = "off",
    epochs: int = EPOCHS,
) -> PackTrainer:
    members = [Member(seed, parse_arm(a)) for seed, a in enumerate(arms)]
    train = TrainConfig(epochs=epochs, batch_size=16, train_eval_size=64)
    return PackTrainer(
        tiny_dataset(), ModelConfig(hidden=(32,)), opt, train, members, path=path, graph=graph
    )


def _reference(pack: PackTrainer, i: int, cfg: OptimizerConfig, wd: float) -> nn.Sequential:
    """Member i trained by a conventional loop from the pack's initial weights (call before
    training the pack): torch's optimizer and lr scheduler, the momentum set by hand at each
    epoch's start (torch has no momentum scheduler)."""
    ref = reference_model(pack, i)
    kernels, biases = [ref[0].weight, ref[2].weight], [ref[0].bias, ref[2].bias]
    if cfg.name == "sgd":
        opt: torch.optim.Optimizer = torch.optim.SGD(
            ref.parameters(), lr=cfg.lr, momentum=cfg.momentum
        )
        sched: torch.optim.lr_scheduler.LRScheduler = torch.optim.lr_scheduler.ExponentialLR(
            opt, cfg.lr_decay
        )
    else:
        groups = [{"params": kernels, "weight_decay": wd}, {"params": biases, "weight_decay": 0}]
        opt = torch.optim.AdamW(groups, lr=cfg.lr, eps=cfg.eps)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS, cfg.lr_min)
    x, y = pack.state.x, pack.state.y
    keys = torch.tensor([seeding.key(pack.members[i].seed, "order")])
    for epoch in range(EPOCHS):
        for group in opt.param_groups:
            if cfg.name == "sgd":
                group["momentum"] = hyper_at(cfg, epoch, EPOCHS).momentum
        order = seeding.permutations(keys, epoch, len(x))[0]
        for first in range(0, len(x), 16):
            idx = order[first : first + 16]
            loss = nn.functional.cross_entropy(ref(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    return ref


def _compare(pack: PackTrainer, i: int, ref: nn.Sequential) -> None:
    assert_close_rel(pack.model.weights[0].detach()[i], ref[0].weight.detach().T, 1e-5)
    assert_close_rel(pack.model.weights[1].detach()[i], ref[2].weight.detach().T, 1e-5)
    assert_close_rel(pack.model.biases[0].detach()[i, 0], ref[0].bias.detach(), 1e-5)


def _untimed(pack: PackTrainer) -> list[list[object]]:
    return [[dataclasses.replace(r, seconds=0.0) for r in recs] for recs in pack.records]


def _train(pack: PackTrainer) -> None:
    while not pack.done:
        pack.train_epoch()


@pytest.mark.parametrize("graph", ["off", "body"])
@pytest.mark.parametrize("path", ["reference", "backprop"])
def test_sgd_with_lr_decay_and_momentum_ramp_matches_torch(path: StepPath, graph) -> None:
    pack = _pack(SGD_RAMP, ["none", "none"], path=path, graph=graph)
    refs = [_reference(pack, i, SGD_RAMP, 0.0) for i in range(2)]
    _train(pack)
    for i, ref in enumerate(refs):
        _compare(pack, i, ref)


@pytest.mark.parametrize("graph", ["off", "body"])
@pytest.mark.parametrize("path", ["reference", "backprop", "chunked"])
def test_adam_cosine_with_decoupled_decay_matches_torch(path: StepPath, graph) -> None:
    """Decay follows the scheduled lr (torch's AdamW: w <- w * (1 - lr_e * wd)). The chunked
    step needs 4+ members: four seeds, two of them checked."""
    pack = _pack(ADAM_COSINE, ["wd=0.05"] * 4, path=path, graph=graph)
    refs = {i: _reference(pack, i, ADAM_COSINE, 0.05) for i in (0, 3)}
    _train(pack)
    for i, ref in refs.items():
        _compare(pack, i, ref)


# ---- a constant schedule changes nothing; resume; the recorded graph ---------------------
@pytest.mark.parametrize(
    "opt",
    [OptimizerConfig(), OptimizerConfig(name="sgd", lr=0.05, momentum=0.9)],
    ids=["adam", "sgd"],
)
@pytest.mark.parametrize("graph", ["off", "body"])
def test_a_constant_schedule_trains_bit_for_bit_as_without_schedules(
    monkeypatch, opt: OptimizerConfig, graph: GraphMode
) -> None:
    arms = ["none", "wd=0.01+maxnorm=2", "dropout=0.3", "l2=1e-3"]
    with_schedule = _pack(dataclasses.replace(opt, schedule="constant"), arms, graph=graph)
    _train(with_schedule)
    calls: list[Hyper] = []
    monkeypatch.setattr(PackOptimizer, "set_hyper", lambda self, h: calls.append(h) or False)
    without = _pack(opt, arms, graph=graph)  # the pre-schedule path: nothing is ever set
    _train(without)
    assert len(calls) == EPOCHS
    assert _untimed(with_schedule) == _untimed(without)
    for a, b in zip(with_schedule.model.tensors(), without.model.tensors(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("graph", ["off", "body"])
def test_resume_mid_training_continues_the_schedule_exactly(tmp_path, graph) -> None:
    whole = _pack(SGD_RAMP, ["none", "dropout=0.3"], graph=graph)
    _train(whole)
    first = _pack(SGD_RAMP, ["none", "dropout=0.3"], graph=graph)
    first.train_epoch()
    first.train_epoch()
    torch.save(first.state_dict(), tmp_path / "pack.pt")
    second = _pack(SGD_RAMP, ["none", "dropout=0.3"], graph=graph)
    second.load_state_dict(torch.load(tmp_path / "pack.pt", weights_only=True))
    _train(second)
    assert second.state.opt.lr == hyper_at(SGD_RAMP, EPOCHS - 1, EPOCHS).lr
    for a, b in zip(whole.model.tensors(), second.model.tensors(), strict=True):
        assert torch.equal(a, b)


def test_the_graph_is_recorded_again_when_the_schedule_changes(monkeypatch) -> None:
    """A CUDA graph bakes lr and momentum in as floats: the trainer asks for a new recording
    at each epoch whose settings differ (here epochs 1..3), never for a constant schedule."""
    retuned: list[int] = []
    monkeypatch.setattr(StepGraph, "retune", lambda self: retuned.append(1))
    _train(_pack(SGD_RAMP, ["none"], graph="body"))
    assert len(retuned) == EPOCHS - 1
    retuned.clear()
    _train(_pack(OptimizerConfig(name="sgd", lr=0.05), ["none"], graph="body"))
    assert retuned == []


def test_retune_drops_the_recording_and_warms_up_again() -> None:
    """Eager steps first: SGD creates its momentum buffers outside a capture (a buffer made
    inside one would be made anew at every replay)."""
    pack = _pack(SGD_RAMP, ["none"], graph="body")
    graph = pack.stepper
    assert isinstance(graph, StepGraph)
    graph._warm, graph.graph = WARMUP_STEPS, object()  # type: ignore[assignment]
    graph.retune()
    assert graph.graph is None and graph._warm == 0


def test_momentum_rising_from_zero_recorded_path_equals_eager() -> None:
    cfg = OptimizerConfig(name="sgd", lr=0.05, momentum=0.0, momentum_final=0.9, momentum_epochs=2)
    eager, recorded = _pack(cfg, ["none"]), _pack(cfg, ["none"], graph="body")
    _train(eager)
    _train(recorded)
    for a, b in zip(eager.model.tensors(), recorded.model.tensors(), strict=True):
        assert torch.equal(a, b)


# ---- configuration --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"schedule": "linear"}, "'schedule' parameter of OptimizerConfig must be one of"),
        ({"schedule": "exponential"}, "'lr_decay' .* must be below 1 for schedule 'exponential'"),
        ({"lr_decay": 0.9}, "'lr_decay' .* left at its default unless schedule is"),
        ({"schedule": "step", "lr_decay": 0.5, "lr_step": 0}, r"'lr_step' .* an int in \[1, inf\)"),
        ({"schedule": "cosine", "lr_min": 0.01}, r"'lr_min' .* a float in \[0, 0.001\)"),
        ({"momentum_final": 0.9}, "'momentum_final' .* unset unless name is 'sgd'"),
        ({"name": "sgd", "momentum_final": 1.0}, r"'momentum_final' .* a float in \[0, 1\)"),
        ({"name": "sgd", "momentum_epochs": 5}, "'momentum_epochs' .* left at 1 without"),
    ],
)
def test_bad_schedules_get_one_clear_error(settings, message) -> None:
    with pytest.raises(ConfigError, match=message):
        OptimizerConfig.from_dict(settings)


def test_schedule_round_trips_and_enters_the_study_identity() -> None:
    assert set(OptimizerConfig().to_dict()) == {
        "name",
        "lr",
        "beta1",
        "beta2",
        "eps",
        "momentum",
        "nesterov",
    }  # no schedule: the identity of every study written before schedules
    assert OptimizerConfig.from_dict(SGD_RAMP.to_dict()) == SGD_RAMP
    plain = StudySpec.from_dict({"optimizer": {"name": "sgd", "lr": 0.05}})
    table = {"optimizer": {"name": "sgd", "lr": 0.05, "schedule": "cosine"}}
    scheduled = StudySpec.from_dict(table)
    assert spec_identity(plain.to_dict()) != spec_identity(scheduled.to_dict())
    explicit = StudySpec.from_dict(
        {"optimizer": {"name": "sgd", "lr": 0.05, "schedule": "constant"}}
    )
    assert spec_identity(explicit.to_dict()) == spec_identity(plain.to_dict())
    assert math.isclose(hyper_at(scheduled.optimizer, 5, 10).lr, 0.025)


# ---- a study killed mid-training resumes its schedule ------------------------------------
SPEC = """
name = "scheduled"
seeds = 2
arms = ["none", "dropout=0.3"]
[data]
name = "digits"
val_size = 300
[model]
hidden = [32]
[optimizer]
name = "sgd"
lr = 0.1
schedule = "step"
lr_decay = 0.5
lr_step = 2
momentum = 0.5
momentum_final = 0.95
momentum_epochs = 4
[train]
epochs = 8
device = "cpu"
checkpoint_seconds = 0
"""


def test_a_study_killed_mid_schedule_resumes_to_the_uninterrupted_numbers(tmp_path) -> None:
    """SIGKILL after the first pack's first checkpoint, run again: the resumed packs continue
    the schedule at their saved epoch (a restart from epoch 0 would change every number)."""
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    args = ["run", str(spec), "--quiet", "--threads", "1", "--out"]
    _kill_when([*args, str(killed)], killed / "checkpoints" / "pack-000.pt")
    assert not (killed / "runs.csv").exists()  # it really died mid-study
    assert main([*args, str(killed)]) == 0
    assert main([*args, str(whole)]) == 0
    runs_k = pd.read_csv(killed / "runs.csv").drop(columns="train_seconds")
    runs_w = pd.read_csv(whole / "runs.csv").drop(columns="train_seconds")
    pd.testing.assert_frame_equal(runs_k, runs_w)


# ---- on a GPU: captured CUDA graphs follow the schedule ----------------------------------
@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize(
    "opt",
    [
        ADAM_COSINE,
        OptimizerConfig(name="sgd", lr=0.05, momentum=0.0, momentum_final=0.9, momentum_epochs=2),
    ],
    ids=["adam-cosine", "sgd-ramp-from-0"],
)
def test_captured_graph_follows_the_schedule_on_the_gpu(opt: OptimizerConfig) -> None:
    arms = ["none", "wd=0.05+dropout=0.3"]

    def trained(cuda_graph: bool) -> PackTrainer:
        members = [Member(seed, parse_arm(a)) for seed, a in enumerate(arms)]
        train = TrainConfig(epochs=EPOCHS, batch_size=16, train_eval_size=64, cuda_graph=cuda_graph)
        pack = PackTrainer(tiny_dataset(), ModelConfig(hidden=(32,)), opt, train, members, "cuda")
        _train(pack)
        return pack

    replayed, eager = trained(True), trained(False)
    graph = replayed.stepper
    assert isinstance(graph, StepGraph) and graph.graph is not None, graph
    for a, b in zip(eager.model.tensors(), replayed.model.tensors(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
