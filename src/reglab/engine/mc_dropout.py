"""Monte-Carlo dropout at test time (Gal & Ghahramani 2016): dropout stays ON at inference,
and the softmax probabilities of ``samples`` stochastic passes are averaged.

The usual inference (weight scaling; with inverted dropout, the plain network) approximates
that average by one pass; MC dropout computes it. Masks come from ``reglab.seeding`` with
their own purpose ("mc_dropout"): the key of (member seed, site) and the step
``sample * blocks + block``, where the test set is cut into fixed blocks of ``MC_BLOCK``
examples. A member's masks therefore depend on its seed, its rates and the test set only —
not on its pack or the evaluation batch size (the integer hash gives the same masks on any
device)::

    >>> plan = mc_plan(seeds=[0, 1], input_rate=torch.tensor([0.0, 0.2]),
    ...                rate=torch.tensor([0.0, 0.5]), layers=1)
    >>> proba = mc_probabilities(net, plan, x_test, samples=30)      # [M, N, C]

Batch Norm stays in evaluation mode (running statistics); only dropout is sampled.
"""

from __future__ import annotations

import torch

from reglab import seeding
from reglab.models import PackedModel
from reglab.techniques import DropoutPlan, DropoutSite

__all__ = ["MC_BLOCK", "mc_plan", "mc_probabilities", "mc_site_key"]

MC_BLOCK = 256  # examples per masked pass; <= the CNN's evaluation chunk (no inner chunking)
_SPATIAL = 100  # site numbers: 0 the input, 1 + l hidden layer l, 100 + l conv block l


def mc_site_key(seed: int, site: int) -> int:
    """The MC-dropout key of one member at one site (0 input, 1 + l hidden, 100 + l conv)."""
    return seeding.key(seed, "mc_dropout", site)


def mc_plan(
    seeds: list[int],
    input_rate: torch.Tensor,
    rate: torch.Tensor,
    layers: int,
    spatial_rate: torch.Tensor | None = None,
    spatial_layers: int = 0,
) -> DropoutPlan | None:
    """The test-time dropout sites for per-member rates [M] (as ``DropoutPlan.of``), with
    MC-dropout keys; None when no member drops anything."""
    device = rate.device

    def site(r: torch.Tensor, number: int) -> DropoutSite | None:
        keys = torch.tensor([mc_site_key(s, number) for s in seeds], device=device)
        return DropoutSite.of(r, keys)

    hidden = [site(rate, 1 + layer) for layer in range(layers)]
    spatial = []
    if spatial_rate is not None:
        spatial = [site(spatial_rate, _SPATIAL + layer) for layer in range(spatial_layers)]
    input_site = site(input_rate, 0)
    if input_site is None and all(s is None for s in [*hidden, *spatial]):
        return None
    return DropoutPlan(input_site, hidden, spatial)


@torch.no_grad()
def mc_probabilities(
    net: PackedModel, plan: DropoutPlan, x: torch.Tensor, samples: int
) -> torch.Tensor:
    """Mean softmax over ``samples`` dropout passes, per member: x [N, D] -> [M, N, C]."""
    blocks = list(x.split(MC_BLOCK))
    total: list[torch.Tensor] = []
    for b, xb in enumerate(blocks):
        acc = None
        for s in range(samples):
            out = net.forward(xb, training=False, drop=plan, step=s * len(blocks) + b)
            p = out.float().softmax(-1)  # [M, b, C]
            acc = p if acc is None else acc.add_(p)
        assert acc is not None
        total.append(acc / samples)
    return torch.cat(total, 1)
