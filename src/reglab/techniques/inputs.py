"""What happens to a training batch's inputs before the model sees them, per member:
augmentation (reglab.techniques.augment), then Gaussian noise (reglab.techniques.noise).

``InputPlan.of`` is made once per pack from the members' settings; ``apply`` runs every
training step on the members' own batches x [M, B, D] (never at evaluation). Each member's
draws come from its own keys and the step number, so they do not depend on its pack::

    >>> plan = InputPlan.of([Augment(2), Augment()], torch.tensor([0.0, 0.1]), [0, 1],
    ...                     image_shape=(1, 8, 8))
    >>> plan.apply(torch.rand(2, 32, 64), step=0).shape
    torch.Size([2, 32, 64])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from reglab import seeding
from reglab.techniques.augment import Augment, flip, shift
from reglab.techniques.noise import add_noise, normal

__all__ = ["InputPlan"]


@dataclass(frozen=True)
class InputPlan:
    """Per-member max shift [M] (int64, 0: none), flip flags [M] (bool), noise std [M]
    (None: no member adds noise), their keys [M], and the image shape (C, H, W)."""

    max_shift: torch.Tensor | None
    flips: torch.Tensor | None
    std: torch.Tensor | None
    augment_keys: torch.Tensor
    noise_keys: torch.Tensor
    image_shape: tuple[int, int, int] | None
    bound: int = 0  # the largest max shift

    @staticmethod
    def of(
        augments: Sequence[Augment],
        std: torch.Tensor,
        seeds: Sequence[int],
        image_shape: tuple[int, int, int] | None,
        device: torch.device | str = "cpu",
    ) -> InputPlan | None:
        """The plan for members with ``augments`` and noise ``std`` [M]; None if all off."""
        shifts = [a.shift for a in augments]
        flips = [a.flip for a in augments]
        if not any(shifts) and not any(flips) and not bool((std > 0).any()):
            return None
        if (any(shifts) or any(flips)) and image_shape is None:
            raise ValueError("augmentation needs image data")
        return InputPlan(
            max_shift=torch.tensor(shifts, device=device) if any(shifts) else None,
            flips=torch.tensor(flips, device=device) if any(flips) else None,
            std=std.to(device) if bool((std > 0).any()) else None,
            augment_keys=seeding.member_keys(seeds, "augment", device),
            noise_keys=seeding.member_keys(seeds, "noise", device),
            image_shape=image_shape,
            bound=max(shifts),
        )

    def apply(self, x: torch.Tensor, step: int | torch.Tensor) -> torch.Tensor:
        """The members' training inputs x [M, B, D], augmented then noised."""
        m, b, d = x.shape
        if self.max_shift is not None or self.flips is not None:
            assert self.image_shape is not None  # of() checks it
            images = x.reshape(m * b, *self.image_shape)  # [M*B, C, H, W]
            bits = seeding.random_bits(self.augment_keys, step, 3 * b).view(m, 3, b)
            if self.max_shift is not None:
                span = (2 * self.max_shift + 1).view(m, 1)  # [M, 1]: offsets -k..k
                dy = (bits[:, 0] >> 8) % span - self.max_shift.view(m, 1)  # [M, B]
                dx = (bits[:, 1] >> 8) % span - self.max_shift.view(m, 1)
                images = shift(images, dy.flatten(), dx.flatten(), self.bound)
            if self.flips is not None:
                which = ((bits[:, 2] >> 8) & 1).bool() & self.flips.view(m, 1)  # [M, B]
                images = flip(images, which.flatten())
            x = images.reshape(m, b, d)
        if self.std is not None:
            x = add_noise(x, self.std, normal(self.noise_keys, step, (b, d)))
        return x
