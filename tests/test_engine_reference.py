"""The engine against a conventional one-model PyTorch loop given the same init, order, masks."""

from __future__ import annotations

import pytest
import torch

from reglab.arms import parse_arm
from reglab.config import ModelConfig, OptimizerConfig, Regularization, TrainConfig
from reglab.engine import Member, PackTrainer
from tests.engine_helpers import (
    assert_close_rel,
    reference_model,
    reference_train,
    run_steps,
    tiny_dataset,
)

STEPS = 60
MODEL = ModelConfig(hidden=(32,))


def _pack(arms: list[str], optimizer: OptimizerConfig | None = None, seed: int = 3) -> PackTrainer:
    members = [Member(seed, parse_arm(a)) for a in arms]
    return PackTrainer(
        tiny_dataset(),
        MODEL,
        optimizer or OptimizerConfig(),
        TrainConfig(epochs=1, batch_size=16, train_eval_size=64),
        members,
    )


def _compare(pack: PackTrainer, ref: torch.nn.Sequential, rel: float = 1e-5) -> None:
    w0, w1 = pack.model.weights[0].detach()[0], pack.model.weights[1].detach()[0]
    assert_close_rel(w0, ref[0].weight.detach().T, rel)
    assert_close_rel(w1, ref[2].weight.detach().T, rel)
    assert_close_rel(pack.model.biases[0].detach()[0, 0], ref[0].bias.detach(), rel)


@pytest.mark.parametrize(
    "opt",
    [OptimizerConfig(), OptimizerConfig(name="sgd", lr=0.05, momentum=0.9, nesterov=True)],
    ids=["adam", "sgd-nesterov"],
)
def test_pack_of_one_matches_plain_loop(opt: OptimizerConfig) -> None:
    pack = _pack(["none"], opt)
    ref = reference_model(pack, 0)
    if opt.name == "adam":
        ref_opt: torch.optim.Optimizer = torch.optim.Adam(ref.parameters(), lr=opt.lr, eps=opt.eps)
    else:
        ref_opt = torch.optim.SGD(ref.parameters(), lr=opt.lr, momentum=0.9, nesterov=True)
    reference_train(pack, 0, ref, ref_opt, STEPS)
    run_steps(pack, STEPS)
    _compare(pack, ref)


def test_dropout_matches_plain_loop_with_same_masks() -> None:
    pack = _pack(["dropout=0.5"])
    ref = reference_model(pack, 0)
    reference_train(pack, 0, ref, torch.optim.Adam(ref.parameters(), eps=1e-7), STEPS, dropout=0.5)
    run_steps(pack, STEPS)
    _compare(pack, ref)


def test_l1_l2_match_autograd_penalty() -> None:
    """Unequal coefficients, so swapping L1 and L2 anywhere in the engine is caught."""
    pack = _pack(["l1=1e-3+l2=5e-3"])
    run_steps(pack, STEPS)

    def trained(l1: float, l2: float) -> torch.nn.Sequential:
        ref = reference_model(_pack(["none"]), 0)

        def penalty(model: torch.nn.Sequential) -> torch.Tensor:
            kernels = [model[0].weight, model[2].weight]
            return sum(l1 * k.abs().sum() + l2 * k.square().sum() for k in kernels)

        opt = torch.optim.Adam(ref.parameters(), eps=1e-7)
        reference_train(pack, 0, ref, opt, STEPS, extra_loss=penalty)
        return ref

    _compare(pack, trained(1e-3, 5e-3), rel=1e-4)  # sign(w) near 0: rounding-sensitive L1
    swapped = trained(5e-3, 1e-3)
    with pytest.raises(AssertionError, match="relative error"):
        _compare(pack, swapped, rel=1e-4)


def test_weight_decay_is_adamw_on_kernels() -> None:
    pack = _pack(["wd=0.05"])
    ref = reference_model(pack, 0)
    groups = [
        {"params": [ref[0].weight, ref[2].weight], "weight_decay": 0.05},
        {"params": [ref[0].bias, ref[2].bias], "weight_decay": 0.0},
    ]
    reference_train(pack, 0, ref, torch.optim.AdamW(groups, lr=1e-3, eps=1e-7), STEPS)
    run_steps(pack, STEPS)
    _compare(pack, ref)


def test_maxnorm_matches_projection_after_each_step() -> None:
    pack = _pack(["maxnorm=0.5"])
    ref = reference_model(pack, 0)

    def project(model: torch.nn.Sequential) -> None:
        with torch.no_grad():
            for lin in (model[0], model[2]):
                norms = lin.weight.norm(dim=1, keepdim=True)  # [out, 1]: incoming per unit
                lin.weight.mul_((0.5 / norms.clamp_min(1e-12)).clamp_max(1.0))

    reference_train(
        pack, 0, ref, torch.optim.Adam(ref.parameters(), eps=1e-7), STEPS, after_step=project
    )
    run_steps(pack, STEPS)
    _compare(pack, ref)
    assert pack.model.weights[0].detach().norm(dim=1).max() <= 0.5 + 1e-5


def test_l2_and_weight_decay_differ_under_adam() -> None:
    """With Adam, an L2 penalty is rescaled by the adaptive denominator; decay is not."""
    pack = _pack(["l2=0.05", "wd=0.05"])
    run_steps(pack, STEPS)
    a, b = (pack.model.weights[0].detach()[i] for i in range(2))
    assert (a - b).norm() / b.norm() > 1e-3


def test_adamw_optimizer_applies_default_decay() -> None:
    pack = _pack(["none"], OptimizerConfig(name="adamw"))
    assert pack.state.coefs.wd.tolist() == pytest.approx([0.01])
    plain = _pack(["none"], OptimizerConfig())
    assert plain.state.coefs.wd.tolist() == [0.0]
    assert Regularization() == parse_arm("none")
