"""Image and label regularizers against plain PyTorch: shifts (pad + crop, as torchvision's
RandomCrop(padding=k)), flips (torch.flip), Gaussian input noise (x + std * randn's formula
and moments), label smoothing (F.cross_entropy(label_smoothing=)); their arms, their
per-member seeding, and one clear error where the data do not allow them."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from reglab.arms import format_arm, parse_arm
from reglab.config import ModelConfig, OptimizerConfig, Regularization, TrainConfig
from reglab.engine import Member, PackTrainer
from reglab.engine.loss import loss_per_member
from reglab.engine.step import ReferenceStep, select_step
from reglab.errors import ConfigError
from reglab.techniques import (
    Augment,
    InputPlan,
    add_noise,
    flip,
    normal,
    shift,
    smoothed_cross_entropy,
)
from tests.engine_helpers import tiny_dataset
from tests.test_cnn import image_dataset


def crop_reference(x: torch.Tensor, dy: int, dx: int, k: int) -> torch.Tensor:
    """torchvision RandomCrop(size, padding=k) at the crop offset that moves by (dy, dx)."""
    h, w = x.shape[-2:]
    padded = F.pad(x, (k, k, k, k))
    return padded[..., k - dy : k - dy + h, k - dx : k - dx + w]


def test_shift_equals_pad_and_crop_per_example() -> None:
    x = torch.rand(30, 2, 7, 9)
    dy, dx = torch.randint(-3, 4, (30,)), torch.randint(-3, 4, (30,))
    out = shift(x, dy, dx)
    for n in range(30):
        ref = crop_reference(x[n], int(dy[n]), int(dx[n]), 3)
        torch.testing.assert_close(out[n], ref, rtol=0, atol=0)
    torch.testing.assert_close(shift(x, dy, dx, bound=5), out, rtol=0, atol=0)


def test_flip_mirrors_only_the_chosen_images() -> None:
    x, which = torch.rand(6, 1, 4, 4), torch.tensor([True, False] * 3)
    out = flip(x, which)
    torch.testing.assert_close(out[which], torch.flip(x[which], dims=[3]), rtol=0, atol=0)
    torch.testing.assert_close(out[~which], x[~which], rtol=0, atol=0)


def test_augment_parses_and_names_what_the_data_must_allow() -> None:
    assert Augment.parse("shift2") == Augment(2, False)
    assert Augment.parse("shift1flip").kinds == ("shift", "flip")
    assert Augment.parse(None).kinds == ()
    with pytest.raises(ValueError, match="not an augmentation"):
        Augment.parse("rotate")


def test_input_plan_shifts_each_member_within_its_bound_and_leaves_others() -> None:
    plan = InputPlan.of([Augment(), Augment(1), Augment(2)], torch.zeros(3), [0, 1, 2], (1, 9, 9))
    assert plan is not None
    x = torch.zeros(3, 200, 81)
    x.view(3, 200, 9, 9)[:, :, 4, 4] = 1.0  # one bright pixel in the middle
    out = plan.apply(x, step=3).view(3, 200, 9, 9)
    torch.testing.assert_close(out[0], x[0].view(200, 9, 9), rtol=0, atol=0)
    for member, k in ((1, 1), (2, 2)):
        where = out[member].flatten(1).argmax(1)  # the pixel's new place
        dy, dx = where // 9 - 4, where % 9 - 4
        assert int(dy.abs().max()) == k and int(dx.abs().max()) == k
        assert len(set((dy * 10 + dx).tolist())) == (2 * k + 1) ** 2  # every offset occurs


def test_input_plan_draws_depend_on_the_member_alone() -> None:
    x = torch.rand(3, 16, 64)
    pack = InputPlan.of(
        [Augment(2), Augment(1), Augment(2)], torch.tensor([0.1, 0.0, 0.3]), [4, 5, 6], (1, 8, 8)
    )
    alone = InputPlan.of([Augment(2)], torch.tensor([0.3]), [6], (1, 8, 8))
    assert pack is not None and alone is not None
    torch.testing.assert_close(pack.apply(x, 9)[2], alone.apply(x[2:], 9)[0], rtol=0, atol=0)
    assert not torch.equal(pack.apply(x, 9), pack.apply(x, 10))  # new draws every step


def test_noise_is_x_plus_std_times_a_standard_normal() -> None:
    x, z = torch.rand(2, 8, 5), torch.randn(2, 8, 5)
    std = torch.tensor([0.0, 0.2])
    torch.testing.assert_close(add_noise(x, std, z), x + std.view(2, 1, 1) * z)
    draws = normal(torch.tensor([11, 12]), 0, (100_000,))
    torch.testing.assert_close(draws.mean(1), torch.zeros(2), rtol=0, atol=0.02)
    torch.testing.assert_close(draws.std(1), torch.ones(2), rtol=0, atol=0.02)
    kurt = ((draws - draws.mean(1, keepdim=True)) ** 4).mean(1) / draws.var(1) ** 2
    torch.testing.assert_close(kurt, torch.full((2,), 3.0), rtol=0, atol=0.1)  # a normal's


def test_input_plan_noise_has_each_members_std() -> None:
    plan = InputPlan.of([Augment()] * 2, torch.tensor([0.0, 0.5]), [0, 1], None)
    assert plan is not None
    x = torch.rand(2, 500, 40)
    diff = plan.apply(x, 0) - x
    assert float(diff[0].abs().max()) == 0.0
    assert abs(float(diff[1].std()) - 0.5) < 0.02


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.35])
def test_label_smoothing_equals_torch_cross_entropy(eps: float) -> None:
    out, y = torch.randn(3, 17, 6), torch.randint(0, 6, (3, 17))
    rate = torch.tensor([eps, 0.0, eps])
    got = smoothed_cross_entropy(out, y, rate)
    for i in range(3):
        ref = F.cross_entropy(out[i], y[i], label_smoothing=float(rate[i]))
        torch.testing.assert_close(got[i], ref)
    torch.testing.assert_close(loss_per_member(out, y, "classification", rate), got)


def test_new_arm_keys_parse_and_format() -> None:
    reg = parse_arm("sdrop=0.1+augment=shift2+noise=0.1+smooth=0.1")
    assert (reg.spatial_dropout, reg.augment, reg.noise, reg.smoothing) == (0.1, "shift2", 0.1, 0.1)
    assert parse_arm(format_arm(reg)) == reg
    with pytest.raises(ConfigError, match="The 'augment' parameter of Regularization must be"):
        parse_arm("augment=rotate")
    with pytest.raises(
        ConfigError, match="'smoothing' parameter of Regularization must be a float in"
    ):
        parse_arm("smooth=1.5")


def test_augmentation_the_data_do_not_allow_fails_before_training() -> None:
    mlp = ModelConfig(hidden=(8,))

    def build(data, arm: str) -> PackTrainer:  # type: ignore[no-untyped-def]
        return PackTrainer(data, mlp, OptimizerConfig(), TrainConfig(), [Member(0, parse_arm(arm))])

    with pytest.raises(ConfigError, match=r"allows \(shift\)\. Got 'flip' instead"):
        build(image_dataset(), "augment=flip")  # digits-like data: no flips
    with pytest.raises(ConfigError, match="nothing: not image data"):
        build(tiny_dataset(), "augment=shift1")
    assert isinstance(build(tiny_dataset(), "noise=0.1+smooth=0.1").stepper.body, ReferenceStep)


def test_mlp_with_image_regularizers_trains_on_the_reference_step() -> None:
    data, mlp = image_dataset(), ModelConfig(hidden=(16,))
    members = [
        Member(0, Regularization()),
        Member(0, parse_arm("augment=shift1+noise=0.05+smooth=0.1")),
    ]
    t = PackTrainer(data, mlp, OptimizerConfig(), TrainConfig(batch_size=16), members)
    with pytest.raises(ValueError, match="reference step only"):
        select_step(t.state, TrainConfig(), path="backprop")
    for idx in t.batches(0):
        t.train_batch(idx)
    assert t.stepper.acc.isfinite().all()
