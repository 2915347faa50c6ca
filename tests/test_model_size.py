"""The pack-sizing estimate counts each family's own parameters and feature maps."""

from __future__ import annotations

import pytest
import torch

from reglab.config import ModelConfig, TrainConfig
from reglab.models import create_model
from reglab.models.size import model_size
from reglab.study.plan import members_that_fit

CNN = ModelConfig(family="cnn", channels=(8, 16), hidden=(32,))


@pytest.mark.parametrize(
    ("config", "shape"),
    [(ModelConfig(hidden=(64, 32)), (784,)), (CNN, (1, 28, 28)), (CNN, (3, 12, 12))],
)
@pytest.mark.parametrize("bn", [False, True])
def test_params_equal_the_built_model(
    config: ModelConfig, shape: tuple[int, ...], bn: bool
) -> None:
    net = create_model(
        config,
        in_features=int(torch.tensor(shape).prod()),
        input_shape=shape,
        out_features=10,
        seeds=[0, 1, 2],
        bn=bn,
    )
    built = sum(p.numel() for p in net.parameters()) // net.members
    assert model_size(config, shape, 10, bn).params == built


def test_cnn_maps_are_counted_by_hand() -> None:
    # conv 8 on 1x28x28: maps 8*28*28 (x2: conv, ReLU), pooled 8*14*14 (x3 with argmax);
    # conv 16 on 8x14x14: 16*14*14 x2, pooled 16*7*7 x3; input 784; head 32 + 10 units
    maps = 784 + 8 * 784 * 2 + 8 * 196 * 3 + 16 * 196 * 2 + 16 * 49 * 3
    size = model_size(CNN, (1, 28, 28), 10)
    assert size.train_floats == 2 * maps + 6 * 42
    assert (
        size.eval_floats == max(784 + 8 * 784 * 2 + 8 * 196, 8 * 196 + 16 * 196 * 2 + 16 * 49) + 84
    )


def test_a_cnn_pack_holds_fewer_members_than_an_mlp_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reglab.study.plan.free_bytes", lambda device: 2 << 30)
    cuda = torch.device("cuda")  # uncapped (the CPU caps packs at 16); nothing runs on it
    train = TrainConfig()
    mlp = members_that_fit(ModelConfig(hidden=(128,)), train, (784,), 10, cuda)
    cnn = members_that_fit(ModelConfig(family="cnn", hidden=(128,)), train, (1, 28, 28), 10, cuda)
    assert 1 <= cnn < mlp / 5


def test_a_cnn_on_non_image_data_is_refused() -> None:
    with pytest.raises(Exception, match="only for image data"):
        model_size(CNN, (784,), 10)
