"""Data augmentation on the device: random translations and horizontal flips, per example.

``shift`` moves each image by its own (dy, dx) pixels, filling with zeros, which is
torchvision's ``RandomCrop(size, padding=k)`` (pad by k, crop at a random offset) written as
two gathers so a whole pack's batch [N, C, H, W] moves in one op; ``flip`` mirrors the
chosen images left to right. Flips are wrong for digits (a mirrored 2 is no digit), so a
dataset declares what it allows (``Dataset.augmentations``). The offsets come from the
member's own stream (reglab.seeding, purpose "augment"), so a member's augmentations do not
depend on its pack (Simard et al. 2003; Krizhevsky et al. 2012)::

    >>> x = torch.zeros(1, 1, 5, 5); x[0, 0, 2, 2] = 1
    >>> shift(x, torch.tensor([1]), torch.tensor([-2]))[0, 0].nonzero().tolist()
    [[3, 0]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch

__all__ = ["Augment", "flip", "shift"]


@dataclass(frozen=True)
class Augment:
    """One arm's augmentation: translations of up to ``shift`` px, and flips or not."""

    shift: int = 0
    flip: bool = False

    @staticmethod
    def parse(text: str | None) -> Augment:
        """``"shift2"`` -> Augment(2, False), ``"flip"``, ``"shift1flip"``; None -> off."""
        if text is None:
            return Augment()
        match = re.fullmatch(r"(?:shift([1-9][0-9]*))?(flip)?", text)
        if match is None or not text:
            raise ValueError(f"not an augmentation: {text!r}")
        return Augment(int(match.group(1) or 0), match.group(2) is not None)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The names a dataset must allow: "shift", "flip"."""
        return (("shift",) if self.shift else ()) + (("flip",) if self.flip else ())


def shift(
    x: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor, bound: int | None = None
) -> torch.Tensor:
    """Images x [N, C, H, W] moved down by dy [N] and right by dx [N] pixels (int), zeros
    shifted in: out[n, :, i, j] = x[n, :, i - dy[n], j - dx[n]] where that is inside.
    ``bound`` >= every |dy|, |dx| (given, the device is not asked: no host sync)."""
    n, c, h, w = x.shape
    k = bound if bound is not None else int(max(dy.abs().max(), dx.abs().max())) if n else 0
    if k == 0:
        return x
    padded = torch.nn.functional.pad(x, (k, k, k, k))  # [N, C, H+2k, W+2k]
    rows = torch.arange(h, device=x.device) + k - dy.view(n, 1)  # [N, H]
    cols = torch.arange(w, device=x.device) + k - dx.view(n, 1)  # [N, W]
    rows = rows.view(n, 1, h, 1).expand(n, c, h, w + 2 * k)
    picked = padded.gather(2, rows)  # [N, C, H, W+2k]
    return picked.gather(3, cols.view(n, 1, 1, w).expand(n, c, h, w))  # [N, C, H, W]


def flip(x: torch.Tensor, which: torch.Tensor) -> torch.Tensor:
    """Images x [N, C, H, W] with those where ``which`` [N] (bool) mirrored left to right."""
    return torch.where(which.view(-1, 1, 1, 1), x.flip(3), x)
