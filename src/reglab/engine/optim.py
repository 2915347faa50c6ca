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
from reglab.engine.schedule import Hyper
from reglab.techniques import maxnorm_, penalty_grad_

__all__ = ["ADAMW_DEFAULT_WD", "Coefficients", "PackOptimizer"]

_FUSED_ADAM = getattr(torch, "_fused_adam_", None)  # the kernel behind Adam(fused=True)

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
        self.config, self.kernels, self.coefs, self.params = config, kernels, coefs, params
        self.inner = _stock(config, params)
        # torch.optim.Adam.step spends ~0.15 ms per call in Python bookkeeping, about 6% of
        # a classic pack-of-2 step on the CPU; once its state exists, call the same fused
        # kernel directly (benchmarks/, docs/performance.md). Checkpoints still go through
        # self.inner, whose state tensors this step updates in place.
        self._direct = (
            _FUSED_ADAM is not None
            and isinstance(self.inner, torch.optim.Adam)
            and bool(self.inner.defaults.get("fused"))
        )
        self._l1 = coefs.l1 if bool((coefs.l1 > 0).any()) else None  # decided once, not per step
        self._l2 = coefs.l2 if bool((coefs.l2 > 0).any()) else None
        self.lr, self.momentum = config.lr, config.momentum  # this epoch's (engine/schedule.py)
        self._decay = 1.0 - config.lr * coefs.wd  # [M]
        self._decayed = bool((coefs.wd > 0).any())
        self._constrained = bool(torch.isfinite(coefs.maxnorm).any())

    @torch.no_grad()
    def set_hyper(self, hyper: Hyper) -> bool:
        """Use ``hyper``'s lr (and SGD momentum) from the next step on; True if they changed.

        The stock optimizer reads them from its param groups at each step, the direct fused
        Adam from ``self.lr``; decoupled decay uses the current lr (as torch's AdamW). The
        [M] decay factors are rewritten in place, so a recorded step that reads them sees the
        new ones; the floats, though, are baked into a recorded CUDA graph, so the caller
        re-records it when this returns True (engine/step/graph.py).
        """
        if (hyper.lr, hyper.momentum) == (self.lr, self.momentum):
            return False  # a constant schedule never touches anything: bit-identical
        self.lr, self.momentum = hyper.lr, hyper.momentum
        for group in self.inner.param_groups:
            group["lr"] = hyper.lr
            if "momentum" in group:  # SGD
                group["momentum"] = hyper.momentum
        if self._decayed:
            self._decay.copy_(1.0 - hyper.lr * self.coefs.wd)
        return True

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad for p in self.params]
        state = self.inner.state
        if (
            self._direct
            and all(g is not None for g in grads)
            and all(p in state for p in self.params)
        ):
            self.update(self.params, grads)  # type: ignore[arg-type]
            return
        kernels = [(w, w.grad) for w in self.kernels if w.grad is not None]  # first step, SGD
        self._before(kernels, slice(None))
        self.inner.step()
        self._after(self.kernels, slice(None))

    def _before(self, kernels: list[tuple[torch.Tensor, torch.Tensor]], cut: slice) -> None:
        """Penalty gradients into the kernels' gradients, then decoupled decay (AdamW order)."""
        for w, g in kernels:
            if self._l1 is not None or self._l2 is not None:
                l1 = self._l1[cut] if self._l1 is not None else None
                l2 = self._l2[cut] if self._l2 is not None else None
                penalty_grad_(g, w[cut], l1, l2)
            if self._decayed:  # [M, 1, ..., 1]: kernels are [M, in, out] or [M, k, k, in, out]
                w[cut].mul_(self._decay[cut].view(-1, *(1,) * (w.dim() - 1)))

    def _after(self, kernels: list[torch.Tensor], cut: slice) -> None:
        if self._constrained:
            for w in kernels:
                maxnorm_(w[cut], self.coefs.maxnorm[cut])

    @property
    def piecewise(self) -> bool:
        """True when ``update`` can step parameters piecewise (the direct fused-Adam path)."""
        return self._direct

    @torch.no_grad()
    def update(
        self,
        params: list[torch.Tensor],
        grads: list[torch.Tensor],
        rows: slice | None = None,
        count: bool = True,
    ) -> None:
        """``step`` for some of the parameters, optionally on member rows ``rows`` only
        (``grads`` then hold those rows): penalties, decay, fused Adam, max-norm. Each op is
        per tensor and per member, so stepping the pack in pieces gives ``step``'s numbers bit
        for bit. Needs ``piecewise`` and Adam's state (after the first step)."""
        cut = slice(None) if rows is None else rows
        kernels = [(p, g) for p, g in zip(params, grads, strict=True) if _is_in(p, self.kernels)]
        self._before(kernels, cut)
        if not self.fused_update(params, grads, rows, count):
            raise RuntimeError("PackOptimizer.update before Adam has created its state")
        self._after([w for w, _ in kernels], cut)

    def fused_update(
        self,
        params: list[torch.Tensor],
        grads: list[torch.Tensor],
        rows: slice | None = None,
        count: bool = True,
    ) -> bool:
        """Adam(fused=True)'s update alone of ``params``, on member rows ``rows`` of them if
        given (grads then hold those rows); ``count`` advances their step counters (once per
        training step). False until Adam has created its state."""
        state = self.inner.state
        if any(p not in state for p in params):
            return False
        states = [state[p] for p in params]
        steps = [s["step"] for s in states]
        if count:
            torch._foreach_add_(steps, 1)

        def cut(ts: list[torch.Tensor]) -> list[torch.Tensor]:
            return ts if rows is None else [t[rows] for t in ts]

        cfg = self.config
        assert _FUSED_ADAM is not None  # piecewise implies it
        _FUSED_ADAM(
            cut(params),
            grads,
            cut([s["exp_avg"] for s in states]),
            cut([s["exp_avg_sq"] for s in states]),
            [],
            steps,
            amsgrad=False,
            lr=self.lr,
            beta1=cfg.beta1,
            beta2=cfg.beta2,
            weight_decay=0.0,
            eps=cfg.eps,
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )
        return True

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None


def _is_in(t: torch.Tensor, tensors: list[torch.Tensor]) -> bool:
    return any(t is u for u in tensors)  # identity: `in` would compare tensors elementwise


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
