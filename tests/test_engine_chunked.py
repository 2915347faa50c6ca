"""The chunked first-layer update (engine/step/chunked.py) and the slice path of the dropout rows
(engine/step/backprop.py) give the plain step's numbers bit for bit."""

from __future__ import annotations

import pytest
import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import Member, PackTrainer
from reglab.engine.step import ChunkedStep, StepPath
from tests.engine_helpers import tiny_dataset

PACKS = {
    "seeds x {none, dropout}: rows 1::2": (["none", "dropout=0.5"] * 3, (24,)),
    "rows not a slice": (["dropout=0.3", "none", "none", "dropout=0.5", "dropout=0.2"], (24,)),
    "all drop": (["dropout=0.5", "dropout=0.2", "dropout=0.4", "dropout=0.1"], (24,)),
    "two hidden layers": (["none", "dropout=0.5"] * 2, (24, 16)),
    "batch norm": (["bn", "bn+dropout=0.5", "bn+l2=1e-3", "bn"], (24, 16)),
    "penalties, decay, max-norm": (
        ["l1=1e-3", "l2=1e-3+dropout=0.2", "wd=0.05", "maxnorm=0.5"],
        (24,),
    ),
}


def _pack(arms: list[str], hidden: tuple[int, ...], path: str) -> PackTrainer:
    members = [Member(i // 2, parse_arm(a)) for i, a in enumerate(arms)]
    train = TrainConfig(epochs=3, batch_size=32, train_eval_size=64)
    step: StepPath = {"chunked": "auto", "plain": "backprop", "autograd": "reference"}[path]
    data = tiny_dataset(n=200)
    return PackTrainer(
        data, ModelConfig(hidden=hidden), OptimizerConfig(), train, members, path=step
    )


# BN's hand-written backward is its own formula, equal to autograd's to rounding only
# (tests/test_engine_backprop.py); against the plain hand-written step it is bit for bit
CASES = [
    (n, o) for n in PACKS for o in ("plain", "autograd") if (n, o) != ("batch norm", "autograd")
]


@pytest.mark.parametrize(("name", "other"), CASES)
def test_chunked_step_is_bit_identical(name: str, other: str) -> None:
    arms, hidden = PACKS[name]
    fast, ref = _pack(arms, hidden, "chunked"), _pack(arms, hidden, other)
    chunked = fast.stepper.body
    assert isinstance(chunked, ChunkedStep)
    for _ in range(3):  # 7 batches an epoch, the last one ragged: epochs end and restart
        got, want = fast.train_epoch(), ref.train_epoch()
        assert [r.data_loss for r in got] == [r.data_loss for r in want]
    assert chunked.ahead is None  # nothing computed ahead across an epoch's end
    for p, q in zip(fast.model.parameters(), ref.model.parameters(), strict=True):
        assert torch.equal(p, q)
        sp, sq = fast.state.opt.inner.state[p], ref.state.opt.inner.state[q]
        assert all(torch.equal(sp[k], sq[k]) for k in ("step", "exp_avg", "exp_avg_sq"))


@pytest.mark.parametrize(
    ("arms", "chunked"),
    [
        (["none", "dropout=0.5"], False),  # 2 members: nothing to gain
        (["bn"] * 4, True),
        (["indrop=0.2"] * 4, False),  # the next step's input mask is not drawn ahead
        (["l2=1e-4", "wd=1e-4", "maxnorm=3", "l1=1e-5"], True),
    ],
)
def test_chunked_only_where_it_applies(arms: list[str], chunked: bool) -> None:
    assert isinstance(_pack(arms, (24,), "chunked").stepper.body, ChunkedStep) == chunked


def test_sgd_packs_step_whole() -> None:
    members = [Member(i, parse_arm("none")) for i in range(4)]
    tr = PackTrainer(
        tiny_dataset(n=64),
        ModelConfig(hidden=(8,)),
        OptimizerConfig(name="sgd"),
        TrainConfig(),
        members,
    )
    assert not isinstance(tr.stepper.body, ChunkedStep)
    with pytest.raises(ValueError, match="chunked step needs"):
        PackTrainer(
            tr.data,
            ModelConfig(hidden=(8,)),
            OptimizerConfig(name="sgd"),
            TrainConfig(),
            tr.members,
            path="chunked",
        )
