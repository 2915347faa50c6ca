"""Pack semantics: invariance to pack company, divergence isolation, checkpoints, BN stats."""

from __future__ import annotations

import math

import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import Member, PackTrainer, train_pack
from tests.engine_helpers import assert_close_rel, member_weights, run_steps, tiny_dataset

MODEL = ModelConfig(hidden=(32, 16))
TRAIN = TrainConfig(epochs=4, batch_size=16, train_eval_size=64)


def _trainer(
    members: list[Member], opt: OptimizerConfig | None = None, train: TrainConfig = TRAIN
) -> PackTrainer:
    return PackTrainer(tiny_dataset(), MODEL, opt or OptimizerConfig(), train, members)


def test_member_matches_itself_alone_in_a_pack_of_eight() -> None:
    torch.use_deterministic_algorithms(True)
    try:
        target = Member(7, parse_arm("dropout=0.3+l2=1e-3+maxnorm=2+es=1"))
        others = [
            Member(s, parse_arm(a))
            for s, a in [
                (0, "none"),
                (1, "l1=1e-3"),
                (2, "wd=0.1"),
                (3, "indrop=0.2"),
                (7, "none"),
                (5, "dropout=0.5"),
                (6, "es=2"),
            ]
        ]
        pack = _trainer([*others[:3], target, *others[3:]])
        alone = _trainer([target])
        run_steps(pack, 100)
        run_steps(alone, 100)
        for a, b in zip(member_weights(pack, 3), member_weights(alone, 0), strict=True):
            assert_close_rel(a, b, 1e-5)
        pack_res, alone_res = train_pack(_trainer([*others, target])), train_pack(alone)
        assert pack_res[-1].stop_epoch == alone_res[0].stop_epoch
        assert pack_res[-1].best_epoch == alone_res[0].best_epoch
    finally:
        torch.use_deterministic_algorithms(False)


def test_paired_seeds_share_initial_weights_and_order_across_arms() -> None:
    pack = _trainer([Member(4, parse_arm("none")), Member(4, parse_arm("dropout=0.5+l2=1"))])
    w = pack.model.weights[0].detach()
    assert torch.equal(w[0], w[1])
    bn = _trainer([Member(4, parse_arm("bn"))])
    assert torch.equal(bn.model.weights[0].detach()[0], w[0])


def test_diverging_member_is_isolated() -> None:
    sgd = OptimizerConfig(name="sgd", lr=0.5)
    calm = [Member(s, parse_arm("none")) for s in (0, 1)]
    wild = Member(2, parse_arm("l2=50"))  # SGD with a huge L2 coefficient blows up
    with_wild = train_pack(_trainer([calm[0], wild, calm[1]], sgd))
    without = train_pack(_trainer(calm, sgd))
    assert with_wild[1].status == "diverged"
    assert with_wild[1].diverged_epoch == 1 and math.isnan(with_wild[1].test_acc)
    assert len(with_wild[1].epochs) == 1
    for a, b in zip([with_wild[0], with_wild[2]], without, strict=True):
        assert a.status == "ok" and a.test_acc == b.test_acc
        assert len(a.epochs) == TRAIN.epochs


def test_checkpoint_resume_equals_uninterrupted(tmp_path) -> None:
    members = [Member(0, parse_arm("dropout=0.5+es=1")), Member(1, parse_arm("l1=1e-3"))]
    whole = train_pack(_trainer(members))
    first = _trainer(members)
    first.train_epoch()
    first.train_epoch()
    torch.save(first.state_dict(), tmp_path / "ck.pt")
    second = _trainer(members)
    second.load_state_dict(torch.load(tmp_path / "ck.pt", weights_only=True))
    resumed = train_pack(second)
    for a, b in zip(whole, resumed, strict=True):
        assert a.test_acc == b.test_acc and a.stop_epoch == b.stop_epoch
        assert [r.val_loss for r in a.epochs] == [r.val_loss for r in b.epochs]


def test_early_stopped_member_restores_best_weights() -> None:
    train = TrainConfig(epochs=12, batch_size=16, train_eval_size=64)
    res = train_pack(_trainer([Member(0, parse_arm("es=0"))], OptimizerConfig(lr=0.05), train))
    r = res[0]
    assert r.stop_epoch < train.epochs  # patience 0 stops at the first non-improving epoch
    best = min(r.epochs, key=lambda e: e.val_loss)
    assert r.best_epoch == best.epoch


def test_batch_norm_running_stats_are_per_member() -> None:
    pack = _trainer([Member(0, parse_arm("bn")), Member(1, parse_arm("bn"))])
    run_steps(pack, 10)
    mean = pack.model.bn_stats[0].mean
    assert mean.shape == (2, 32)
    assert not torch.allclose(mean[0], mean[1])
    assert not torch.allclose(mean[0], torch.zeros(32))
