"""Model families trained by the engine; each holds M members with a leading dimension.

A family implements ``PackedModel`` (models/protocol.py) and is registered in ``FAMILIES``
under its name; ``create_model`` is the one place a family is chosen. To add one (a CNN,
say): write ``models/cnn.py`` with a class implementing PackedModel and a ``create``
matching ``ModelFactory``, add ``"cnn": PackedCNN.create`` here, and the name to
``reglab.config.ModelFamily``; the engine's reference step, optimizer, measurements,
checkpoints and early stopping then work unchanged (the hand-written and chunked fast
paths are the MLP's and step aside for other families: reglab.engine.step.select_step).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from reglab.config import ModelConfig
from reglab.models.activation import ACTIVATIONS, Activation
from reglab.models.cnn import PackedCNN
from reglab.models.mlp import PackedMLP
from reglab.models.protocol import ModelFactory, PackedModel

__all__ = [
    "ACTIVATIONS",
    "FAMILIES",
    "Activation",
    "ModelFactory",
    "PackedCNN",
    "PackedMLP",
    "PackedModel",
    "create_model",
]

FAMILIES: dict[str, ModelFactory] = {"mlp": PackedMLP.create, "cnn": PackedCNN.create}


def create_model(
    config: ModelConfig,
    *,
    in_features: int,
    input_shape: tuple[int, ...],
    out_features: int,
    seeds: Sequence[int],
    bn: bool,
    device: torch.device | str = "cpu",
) -> PackedModel:
    """The pack of ``config``'s family: M members, member i initialized from seeds[i]."""
    factory = FAMILIES[config.family]
    return factory(
        config,
        in_features=in_features,
        input_shape=input_shape,
        out_features=out_features,
        seeds=seeds,
        bn=bn,
        device=device,
    )
