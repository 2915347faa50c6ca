"""The pack's optimizer: stock PyTorch Adam / SGD (fused where the build has it), with
per-member L1 / L2 gradients and decoupled weight decay applied around the stock step.

Per-member coefficients are [M] tensors, so members with a technique off cost nothing
extra when no member has it on. The order within a step is AdamW's (Loshchilov & Hutter
2019): penalty gradients join the data gradient, kernels decay by lr * wd, then the
adaptive update. Only kernels are penalized or decayed, never biases or BN parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from reglab.config import OptimizerConfig, Regularization
from reglab.techniques import maxnorm_, penalty_grad_

__all__ = ["ADAMW_DEFAULT_WD", "Coefficients", "PackOptimizer"]

ADAMW_DEFAULT_WD = 0.01  # torch.optim.AdamW's default, used when an arm sets no `wd`


@dataclass(frozen=True)
class Coefficients:
    """Per-member technique strengths, each [M] on the pack's device."""

    l1: torch.Tensor
    l2: torch.Tensor
    wd: torch.Tensor
    maxnorm: torch.Tensor  # inf where off
    dropout: torch.Tensor
    input_dropout: torch.Tensor

    @staticmethod
    def of(
        regs: list[Regularization], optimizer: OptimizerConfig, device: torch.device | str
    ) -> Coefficients:
        def col(values: list[float]) -> torch.Tensor:
            return torch.tensor(values, dtype=torch.float32, device=device)

        default_wd = ADAMW_DEFAULT_WD if optimizer.name == "adamw" else 0.0
        return Coefficients(
            l1=col([r.l1 for r in regs]),
            l2=col([r.l2 for r in regs]),
            wd=col([r.wd or default_wd for r in regs]),
            maxnorm=col([r.maxnorm if r.maxnorm is not None else float("inf") for r in regs]),
            dropout=col([r.dropout for r in regs]),
            input_dropout=col([r.input_dropout for r in regs]),
        )


class PackOptimizer:
    """One step for the whole pack: penalties, decay, stock update, max-norm projection."""

    def __init__(
        self,
        config: OptimizerConfig,
        params: list[torch.Tensor],
        kernels: list[torch.Tensor],
        coefs: Coefficients,
    ) -> None:
        self.config, self.kernels, self.coefs = config, kernels, coefs
        self.inner = _stock(config, params)
        self._penalized = bool((coefs.l1 > 0).any() or (coefs.l2 > 0).any())
        self._decay = (1.0 - config.lr * coefs.wd).view(-1, 1, 1)  # [M, 1, 1]
        self._decayed = bool((coefs.wd > 0).any())
        self._constrained = bool(torch.isfinite(coefs.maxnorm).any())

    @torch.no_grad()
    def step(self) -> None:
        for w in self.kernels:
            if self._penalized and w.grad is not None:
                penalty_grad_(w.grad, w, self.coefs.l1, self.coefs.l2)
            if self._decayed:
                w.mul_(self._decay)
        self.inner.step()
        if self._constrained:
            for w in self.kernels:
                maxnorm_(w, self.coefs.maxnorm)

    def zero_grad(self) -> None:
        self.inner.zero_grad(set_to_none=True)


def _stock(config: OptimizerConfig, params: list[torch.Tensor]) -> torch.optim.Optimizer:
    """torch.optim's Adam or SGD, fused when supported on the device (one pass over memory)."""
    if config.name in ("adam", "adamw"):
        kind: type[torch.optim.Optimizer] = torch.optim.Adam
        kwargs: dict[str, Any] = {
            "lr": config.lr,
            "betas": (config.beta1, config.beta2),
            "eps": config.eps,
        }
    else:
        kind = torch.optim.SGD
        kwargs = {"lr": config.lr, "momentum": config.momentum, "nesterov": config.nesterov}
    try:
        return kind(params, fused=True, **kwargs)  # type: ignore[call-arg]
    except (RuntimeError, ValueError):  # no fused kernel for this device or dtype
        return kind(params, foreach=True, **kwargs)  # type: ignore[call-arg]
