"""CNN packs: the forward against plain nn.Conv2d modules, a training step against a
conventional PyTorch loop, member independence (alone vs in a pack), techniques on conv
kernels, and one clear error where a technique or the family does not apply."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from reglab import seeding
from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, Regularization, TrainConfig
from reglab.data import Dataset
from reglab.engine import Member, PackTrainer, train_pack
from reglab.errors import ConfigError
from reglab.models import PackedCNN, PackedModel, create_model
from reglab.techniques import BN_EPS, BN_MOMENTUM, maxnorm_
from tests.engine_helpers import tiny_dataset

CFG = ModelConfig(family="cnn", channels=(3, 4), hidden=(8,))


def image_dataset(n: int = 96, seed: int = 0) -> Dataset:
    """Tiny 1x8x8 images of 3 classes: a bright bar in row 1, 4 or 6, plus noise."""
    gen = torch.Generator().manual_seed(seed)

    def split(size: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, 3, (size,), generator=gen)
        x = torch.rand(size, 1, 8, 8, generator=gen) * 0.3
        x[torch.arange(size), 0, 1 + 2 * y + (y == 2).long()] += 1.0
        return x.flatten(1), y

    (xt, yt), (xv, yv), (xs, ys) = split(n), split(n // 2), split(n // 2)
    return Dataset(
        "bars",
        "classification",
        xt,
        yt,
        xv,
        yv,
        xs,
        ys,
        3,
        (8, 8),
        "test",
        "0",
        image_shape=(1, 8, 8),
    )


def plain_cnn(net: PackedCNN, i: int, bn: bool = False) -> nn.Sequential:
    """Member i as an nn.Sequential of nn.Conv2d / BatchNorm / MaxPool / Linear modules."""
    layers: list[nn.Module] = []
    for layer, w in enumerate(net.conv_w):
        k, c_in, c_out = w.shape[1], w.shape[3], w.shape[4]
        conv = nn.Conv2d(c_in, c_out, k, padding="same", bias=not bn)
        with torch.no_grad():
            conv.weight.copy_(w[i].permute(3, 2, 0, 1))  # Keras [k, k, in, out] -> torch
            if not bn:
                conv.bias.copy_(net.conv_b[layer][i])
        layers.append(conv)
        if bn:
            norm = nn.BatchNorm2d(c_out, eps=BN_EPS, momentum=BN_MOMENTUM)
            with torch.no_grad():
                norm.weight.copy_(net.gammas[layer][i])
                norm.bias.copy_(net.betas[layer][i])
            layers.append(norm)
        layers += [nn.ReLU(), nn.MaxPool2d(net.pooling)]
    layers.append(nn.Flatten())
    last = len(net.dense_w) - 1
    for layer, w in enumerate(net.dense_w):
        lin = nn.Linear(w.shape[1], w.shape[2], bias=not bn or layer == last)
        with torch.no_grad():
            lin.weight.copy_(w[i].T)
            if lin.bias is not None:
                lin.bias.copy_(net.dense_b[layer - last - 1 + len(net.dense_b)][i, 0])
        layers.append(lin)
        if layer < len(net.dense_w) - 1:
            if bn:
                layers.append(nn.BatchNorm1d(w.shape[2], eps=BN_EPS, momentum=BN_MOMENTUM))
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make(seeds: list[int], bn: bool = False) -> PackedCNN:
    net = create_model(
        CFG, in_features=64, input_shape=(1, 8, 8), out_features=3, seeds=seeds, bn=bn
    )
    assert isinstance(net, PackedCNN)
    return net


def test_pack_implements_the_protocol_with_keras_kernel_layout() -> None:
    net = make([0, 1])
    assert isinstance(net, PackedModel)
    assert [tuple(w.shape) for w in net.kernels()] == [
        (2, 3, 3, 1, 3),
        (2, 3, 3, 3, 4),
        (2, 16, 8),
        (2, 8, 3),
    ]
    assert torch.equal(make([1]).conv_w[0][0], net.conv_w[0][1])  # init from the seed alone


@pytest.mark.parametrize("bn", [False, True])
def test_forward_matches_plain_torch_modules(bn: bool) -> None:
    net = make([0, 1, 2], bn=bn)
    x = torch.rand(3, 16, 64)  # [M, B, D]: each member its own batch
    out = net.forward(x, training=True)
    shared = net.forward(x[0], training=False)  # [B, D] shared, after the stats moved
    for i in range(3):
        ref = plain_cnn(make([0, 1, 2], bn=bn), i, bn)
        torch.testing.assert_close(out[i], ref(x[i].view(16, 1, 8, 8)), rtol=1e-5, atol=1e-5)
        ref.eval()
        torch.testing.assert_close(shared[i], ref(x[0].view(16, 1, 8, 8)), rtol=1e-5, atol=1e-5)


def test_evaluation_in_chunks_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    net, x = make([0, 1]), torch.rand(40, 64)
    whole, taps_whole = net.forward(x, training=False), []
    net.forward(x, training=False, taps=taps_whole)
    monkeypatch.setattr("reglab.models.cnn._EVAL_ROWS", 16)
    taps: list[torch.Tensor] = []
    torch.testing.assert_close(net.forward(x, training=False, taps=taps), whole)
    assert [t.shape for t in taps] == [t.shape for t in taps_whole]
    assert taps[0].shape == (2, 40, 3)  # [M, B, channels] for a conv block


def test_training_matches_a_conventional_loop() -> None:
    """Three Adam steps of member 0 equal an nn.Sequential trained by torch.optim.Adam."""
    data, opt_cfg = image_dataset(), OptimizerConfig()
    trainer = PackTrainer(
        data, CFG, opt_cfg, TrainConfig(batch_size=16), [Member(0, Regularization())]
    )
    assert isinstance(trainer.model, PackedCNN)
    ref = plain_cnn(trainer.model, 0)
    opt = torch.optim.Adam(ref.parameters(), lr=opt_cfg.lr, eps=opt_cfg.eps)
    order = seeding.permutations(torch.tensor([seeding.key(0, "order")]), 0, len(data.x_train))[0]
    for step, idx in enumerate(trainer.batches(0)[:3]):
        trainer.train_batch(idx)
        rows = order[step * 16 : (step + 1) * 16]
        loss = nn.functional.cross_entropy(
            ref(data.x_train[rows].view(-1, 1, 8, 8)), data.y_train[rows]
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
    got = trainer.model.conv_w[1][0].detach().permute(3, 2, 0, 1)
    torch.testing.assert_close(got, ref[3].weight.detach(), rtol=1e-4, atol=1e-5)


ARMS = ["none", "dropout=0.3+sdrop=0.2", "augment=shift1+noise=0.1", "smooth=0.1+l2=1e-3", "bn"]


@pytest.mark.parametrize("arm", ARMS[1:])
def test_member_alone_equals_member_in_a_pack(arm: str) -> None:
    data, reg = image_dataset(), parse_arm(arm)
    others = [Member(s, parse_arm("bn" if reg.bn else a)) for s, a in [(5, "none"), (6, ARMS[1])]]

    def train(members: list[Member]) -> list[torch.Tensor]:
        t = PackTrainer(data, CFG, OptimizerConfig(), TrainConfig(batch_size=16), members)
        for idx in t.batches(0)[:4]:
            t.train_batch(idx)
        return [p.detach() for p in t.model.tensors()]

    alone = train([Member(3, reg)])
    packed = train([others[0], Member(3, reg), others[1]])
    for a, p in zip(alone, packed, strict=True):
        torch.testing.assert_close(a[0], p[1], rtol=1e-5, atol=1e-6)


def test_maxnorm_bounds_each_output_filter_as_keras() -> None:
    w = make([0, 1]).conv_w[1].detach().clone() * 50  # [M, k, k, in, out]
    maxnorm_(w, torch.tensor([1.0, 2.0]))
    norms = w.square().sum((1, 2, 3)).sqrt()  # Keras MaxNorm(axis=[0, 1, 2]) per member
    torch.testing.assert_close(norms, torch.tensor([[1.0] * 4, [2.0] * 4]))


def test_weight_decay_and_penalties_reach_conv_kernels() -> None:
    data = image_dataset()
    members = [
        Member(0, Regularization()),
        Member(0, parse_arm("wd=0.5")),
        Member(0, parse_arm("l1=0.1")),
    ]
    t = PackTrainer(data, CFG, OptimizerConfig(), TrainConfig(batch_size=16), members)
    for idx in t.batches(0)[:3]:
        t.train_batch(idx)
    l1 = t.model.conv_w[1].detach().abs().flatten(1).sum(1)  # [M]
    assert l1[1] < l1[0] and l1[2] < l1[0]


def test_spatial_dropout_drops_whole_channels() -> None:
    net = make([0, 1])
    from reglab.techniques import DropoutPlan

    plan = DropoutPlan.of(
        torch.zeros(2),
        torch.zeros(2),
        [0, 1],
        1,
        spatial_rate=torch.tensor([0.0, 0.5]),
        spatial_layers=net.spatial_dropout_layers,
    )
    assert plan is not None and plan.spatial[0] is not None
    h = torch.ones(4, 2 * 3, 5, 5)  # [B, M*C, H, W]
    out = plan.spatial[0].apply_channels(h, 7, 2).view(4, 2, 3, 25)
    assert bool((out[:, 0] == 1).all())  # member 0 drops nothing
    per_map = out[:, 1].amin(2), out[:, 1].amax(2)
    assert torch.equal(*per_map)  # one value per whole feature map
    assert set(out[:, 1].unique().tolist()) == {0.0, 2.0}


def test_techniques_that_do_not_apply_fail_before_training() -> None:
    mlp = ModelConfig(hidden=(8,))
    with pytest.raises(ConfigError, match=r"'spatial_dropout' parameter .* family 'mlp'"):
        PackTrainer(
            image_dataset(),
            mlp,
            OptimizerConfig(),
            TrainConfig(),
            [Member(0, parse_arm("sdrop=0.1"))],
        )
    with pytest.raises(ConfigError, match="must be 'mlp' for data without an image shape"):
        PackTrainer(
            tiny_dataset(), CFG, OptimizerConfig(), TrainConfig(), [Member(0, Regularization())]
        )


def test_cnn_config_round_trips_and_validates() -> None:
    cfg = ModelConfig.from_dict({"family": "cnn", "channels": [8, 16], "kernel": 5, "pooling": 2})
    assert cfg.channels == (8, 16) and ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError, match="The 'kernel' parameter of ModelConfig must be an int"):
        ModelConfig(family="cnn", kernel=0)
    with pytest.raises(
        ConfigError, match="The 'activation' parameter of ModelConfig must be 'relu'"
    ):
        ModelConfig(family="cnn", activation="tanh")
    with pytest.raises(ConfigError, match="allow a 2x2 pooling per block"):
        create_model(
            ModelConfig(family="cnn", channels=(2,) * 4),
            in_features=64,
            input_shape=(1, 8, 8),
            out_features=3,
            seeds=[0],
            bn=False,
        )


def test_checkpoint_resume_and_early_stopping_work_on_a_cnn_pack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, train = image_dataset(), TrainConfig(epochs=3, batch_size=16, train_eval_size=48)
    members = [Member(0, parse_arm("bn+sdrop=0.2+es=0")), Member(1, parse_arm("bn+augment=shift1"))]

    def trainer() -> PackTrainer:
        return PackTrainer(data, CFG, OptimizerConfig(), train, members)

    whole = train_pack(trainer())
    first = trainer()
    first.train_epoch()
    torch.save(first.state_dict(), tmp_path / "ck.pt")
    second = trainer()
    second.load_state_dict(torch.load(tmp_path / "ck.pt", weights_only=True))
    resumed = train_pack(second)
    for a, b in zip(whole, resumed, strict=True):
        assert a.test_acc == b.test_acc and a.stop_epoch == b.stop_epoch
        assert [r.val_loss for r in a.epochs] == [r.val_loss for r in b.epochs]
    assert whole[0].best_epoch <= whole[0].stop_epoch
