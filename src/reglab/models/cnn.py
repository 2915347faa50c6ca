"""A pack of M small convolutional networks, members folded into channels.

Each member is conv(k x k, "same") -> [Batch Norm 2d] -> ReLU -> [spatial dropout] -> max-pool,
once per entry of ``channels``, then a dense head (``hidden`` widths, ReLU, dropout) and the
output layer. The M members' feature maps are held side by side as one image with M * C
channels, [B, M*C, H, W], and each convolution is ONE grouped convolution with M groups
(member m's output channels see only member m's input channels), so nothing mixes members::

    F.conv2d(x.view(B, M*C, H, W), w.view(M*O, C, kh, kw), groups=M)

Feature maps are kept channels-last: on this CPU the grouped convolutions run 1.2-5x faster so
(benchmarks/bench_cnn.py, docs/performance.md). Kernels are stored in Keras' layout
[M, kh, kw, in, out], so penalties, decay and max-norm (per output filter) act on them as on a
Dense kernel. Batch Norm 2d runs on the folded layout with M*C running statistics, i.e. per
member and channel over (batch, height, width), as torch.nn.BatchNorm2d::

    >>> net = PackedCNN.create(ModelConfig(family="cnn", channels=(4, 8), hidden=(16,)),
    ...                        in_features=784, input_shape=(1, 28, 28), out_features=10,
    ...                        seeds=[0, 1], bn=False)
    >>> net.forward(torch.rand(2, 32, 784), training=False).shape     # [M, B, classes]
    torch.Size([2, 32, 10])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from reglab import seeding
from reglab.config import ModelConfig
from reglab.errors import ConfigError
from reglab.techniques import BN_EPS, BN_MOMENTUM, BatchNormStats, DropoutPlan, batch_norm

__all__ = ["PackedCNN", "cnn_geometry"]

_CL = torch.channels_last
_EVAL_ROWS = 256  # evaluation chunk: [256, M*32, 28, 28] floats are 25 MB per member


def cnn_geometry(config: ModelConfig, image: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    """The (C, H, W) of the input and after each conv block (pooling floors, as Keras')."""
    c, h, w = image
    shapes = [(c, h, w)]
    for out in config.channels:
        h, w = h // config.pooling, w // config.pooling
        if h < 1 or w < 1:
            raise ConfigError(
                f"The 'channels' parameter of ModelConfig must allow a {config.pooling}x"
                f"{config.pooling} pooling per block on {image[1]}x{image[2]} images. "
                f"Got {len(config.channels)} blocks instead."
            )
        shapes.append((out, h, w))
    return shapes


@dataclass
class PackedCNN:
    """M CNNs: conv kernels [M, k, k, in, out], conv biases [M, out], dense kernels
    [M, in, out] and biases [M, 1, out]; Batch Norm scale/shift [M, C] (conv) and [M, 1, H]
    (dense). With Batch Norm only the output layer has a bias: before BN one is redundant
    (beta shifts) and its gradient is rounding noise, which Adam would scale up to full steps
    (torchvision's ResNets use bias=False before BN for the same reason)."""

    conv_w: list[torch.Tensor]
    conv_b: list[torch.Tensor]
    dense_w: list[torch.Tensor]
    dense_b: list[torch.Tensor]
    image: tuple[int, int, int]
    pooling: int = 2
    gammas: list[torch.Tensor] = field(default_factory=list)  # conv ones first, then dense
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
    ) -> PackedCNN:
        """M members, member i initialized from ``seeds[i]`` (Glorot-uniform, zero bias)."""
        image = _image(input_shape, in_features)
        shapes = cnn_geometry(config, image)
        k, layer = config.kernel, itertools.count()
        conv_w, conv_b = [], []
        for (c_in, _, _), (c_out, _, _) in itertools.pairwise(shapes):
            fans = (k * k * c_in, k * k * c_out)  # Keras' Conv2D fans
            n = next(layer)
            w = torch.stack([_glorot((k, k, c_in, c_out), fans, s, n) for s in seeds])
            conv_w.append(w.to(device).requires_grad_())
            if not bn:  # before Batch Norm a bias is redundant (beta shifts), as in torchvision
                conv_b.append(torch.zeros(len(seeds), c_out, device=device, requires_grad=True))
        flat = math.prod(shapes[-1])
        dense_w, dense_b = [], []
        widths = [flat, *config.hidden, out_features]
        for fan_in, fan_out in itertools.pairwise(widths):
            n = next(layer)
            w = torch.stack([_glorot((fan_in, fan_out), (fan_in, fan_out), s, n) for s in seeds])
            dense_w.append(w.to(device).requires_grad_())
            if not bn or len(dense_w) == len(widths) - 1:  # output layer: always a bias
                dense_b.append(torch.zeros(len(seeds), 1, fan_out, device=device).requires_grad_())
        net = PackedCNN(conv_w, conv_b, dense_w, dense_b, image, config.pooling)
        if bn:
            m = len(seeds)
            for width in [*config.channels, *config.hidden]:
                shape = (m, width) if len(net.gammas) < len(conv_w) else (m, 1, width)
                net.gammas.append(torch.ones(shape, device=device, requires_grad=True))
                net.betas.append(torch.zeros(shape, device=device, requires_grad=True))
                net.bn_stats.append(BatchNormStats.create(m, width, device))
        return net

    # ---- the protocol ---------------------------------------------------------------------
    @property
    def members(self) -> int:
        return self.conv_w[0].shape[0]

    @property
    def dropout_layers(self) -> int:
        return len(self.dense_w) - 1  # Dropout after each hidden dense layer

    @property
    def spatial_dropout_layers(self) -> int:
        return len(self.conv_w)  # spatial dropout after each conv block's activation

    def parameters(self) -> list[torch.Tensor]:
        return [*self.conv_w, *self.conv_b, *self.dense_w, *self.dense_b, *self.gammas, *self.betas]

    def kernels(self) -> list[torch.Tensor]:
        return [*self.conv_w, *self.dense_w]  # [M, k, k, in, out] and [M, in, out]

    def tensors(self) -> list[torch.Tensor]:
        stats = [t for s in self.bn_stats for t in (s.mean, s.var)]
        return [*self.parameters(), *stats]

    def with_tensors(self, tensors: list[torch.Tensor]) -> PackedCNN:
        it = iter(tensors)
        nc, nd, nb = len(self.conv_w), len(self.dense_w), len(self.gammas)

        def take(n: int) -> list[torch.Tensor]:
            return [next(it) for _ in range(n)]

        conv_w, conv_b = take(nc), take(len(self.conv_b))
        dense_w, dense_b = take(nd), take(len(self.dense_b))
        gammas, betas = take(nb), take(nb)
        stats = [BatchNormStats(next(it), next(it)) for _ in range(nb)]
        return PackedCNN(
            conv_w, conv_b, dense_w, dense_b, self.image, self.pooling, gammas, betas, stats
        )

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

        ``taps`` receives each hidden layer's activations: per conv block the channel's peak
        over positions [M, B, C], per dense layer [M, B, H] (dead-unit counts).
        """
        m = self.members
        if not training and x.shape[-2] > _EVAL_ROWS:  # bounded memory: [B, M*C, H, W] maps
            return self._chunked(x, taps)
        if drop is not None and drop.input is not None:
            x = x.expand(m, *x.shape[-2:]) if x.dim() == 2 else x
            x = drop.input.apply(x, step)
        h = self._fold(x)  # [B, M*C, H, W]
        for layer in range(len(self.conv_w)):
            h = self._block(h, layer, training, drop, step, taps)
        b = h.shape[0]
        z = h.reshape(b, m, -1).transpose(0, 1)  # [M, B, C*H*W]: channel-major, as nn.Flatten
        return self._head(z, training, drop, step, taps)

    # ---- pieces -------------------------------------------------------------------------
    def _chunked(self, x: torch.Tensor, taps: list[torch.Tensor] | None) -> torch.Tensor:
        """Evaluation in chunks of _EVAL_ROWS rows (no Batch Norm update: rows independent)."""
        outs, parts = [], []
        for chunk in x.split(_EVAL_ROWS, dim=-2):
            part: list[torch.Tensor] = []
            outs.append(
                self.forward(chunk, training=False, taps=part if taps is not None else None)
            )
            parts.append(part)
        if taps is not None:  # each layer's taps [M, b, ...] joined along the batch
            taps.extend(torch.cat(layer, 1) for layer in zip(*parts, strict=True))
        return torch.cat(outs, 1)  # [M, B, C]

    def _fold(self, x: torch.Tensor) -> torch.Tensor:
        """Flat input -> the members' images side by side [B, M*C, H, W] (channels-last)."""
        c, hh, ww = self.image
        if x.dim() == 2:  # shared input: the first conv sees one image, not M copies
            return x.reshape(-1, c, hh, ww).contiguous(memory_format=_CL)
        m, b = x.shape[:2]
        return (
            x.reshape(m, b, c, hh, ww)
            .transpose(0, 1)
            .reshape(b, m * c, hh, ww)
            .contiguous(memory_format=_CL)
        )

    def _block(
        self,
        h: torch.Tensor,
        layer: int,
        training: bool,
        drop: DropoutPlan | None,
        step: int | torch.Tensor,
        taps: list[torch.Tensor] | None,
    ) -> torch.Tensor:
        w, m = self.conv_w[layer], self.members
        bias = self.conv_b[layer].reshape(-1) if self.conv_b else None  # none before BN
        k, c_in, c_out = w.shape[1], w.shape[3], w.shape[4]
        weight = w.permute(0, 4, 3, 1, 2).reshape(m * c_out, c_in, k, k)  # [M*O, C, k, k]
        groups = m if h.shape[1] == m * c_in else 1  # 1: a shared input feeds every member
        h = F.conv2d(h, weight, bias, padding="same", groups=groups)
        if self.gammas:
            stats = self.bn_stats[layer]
            h = F.batch_norm(
                h,
                stats.mean.view(-1),  # [M*C] views: updated in place, per member and channel
                stats.var.view(-1),
                self.gammas[layer].reshape(-1),
                self.betas[layer].reshape(-1),
                training=training,
                momentum=BN_MOMENTUM,
                eps=BN_EPS,
            )
        h = F.relu(h)  # [B, M*O, H, W]
        if taps is not None:
            b = h.shape[0]
            taps.append(h.amax((2, 3)).view(b, m, c_out).transpose(0, 1))  # [M, B, O]
        site = drop.spatial[layer] if drop is not None and drop.spatial else None
        if site is not None:
            h = site.apply_channels(h, step, m)
        if self.pooling > 1:
            h = F.max_pool2d(h, self.pooling)
        return h

    def _head(
        self,
        h: torch.Tensor,
        training: bool,
        drop: DropoutPlan | None,
        step: int | torch.Tensor,
        taps: list[torch.Tensor] | None,
    ) -> torch.Tensor:
        last, n_conv = len(self.dense_w) - 1, len(self.conv_w)
        unbiased = len(self.dense_w) - len(self.dense_b)  # hidden layers before Batch Norm
        for layer, w in enumerate(self.dense_w):
            h = torch.baddbmm(self.dense_b[layer - unbiased], h, w) if layer >= unbiased else h @ w
            if layer == last:
                return h  # [M, B, classes]
            if self.gammas:
                i = n_conv + layer
                h = batch_norm(
                    h, self.gammas[i], self.betas[i], self.bn_stats[i], training=training
                )
            h = F.relu(h)
            if taps is not None:
                taps.append(h)
            site = drop.hidden[layer] if drop is not None else None
            if site is not None:
                h = site.apply(h, step)
        raise AssertionError("unreachable: the head has an output layer")


def _image(input_shape: tuple[int, ...], in_features: int) -> tuple[int, int, int]:
    if len(input_shape) != 3 or math.prod(input_shape) != in_features:
        raise ConfigError(
            "The 'family' parameter of ModelConfig must be 'cnn' only for image data "
            f"(a dataset with image_shape (C, H, W)). Got input shape {tuple(input_shape)} "
            "instead."
        )
    c, h, w = input_shape
    return (c, h, w)


def _glorot(shape: tuple[int, ...], fans: tuple[int, int], seed: int, layer: int) -> torch.Tensor:
    """Glorot-uniform (Glorot & Bengio 2010) from the member's own stream for ``layer``."""
    gen = seeding.generator(seed, "init", layer)
    u = torch.rand(shape, generator=gen) * 2 - 1  # in [-1, 1)
    return u * math.sqrt(6.0 / sum(fans))
