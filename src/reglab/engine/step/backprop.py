"""The training step's forward and backward written out by hand, Batch Norm included.

Autograd records about fifteen nodes per step and walks them with per-node bookkeeping; for
a pack of small MLPs on the CPU that bookkeeping, the fresh gradient tensors it allocates and
the dropout scale it multiplies by M rows (not only the K that drop) cost 5–15% of a step
(docs/performance.md). An MLP's backward is three batched ops per layer, so it is written
here, with the same kernels autograd would call (``_log_softmax_backward_data``,
``threshold_backward`` and friends) into gradient buffers allocated once::

    grad W_l = h_l^T @ g      grad b_l = sum_B g      g <- act'(z_{l-1}) * (scale_{l-1} * (g @ W_l^T))

Batch Norm (training mode) is written out too: with zhat = (z - mean) * rstd over the batch,
d/dz = rstd * (d/dzhat - mean(d/dzhat) - zhat * mean(d/dzhat * zhat))
(``reglab.techniques.batch_norm_backward``). The loss and its gradient come from
engine/loss.py, the activations and their derivatives from reglab.models.activation, dropout
from reglab.techniques. The autograd step (engine/step/reference.py) stays as the reference
and for other model families; the tests compare the two, and both against plain
``nn.Module``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from reglab.engine.loss import loss_and_grad
from reglab.models import ACTIVATIONS, PackedMLP, PackedModel
from reglab.techniques import DropoutPlan, DropoutSite, batch_norm_backward, normalize

if TYPE_CHECKING:
    from reglab.engine.state import TrainerState

__all__ = ["Backprop", "BackpropStep"]


class Backprop:
    """Loss and gradients of a pack's training step; the gradients land in ``p.grad``."""

    def __init__(self, net: PackedMLP, drop: DropoutPlan | None, task: str) -> None:
        self.net, self.drop, self.task = net, drop, task
        act = ACTIVATIONS[net.activation]
        self.act, self.act_backward = act.forward, act.backward
        self.relu = net.activation == "relu"  # relu's backward needs only its output: in place
        self.grad_w = [torch.empty_like(w) for w in net.weights]  # allocated once
        self.grad_b = [torch.empty_like(b) for b in net.biases]
        self.grad_gamma = [torch.empty_like(g) for g in net.gammas]
        self.grad_beta = [torch.empty_like(b) for b in net.betas]
        self.first: tuple[torch.Tensor, torch.Tensor] | None = None  # see defer_first

    @staticmethod
    def of(net: PackedModel, drop: DropoutPlan | None, task: str) -> Backprop | None:
        """The hand-written step for ``net``, or None where autograd must do it (a family
        other than the MLP)."""
        if not isinstance(net, PackedMLP) or net.activation not in ACTIVATIONS:
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

        ``z0``: the first layer's pre-activation, already computed (engine/step/chunked.py).
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
            norm = normalize(z, net.bn_stats[layer]) if net.gammas else None
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
        loss, g = loss_and_grad(out, yb, self.task)
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
                zhat, rstd = norm
                i = layer - 1
                gamma, grad_gamma, grad_beta = net.gammas[i], self.grad_gamma[i], self.grad_beta[i]
                g = batch_norm_backward(g, zhat, rstd, gamma, grad_gamma, grad_beta)
        params = net.weights + net.biases + net.gammas + net.betas  # net.parameters() order
        grads = self.grad_w + self.grad_b + self.grad_gamma + self.grad_beta
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad
        if defer_first:
            net.weights[0].grad = None
        return loss


class BackpropStep:
    """The training step with the hand-written backward: ``(idx, step) -> loss [M]``."""

    def __init__(self, state: TrainerState, backprop: Backprop) -> None:
        self.state, self.backprop = state, backprop

    def __call__(
        self, idx: torch.Tensor, step: int | torch.Tensor, next_idx: torch.Tensor | None = None
    ) -> torch.Tensor:
        s = self.state
        xb, yb = s.x[idx], s.y[idx]  # [M, b, D], [M, b]
        loss = self.backprop(xb, yb, step)
        s.opt.step()
        return loss.detach()
