"""The model protocol: the MLP implements PackedModel, the family is chosen by ModelConfig."""

from __future__ import annotations

import pytest
import torch

from reglab.config import ModelConfig
from reglab.errors import ConfigError
from reglab.models import FAMILIES, PackedMLP, PackedModel, create_model


def _mlp(bn: bool = False) -> PackedModel:
    config = ModelConfig(hidden=(6, 5))
    return create_model(
        config, in_features=4, input_shape=(4,), out_features=3, seeds=[0, 1], bn=bn
    )


def test_the_mlp_implements_the_protocol_and_is_the_default_family() -> None:
    model = _mlp()
    assert isinstance(model, PackedMLP) and isinstance(model, PackedModel)
    assert FAMILIES[ModelConfig().family] is PackedMLP.create
    assert model.members == 2 and model.dropout_layers == 2
    assert [k.shape for k in model.kernels()] == [(2, 4, 6), (2, 6, 5), (2, 5, 3)]
    assert model.forward(torch.rand(7, 4), training=False).shape == (2, 7, 3)


def test_tensors_hold_the_whole_state_and_with_tensors_round_trips() -> None:
    model = _mlp(bn=True)
    params = model.parameters()
    state = model.tensors()
    assert state[: len(params)] == params  # parameters first, then the BN running statistics
    assert len(state) == len(params) + 2 * 2
    x = torch.rand(7, 4)
    copy = model.with_tensors([t.detach().clone() for t in state])
    assert torch.equal(copy.forward(x, training=False), model.forward(x, training=False))
    zero = model.with_tensors([torch.zeros_like(t) for t in state])
    assert not torch.equal(zero.forward(x, training=False), model.forward(x, training=False))


def test_unknown_family_is_refused_at_the_boundary() -> None:
    with pytest.raises(ConfigError, match="'family' parameter of ModelConfig must be one of"):
        ModelConfig.from_dict({"family": "transformer"})
