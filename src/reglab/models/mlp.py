"""A pack of M multilayer perceptrons with equal shapes, held as tensors with a leading M.

Weights are [M, in, out] and every layer is one batched matmul, so M runs cost one launch
per op. Initialization per member comes from its own seed (Glorot-uniform kernels and zero
biases by default, as in Keras; PyTorch's nn.Linear default as an option)::

    >>> net = PackedMLP.create(ModelConfig(hidden=(16,)), 784, 10, seeds=[0, 1], bn=False)
    >>> net.forward(torch.rand(2, 32, 784), training=False).shape     # [M, B, classes]
    torch.Size([2, 32, 10])
    >>> net.forward(torch.rand(5, 784), training=False).shape         # shared input [B, D]
    torch.Size([2, 5, 10])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from reglab import seeding
from reglab.config import ModelConfig
from reglab.techniques import BatchNormStats, batch_norm

__all__ = ["DropoutPlan", "DropoutSite", "PackedMLP", "with_tensors"]

_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": F.relu,
    "tanh": torch.tanh,
    "gelu": F.gelu,
    "sigmoid": torch.sigmoid,
}


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
        object.__setattr__(self, "factor", 1.0 / (1.0 - self.rate.view(-1, 1, 1)))
        object.__setattr__(self, "threshold", seeding.keep_threshold(self.rate))
        object.__setattr__(self, "span", _as_slice(self.rows))

    def scale_rows_(self, t: torch.Tensor, scale: torch.Tensor) -> None:
        """t[rows] *= scale in place, t [M, ...]: one op on a strided view when the rows are
        evenly spaced (e.g. 1::2 in a pack of seeds x {none, dropout}), else a gather/scatter."""
        if self.rows is None:
            t.mul_(scale)
        elif self.span is not None:
            t[self.span].mul_(scale)
        else:
            t.index_copy_(0, self.rows, t.index_select(0, self.rows).mul_(scale))

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

    def apply(self, h: torch.Tensor, step: int | torch.Tensor) -> torch.Tensor:
        """h [M, B, H] with this step's units dropped (and the kept ones scaled)."""
        scale = self.scale(h.shape[1:], step)
        if self.rows is not None:  # members without dropout multiply by 1
            scale = torch.ones_like(h).index_copy_(0, self.rows, scale)  # [M, B, H]
        return h * scale


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
    """Where the pack drops units: the input site and one site per hidden layer (or None)."""

    input: DropoutSite | None
    hidden: list[DropoutSite | None]

    @staticmethod
    def of(
        input_rate: torch.Tensor,
        rate: torch.Tensor,
        seeds: Sequence[int],
        layers: int,
        device: torch.device | str = "cpu",
    ) -> DropoutPlan | None:
        """Sites for per-member rates [M] on the input and on each of ``layers`` hidden
        layers, each member with its own key per site; None if no member drops anything."""

        def keys(purpose: str, *extra: int) -> torch.Tensor:
            return torch.tensor([seeding.key(s, purpose, *extra) for s in seeds], device=device)

        hidden = [DropoutSite.of(rate, keys("dropout", layer)) for layer in range(layers)]
        input_site = DropoutSite.of(input_rate, keys("input_dropout"))
        if input_site is None and all(site is None for site in hidden):
            return None
        return DropoutPlan(input_site, hidden)


