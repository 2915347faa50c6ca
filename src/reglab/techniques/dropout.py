"""Inverted dropout with a per-member rate and a per-member random stream; the only dropout
the engine uses.

Training: each unit is kept with probability 1 - rate and scaled by 1 / (1 - rate), so the
expected activation is unchanged; inference: the identity (Srivastava et al. 2014, with the
scaling moved to training time as Keras and PyTorch do). ``dropout`` is the definition on
given uniforms; ``DropoutSite`` is what a model applies in a training step: the same masks
drawn from (member seed, site, step) by ``reglab.seeding``, for the members that drop only;
``DropoutPlan`` holds a model's sites (input and one per hidden layer)::

    >>> h = torch.ones(2, 4, 8)                               # [M, B, H]
    >>> u = torch.rand(2, 4, 8)                               # the members' uniforms
    >>> out = dropout(h, torch.tensor([0.0, 0.5]), u)
    >>> bool((out[0] == 1).all()), sorted(out[1].unique().tolist())
    (True, [0.0, 2.0])
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from reglab import seeding

__all__ = ["DropoutPlan", "DropoutSite", "dropout", "keep_scale"]


def dropout(h: torch.Tensor, rate: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """h [M, B, H] with rate [M] and uniforms u [M, B, H] in [0, 1): keep where u >= rate."""
    keep = u >= rate.view(-1, 1, 1)  # [M, B, H]; rate 0 keeps everything
    return h * keep_scale(keep, rate)


def keep_scale(keep: torch.Tensor, rate: torch.Tensor) -> torch.Tensor:
    """The factor inverted dropout multiplies by: 1 / (1 - rate) where kept, else 0.

    keep [M, B, H] bool, rate [M]. One factor instead of a mask product and a division
    halves the elementwise passes, forward and backward.
    """
    return keep * _factor(rate)  # 2x faster than torch.where here


def _factor(rate: torch.Tensor) -> torch.Tensor:
    return 1.0 / (1.0 - rate.view(-1, 1, 1))  # [M, 1, 1]


@dataclass(frozen=True)
class DropoutSite:
    """Dropout at one place (the input or one hidden layer) for the members that use it.

    Only those K members draw masks: ``rows`` [K] are their indices in the pack (None: all
    M), ``keys`` [K] their random keys and ``rate`` [K] their rates. A member's mask depends
    on its own key only, so drawing for a subset changes no member's mask.
    """

    rows: torch.Tensor | None
    keys: torch.Tensor
    rate: torch.Tensor
    factor: torch.Tensor = field(init=False, repr=False, compare=False)  # [K, 1, 1]
    span: slice | None = field(init=False, repr=False, compare=False)  # rows as a slice
    threshold: torch.Tensor = field(init=False, repr=False, compare=False)  # [K, 1]

    def __post_init__(self) -> None:  # made once instead of every step
        object.__setattr__(self, "factor", _factor(self.rate))
        object.__setattr__(self, "threshold", seeding.keep_threshold(self.rate))
        object.__setattr__(self, "span", _as_slice(self.rows))

    @staticmethod
    def of(rate: torch.Tensor, keys: torch.Tensor) -> DropoutSite | None:
        """The site for per-member ``rate`` [M] and ``keys`` [M]; None if no member drops."""
        rows = torch.nonzero(rate > 0).flatten()  # [K]
        if len(rows) == 0:
            return None
        if len(rows) == len(rate):
            return DropoutSite(None, keys, rate)
        return DropoutSite(rows, keys[rows], rate[rows])

    def scale(self, shape: Sequence[int], step: int | torch.Tensor) -> torch.Tensor:
        """This step's factors [K, B, H] for the K dropping members: 0 or 1 / (1 - rate)."""
        keep = seeding.keep_mask(self.keys, step, shape, self.rate, threshold=self.threshold)
        return keep * self.factor  # == keep_scale(keep, self.rate), bit for bit

    def scale_rows_(self, t: torch.Tensor, scale: torch.Tensor) -> None:
        """t[rows] *= scale in place, t [M, ...]: one op on a strided view when the rows are
        evenly spaced (e.g. 1::2 in a pack of seeds x {none, dropout}), else a gather/scatter."""
        if self.rows is None:
            t.mul_(scale)
        elif self.span is not None:
            t[self.span].mul_(scale)
        else:
            t.index_copy_(0, self.rows, t.index_select(0, self.rows).mul_(scale))

    def apply(self, h: torch.Tensor, step: int | torch.Tensor) -> torch.Tensor:
        """h [M, B, H] with this step's units dropped (and the kept ones scaled)."""
        scale = self.scale(h.shape[1:], step)
        if self.rows is not None:  # members without dropout multiply by 1
            scale = torch.ones_like(h).index_copy_(0, self.rows, scale)  # [M, B, H]
        return h * scale

    def apply_channels(
        self, h: torch.Tensor, step: int | torch.Tensor, members: int
    ) -> torch.Tensor:
        """Spatial dropout (Tompson et al. 2015): whole feature maps dropped, on the folded
        layout h [B, M*C, H, W]; the mask [K, B, C] is drawn as ``apply``'s on [M, B, C]."""
        b, mc = h.shape[:2]
        scale = self.scale((b, mc // members), step)  # [K, B, C]
        if self.rows is not None:
            scale = torch.ones(members, *scale.shape[1:], device=h.device).index_copy_(
                0, self.rows, scale
            )
        return h * scale.transpose(0, 1).reshape(b, mc, 1, 1)


def _as_slice(rows: torch.Tensor | None) -> slice | None:
    """Member rows [K] as a slice when evenly spaced and increasing, else None."""
    if rows is None:
        return None
    r = rows.tolist()
    step = r[1] - r[0] if len(r) > 1 else 1
    if step > 0 and all(b - a == step for a, b in itertools.pairwise(r)):
        return slice(r[0], r[-1] + 1, step)
    return None


@dataclass(frozen=True)
class DropoutPlan:
    """Where a pack drops units: the input site, one site per hidden layer, and one spatial
    (whole-channel) site per conv block (or None)."""

    input: DropoutSite | None
    hidden: list[DropoutSite | None]
    spatial: list[DropoutSite | None] = field(default_factory=list)

    @staticmethod
    def of(
        input_rate: torch.Tensor,
        rate: torch.Tensor,
        seeds: Sequence[int],
        layers: int,
        device: torch.device | str = "cpu",
        spatial_rate: torch.Tensor | None = None,
        spatial_layers: int = 0,
    ) -> DropoutPlan | None:
        """Sites for per-member rates [M] on the input, on each of ``layers`` hidden layers and
        (``spatial_rate``) on each of ``spatial_layers`` conv blocks, each member with its own
        key per site; None if no member drops anything."""

        def keys(purpose: str, *extra: int) -> torch.Tensor:
            return torch.tensor([seeding.key(s, purpose, *extra) for s in seeds], device=device)

        hidden = [DropoutSite.of(rate, keys("dropout", layer)) for layer in range(layers)]
        input_site = DropoutSite.of(input_rate, keys("input_dropout"))
        spatial: list[DropoutSite | None] = []
        if spatial_rate is not None:
            spatial = [
                DropoutSite.of(spatial_rate, keys("spatial_dropout", layer))
                for layer in range(spatial_layers)
            ]
        if input_site is None and all(site is None for site in [*hidden, *spatial]):
            return None
        return DropoutPlan(input_site, hidden, spatial)
