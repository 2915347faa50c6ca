"""The training step's forward and backward written out by hand, Batch Norm included.

Autograd records about fifteen nodes per step and walks them with per-node bookkeeping; for
a pack of small MLPs on the CPU that bookkeeping, the fresh gradient tensors it allocates and
the dropout scale it multiplies by M rows (not only the K that drop) cost 5–15% of a step
(docs/performance.md). An MLP's backward is three batched ops per layer, so it is written
here, with the same kernels autograd would call (``_log_softmax_backward_data``,
``threshold_backward`` and friends) into gradient buffers allocated once::

    grad W_l = h_l^T @ g      grad b_l = sum_B g      g <- act'(z_{l-1}) * (scale_{l-1} * (g @ W_l^T))

Batch Norm (training mode) is written out too: with zhat = (z - mean) * rstd over the batch,
d/dz = rstd * (d/dzhat - mean(d/dzhat) - zhat * mean(d/dzhat * zhat)). The autograd step
(``PackedMLP.forward`` + ``loss.backward()``) stays as the reference and for any activation
without a backward here; the tests compare the two, and both against plain ``nn.Module``s.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from reglab.models import DropoutPlan, DropoutSite, PackedMLP
from reglab.techniques import BN_EPS, batch_stats

__all__ = ["Backprop"]

_aten = torch.ops.aten
Act = Callable[[torch.Tensor], torch.Tensor]
# d act / d z applied to g, from the pre-activation z and the activation a (before dropout)
_FORWARD: dict[str, Act] = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "gelu": torch.nn.functional.gelu,
}
_BACKWARD: dict[str, Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "relu": lambda g, z, a: _aten.threshold_backward(g, a, 0),
    "tanh": lambda g, z, a: _aten.tanh_backward(g, a),
    "sigmoid": lambda g, z, a: _aten.sigmoid_backward(g, a),
    "gelu": lambda g, z, a: _aten.gelu_backward(g, z),
}


class Backprop:
    """Loss and gradients of a pack's training step; the gradients land in ``p.grad``."""

    def __init__(self, net: PackedMLP, drop: DropoutPlan | None, task: str) -> None:
        self.net, self.drop, self.task = net, drop, task
        self.act, self.act_backward = _FORWARD[net.activation], _BACKWARD[net.activation]
        self.relu = net.activation == "relu"  # relu's backward needs only its output: in place
        self.grad_w = [torch.empty_like(w) for w in net.weights]  # allocated once
        self.grad_b = [torch.empty_like(b) for b in net.biases]
        self.grad_gamma = [torch.empty_like(g) for g in net.gammas]
        self.grad_beta = [torch.empty_like(b) for b in net.betas]
        self.first: tuple[torch.Tensor, torch.Tensor] | None = None  # see defer_first

    @staticmethod
    def of(net: PackedMLP, drop: DropoutPlan | None, task: str) -> Backprop | None:
        """The hand-written step for ``net``, or None where autograd must do it."""
        if net.activation not in _BACKWARD:
            return None
        return Backprop(net, drop, task)

    @torch.no_grad()
    def __call__(
        self,
        xb: torch.Tensor,
        yb: torch.Tensor,
        step: int | torch.Tensor,
        *,
        z0: torch.Tensor | None = None,
        defer_first: bool = False,
    ) -> torch.Tensor:
        """Forward and backward on the batch xb [M, B, D], yb [M, B]; returns the loss [M].

        ``z0``: the first layer's pre-activation, already computed (engine/chunked.py).
        ``defer_first``: leave the first kernel's gradient out (its grad stays None) and keep
        its factors in ``self.first`` = (layer input [M, B, D], output gradient [M, B, H]).
        """
        net, drop = self.net, self.drop
        h = xb
        if drop is not None and drop.input is not None:
            h = xb.clone() if drop.input.rows is not None else xb
            drop.input.scale_rows_(h, drop.input.scale(h.shape[1:], step))
        inputs, saved = [h], []  # each layer's input; (z, a, site, scale) per hidden layer
        for layer, (w, b) in enumerate(zip(net.weights[:-1], net.biases[:-1], strict=True)):
            z = z0 if layer == 0 and z0 is not None else torch.baddbmm(b, h, w)
            norm = self._bn_forward(layer, z) if net.gammas else None
            if norm is not None:
                z = norm[0] * net.gammas[layer] + net.betas[layer]  # y = gamma * zhat + beta
            a = z.relu_() if self.relu else self.act(z)
            site = drop.hidden[layer] if drop is not None else None
            scale = site.scale(a.shape[1:], step) if site is not None else None
            h = a if self.relu or site is None else a.clone()
            if site is not None and scale is not None:
                site.scale_rows_(h, scale)  # relu: a is h, so a dropped unit reads 0
            inputs.append(h)
            saved.append((z, a, site, scale, norm))
        out = torch.baddbmm(net.biases[-1], h, net.weights[-1])  # [M, B, C]
        loss, g = self._loss_and_grad(out, yb)
        for layer in range(len(net.weights) - 1, -1, -1):
            if layer == 0 and defer_first:
                self.first = (inputs[0], g)
            else:
                torch.bmm(inputs[layer].transpose(1, 2), g, out=self.grad_w[layer])
            torch.sum(g, 1, keepdim=True, out=self.grad_b[layer])
            if layer == 0:
                break
            gh = torch.bmm(g, net.weights[layer].transpose(1, 2))
            z, a, site, scale, norm = saved[layer - 1]
            if isinstance(site, DropoutSite) and scale is not None:
                site.scale_rows_(gh, scale)
            g = self.act_backward(gh, z, a)
            if norm is not None:
                g = self._bn_backward(layer - 1, g, *norm)
        params = net.weights + net.biases + net.gammas + net.betas  # net.parameters() order
        grads = self.grad_w + self.grad_b + self.grad_gamma + self.grad_beta
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad
        if defer_first:
            net.weights[0].grad = None
        return loss

    def _bn_forward(self, layer: int, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch Norm's normalized zhat [M, B, H] and 1 / sqrt(var + eps) [M, 1, H] (training
        mode: batch statistics, running statistics updated)."""
        var, mean = batch_stats(z, self.net.bn_stats[layer])
        rstd = torch.rsqrt(var + BN_EPS)
        return (z - mean) * rstd, rstd

    def _bn_backward(
        self, layer: int, g: torch.Tensor, zhat: torch.Tensor, rstd: torch.Tensor
    ) -> torch.Tensor:
        """From d/dy to d/dz through y = gamma * zhat + beta; gamma's and beta's gradients."""
        torch.sum(g * zhat, 1, keepdim=True, out=self.grad_gamma[layer])
        torch.sum(g, 1, keepdim=True, out=self.grad_beta[layer])
        g_hat = g * self.net.gammas[layer]  # d/dzhat
        centred = g_hat - g_hat.mean(1, keepdim=True)
        return centred.sub_(zhat * (g_hat * zhat).mean(1, keepdim=True)).mul_(rstd)

    def _loss_and_grad(
        self, out: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Each member's mean loss [M] and d(sum of the losses)/d out [M, B, C]."""
        batch = out.shape[1]
        if self.task == "regression":  # mean squared error, as engine.measure.loss_per_member
            diff = out.squeeze(-1) - y
            return diff.square().mean(1), (diff * (2.0 / batch)).unsqueeze(-1)
        logp = torch.log_softmax(out, 2)
        target = y.unsqueeze(2)
        loss = logp.gather(2, target).squeeze(2).mean(1).neg_()
        d_logp = torch.zeros_like(logp).scatter_(2, target, -1.0 / batch)
        return loss, _aten._log_softmax_backward_data(d_logp, logp, 2, logp.dtype)