@dataclass
class PackedMLP:
    """M MLPs: kernels [M, in, out], biases [M, 1, out], Batch Norm scale/shift [M, 1, H]."""

    weights: list[torch.Tensor]
    biases: list[torch.Tensor]
    activation: str = "relu"
    gammas: list[torch.Tensor] = field(default_factory=list)
    betas: list[torch.Tensor] = field(default_factory=list)
    bn_stats: list[BatchNormStats] = field(default_factory=list)

    @staticmethod
    def create(
        config: ModelConfig,
        in_features: int,
        out_features: int,
        seeds: Sequence[int],
        *,
        bn: bool,
        device: torch.device | str = "cpu",
    ) -> PackedMLP:
        widths = [in_features, *config.hidden, out_features]
        weights, biases = [], []
        for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
            w, b = zip(*(_init(config.init, fan_in, fan_out, s, layer) for s in seeds), strict=True)
            weights.append(torch.stack(w).to(device).requires_grad_())
            biases.append(torch.stack(b).to(device).requires_grad_())
        net = PackedMLP(weights, biases, config.activation)
        if bn:
            m = len(seeds)
            for width in config.hidden:
                net.gammas.append(torch.ones(m, 1, width, device=device, requires_grad=True))
                net.betas.append(torch.zeros(m, 1, width, device=device, requires_grad=True))
                net.bn_stats.append(BatchNormStats.create(m, width, device))
        return net

    @property
    def members(self) -> int:
        return self.weights[0].shape[0]

    def parameters(self) -> list[torch.Tensor]:
        return [*self.weights, *self.biases, *self.gammas, *self.betas]

    def tensors(self) -> list[torch.Tensor]:
        """Every tensor of the state (parameters and BN running statistics), member-first."""
        stats = [t for s in self.bn_stats for t in (s.mean, s.var)]
        return [*self.parameters(), *stats]

    def forward(
        self,
        x: torch.Tensor,
        *,
        training: bool,
        drop: DropoutPlan | None = None,
        step: int | torch.Tensor = 0,
        taps: list[torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """x [M, B, D] (each member its own batch) or [B, D] (shared) -> outputs [M, B, C].

        ``drop`` draws the masks of training step ``step``; ``taps``, when given, receives
        each hidden layer's activations (for dead-unit counts).
        """
        h = x
        if drop is not None and drop.input is not None:
            h = h.expand(self.members, *h.shape[-2:]) if h.dim() == 2 else h
            h = drop.input.apply(h, step)
        act = _ACTIVATIONS[self.activation]
        last = len(self.weights) - 1
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = _linear(h, w, b)  # [M, B, out]
            if layer == last:
                return h
            if self.gammas:
                h = batch_norm(
                    h,
                    self.gammas[layer],
                    self.betas[layer],
                    self.bn_stats[layer],
                    training=training,
                )
            h = act(h)
            if taps is not None:
                taps.append(h)
            site = drop.hidden[layer] if drop is not None else None
            if site is not None:
                h = site.apply(h, step)
        raise AssertionError("unreachable: an MLP has at least one layer")


def _linear(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if h.dim() == 3:
        return torch.baddbmm(b, h, w)  # [M, B, out]
    m, d, out = w.shape  # shared input [B, D]: one wide GEMM instead of M small ones
    wide = h @ w.permute(1, 0, 2).reshape(d, m * out)  # [B, M * out]
    return wide.view(h.shape[0], m, out).transpose(0, 1) + b


def _init(
    kind: str, fan_in: int, fan_out: int, seed: int, layer: int
) -> tuple[torch.Tensor, torch.Tensor]:
    gen = seeding.generator(seed, "init", layer)
    u_w = torch.rand(fan_in, fan_out, generator=gen) * 2 - 1  # [in, out] in [-1, 1)
    if kind == "glorot_uniform":  # Glorot & Bengio 2010; zero bias (Keras Dense default)
        return u_w * math.sqrt(6.0 / (fan_in + fan_out)), torch.zeros(1, fan_out)
    bound = 1.0 / math.sqrt(fan_in)  # torch.nn.Linear default: U(-1/sqrt(in), 1/sqrt(in))
    u_b = torch.rand(1, fan_out, generator=gen) * 2 - 1
    return u_w * bound, u_b * bound


def with_tensors(net: PackedMLP, tensors: list[torch.Tensor]) -> PackedMLP:
    """A pack with ``net``'s structure holding ``tensors`` (in the order of net.tensors())."""
    it = iter(tensors)
    n_layers, n_bn = len(net.weights), len(net.gammas)
    weights = [next(it) for _ in range(n_layers)]
    biases = [next(it) for _ in range(n_layers)]
    gammas = [next(it) for _ in range(n_bn)]
    betas = [next(it) for _ in range(n_bn)]
    stats = [BatchNormStats(next(it), next(it)) for _ in range(n_bn)]
    return PackedMLP(weights, biases, net.activation, gammas, betas, stats)
