"""A pack of M multilayer perceptrons with equal shapes, held as tensors with a leading M.

Weights are [M, in, out] and every layer is one batched matmul, so M runs cost one launch
per op. Initialization per member comes from its own seed (Glorot-uniform kernels and zero
biases by default, as in Keras; PyTorch's nn.Linear default as an option)::

    >>> net = PackedMLP.create(ModelConfig(hidden=(16,)), in_features=784, input_shape=(784,),
    ...                        out_features=10, seeds=[0, 1], bn=False)
    >>> net.forward(torch.rand(2, 32, 784), training=False).shape     # [M, B, classes]
    torch.Size([2, 32, 10])
    >>> net.forward(torch.rand(5, 784), training=False).shape         # shared input [B, D]
    torch.Size([2, 5, 10])

It implements ``reglab.models.protocol.PackedModel``; Batch Norm and dropout come from
reglab.techniques, the activations from reglab.models.activation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from reglab import seeding
from reglab.config import ModelConfig
from reglab.models.activation import ACTIVATIONS
from reglab.techniques import BatchNormStats, DropoutPlan, batch_norm

__all__ = ["PackedMLP"]


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
        *,
        in_features: int,
        input_shape: tuple[int, ...],
        out_features: int,
        seeds: Sequence[int],
        bn: bool,
        device: torch.device | str = "cpu",
    ) -> PackedMLP:
        """M members, member i initialized from ``seeds[i]`` (``input_shape`` unused: flat)."""
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

    @property
    def dropout_layers(self) -> int:
        return len(self.weights) - 1  # one site after each hidden layer

    def parameters(self) -> list[torch.Tensor]:
        return [*self.weights, *self.biases, *self.gammas, *self.betas]

    def kernels(self) -> list[torch.Tensor]:
        return self.weights  # [M, in, out] each: the protocol's [M, *fan_in, out]

    def tensors(self) -> list[torch.Tensor]:
        """Every tensor of the state (parameters and BN running statistics), member-first."""
        stats = [t for s in self.bn_stats for t in (s.mean, s.var)]
        return [*self.parameters(), *stats]

    def with_tensors(self, tensors: list[torch.Tensor]) -> PackedMLP:
        """A pack of this structure holding ``tensors`` (in the order of tensors())."""
        it = iter(tensors)
        n_layers, n_bn = len(self.weights), len(self.gammas)
        weights = [next(it) for _ in range(n_layers)]
        biases = [next(it) for _ in range(n_layers)]
        gammas = [next(it) for _ in range(n_bn)]
        betas = [next(it) for _ in range(n_bn)]
        stats = [BatchNormStats(next(it), next(it)) for _ in range(n_bn)]
        return PackedMLP(weights, biases, self.activation, gammas, betas, stats)

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
        act = ACTIVATIONS[self.activation].forward
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
