"""The chunked first-layer update (engine/chunked.py) and the slice path of the dropout rows
(engine/backprop.py) give the plain step's numbers bit for bit."""

from __future__ import annotations

import pytest
import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import Member, PackTrainer
from tests.engine_helpers import tiny_dataset

PACKS = {
    "seeds x {none, dropout}: rows 1::2": (["none", "dropout=0.5"] * 3, (24,)),
    "rows not a slice": (["dropout=0.3", "none", "none", "dropout=0.5", "dropout=0.2"], (24,)),
    "all drop": (["dropout=0.5", "dropout=0.2", "dropout=0.4", "dropout=0.1"], (24,)),
    "two hidden layers": (["none", "dropout=0.5"] * 2, (24, 16)),
}


def _pack(arms: list[str], hidden: tuple[int, ...], path: str) -> PackTrainer:
    members = [Member(i // 2, parse_arm(a)) for i, a in enumerate(arms)]
    train = TrainConfig(epochs=3, batch_size=32, train_eval_size=64)
    tr = PackTrainer(
        tiny_dataset(n=200), ModelConfig(hidden=hidden), OptimizerConfig(), train, members
    )
    if path in ("plain", "autograd"):
        tr.chunked = None
    if path == "autograd":
        tr.backprop = None
    return tr


@pytest.mark.parametrize("name", list(PACKS))
@pytest.mark.parametrize("other", ["plain", "autograd"])
def test_chunked_step_is_bit_identical(name: str, other: str) -> None:
    arms, hidden = PACKS[name]
    fast, ref = _pack(arms, hidden, "chunked"), _pack(arms, hidden, other)
    assert fast.chunked is not None
    for _ in range(3):  # 7 batches an epoch, the last one ragged: epochs end and restart
        got, want = fast.train_epoch(), ref.train_epoch()
        assert [r.data_loss for r in got] == [r.data_loss for r in want]
    assert fast.chunked.ahead is None  # nothing computed ahead across an epoch's end
    for p, q in zip(fast.net.parameters(), ref.net.parameters(), strict=True):
        assert torch.equal(p, q)
        sp, sq = fast.opt.inner.state[p], ref.opt.inner.state[q]
        assert all(torch.equal(sp[k], sq[k]) for k in ("step", "exp_avg", "exp_avg_sq"))


@pytest.mark.parametrize(
    "arms",
    [
        ["none", "dropout=0.5"],
        ["bn"] * 4,
        ["l2=1e-4"] * 4,
        ["wd=1e-4"] * 4,
        ["maxnorm=3"] * 4,
        ["indrop=0.2"] * 4,
    ],
)
def test_chunked_only_where_it_applies(arms: list[str]) -> None:
    assert _pack(arms, (24,), "chunked").chunked is None
