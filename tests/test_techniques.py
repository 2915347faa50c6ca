"""Each technique alone, against a closed form or a plain torch.nn module."""

from __future__ import annotations

import pytest
import torch

from reglab import seeding
from reglab.config import EarlyStoppingConfig
from reglab.techniques import (
    BatchNormStats,
    DropoutSite,
    EarlyStopping,
    batch_norm,
    batch_norm_backward,
    dropout,
    maxnorm_,
    normalize,
    penalty,
    penalty_grad_,
)


def test_penalty_closed_form_and_gradient() -> None:
    w = torch.randn(3, 5, 4, requires_grad=True)
    l1, l2 = torch.tensor([0.0, 1e-2, 3e-3]), torch.tensor([1e-1, 0.0, 2e-2])
    p = penalty(w, l1, l2)
    for m in range(3):
        want = l1[m] * w[m].abs().sum() + l2[m] * (w[m] ** 2).sum()
        assert p[m].item() == pytest.approx(want.item(), rel=1e-6)
    p.sum().backward()
    grad = torch.zeros_like(w)
    penalty_grad_(grad, w.detach(), l1, l2)
    torch.testing.assert_close(grad, w.grad)


@pytest.mark.parametrize("rate", [0.5, 0.2])  # at 0.2, 1 / (1 - rate) = 1.25 != 1 / rate
def test_dropout_keeps_expected_share_and_scales(rate: float) -> None:
    h = torch.ones(2, 400, 500)
    u = torch.rand(2, 400, 500)
    out = dropout(h, torch.tensor([0.0, rate]), u)
    assert torch.equal(out[0], h[0])
    kept = (out[1] > 0).float().mean().item()
    assert kept == pytest.approx(1 - rate, abs=0.01)
    assert out[1].mean().item() == pytest.approx(1.0, abs=0.02)  # expectation preserved
    assert out[1].unique().tolist() == pytest.approx([0.0, 1 / (1 - rate)])


@pytest.mark.parametrize("rate", [0.5, 0.2])
def test_engine_dropout_site_keeps_one_minus_rate_and_scales(rate: float) -> None:
    """The masks the engine draws (DropoutSite), not only the definition on given uniforms."""
    keys = seeding.member_keys([0, 1], "dropout")
    site = DropoutSite.of(torch.tensor([0.0, rate]), keys)
    assert site is not None
    out = site.apply(torch.ones(2, 400, 500), step=3)
    assert torch.equal(out[0], torch.ones(400, 500))  # a member at rate 0 is untouched
    assert (out[1] > 0).float().mean().item() == pytest.approx(1 - rate, abs=0.01)
    assert out[1].unique().tolist() == pytest.approx([0.0, 1 / (1 - rate)])
    assert not torch.equal(out[1], site.apply(torch.ones(2, 400, 500), step=4)[1])  # per step


def test_maxnorm_matches_keras_formula() -> None:
    w = torch.randn(2, 6, 3) * 3
    c = torch.tensor([1.0, float("inf")])
    before = w.clone()
    maxnorm_(w, c)
    norms = before[0].norm(dim=0)  # incoming norm of each of the 3 units
    want = before[0] * (norms.clamp(max=1.0) / norms)
    torch.testing.assert_close(w[0], want)
    torch.testing.assert_close(w[1], before[1])
    assert w[0].norm(dim=0).max() <= 1.0 + 1e-6  # per unit (columns), not per input (rows)


def test_maxnorm_on_a_conv_kernel_bounds_each_output_unit() -> None:
    """Keras' Conv2D kernel [kh, kw, in, out] with MaxNorm(axis=[0, 1, 2]), per member."""
    w = torch.randn(2, 3, 3, 4, 5) * 2  # [M, kh, kw, in, out]
    c = torch.tensor([0.5, 2.0])
    before = w.clone()
    maxnorm_(w, c)
    for m in range(2):
        norms = before[m].square().sum((0, 1, 2)).sqrt()  # [out]
        want = before[m] * (c[m] / norms).clamp(max=1.0)
        torch.testing.assert_close(w[m], want)


# Keras' BatchNormalization, written out here with its documented defaults, independently of
# reglab's constants: momentum 0.99 weighs the old moving statistic, epsilon 1e-3.
# reglab keeps one documented difference (techniques/batchnorm.py): the moving variance takes
# the unbiased batch variance, as torch.nn.BatchNorm1d does.
KERAS_MOMENTUM, KERAS_EPSILON = 0.99, 1e-3


def _keras_batch_norm(
    h: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, mean: torch.Tensor, var: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One training call on h [B, H]: output and the new moving mean and variance [H]."""
    b_mean, b_var = h.mean(0), h.var(0, unbiased=False)
    out = (h - b_mean) / torch.sqrt(b_var + KERAS_EPSILON) * gamma + beta
    unbiased = b_var * h.shape[0] / (h.shape[0] - 1)
    new_mean = mean * KERAS_MOMENTUM + b_mean * (1 - KERAS_MOMENTUM)
    return out, new_mean, var * KERAS_MOMENTUM + unbiased * (1 - KERAS_MOMENTUM)


@pytest.mark.parametrize("engine", [False, True], ids=["batch_norm", "normalize"])
def test_batch_norm_follows_keras_definition(engine: bool) -> None:
    """Three training calls (so the momentum compounds), then inference on moving statistics."""
    gen = torch.Generator().manual_seed(0)
    gamma, beta = torch.rand(3, 1, 8, generator=gen) + 0.5, torch.randn(3, 1, 8, generator=gen)
    stats = BatchNormStats.create(3, 8)
    mean, var = torch.zeros(3, 8), torch.ones(3, 8)
    for _ in range(3):
        h = torch.randn(3, 32, 8, generator=gen) * 2 + 1
        if engine:  # the hand-written step's forward (engine/step/backprop.py)
            zhat, _ = normalize(h, stats)
            out = zhat * gamma + beta
        else:
            out = batch_norm(h, gamma, beta, stats, training=True)
        for m in range(3):
            want, mean[m], var[m] = _keras_batch_norm(
                h[m], gamma[m, 0], beta[m, 0], mean[m], var[m]
            )
            torch.testing.assert_close(out[m], want, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(stats.mean, mean, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(stats.var, var, rtol=1e-6, atol=1e-7)
    h = torch.randn(3, 16, 8, generator=gen)
    want = (h - mean[:, None]) / torch.sqrt(var[:, None] + KERAS_EPSILON) * gamma + beta
    torch.testing.assert_close(batch_norm(h, gamma, beta, stats, training=False), want)


def test_batch_norm_backward_equals_autograd() -> None:
    h = torch.randn(2, 16, 5, requires_grad=True)
    gamma, beta = torch.rand(2, 1, 5) + 0.5, torch.randn(2, 1, 5)
    gamma.requires_grad_(), beta.requires_grad_()
    g = torch.randn(2, 16, 5)
    (batch_norm(h, gamma, beta, BatchNormStats.create(2, 5), training=True) * g).sum().backward()
    zhat, rstd = normalize(h.detach(), BatchNormStats.create(2, 5))
    grad_gamma, grad_beta = torch.empty(2, 1, 5), torch.empty(2, 1, 5)
    grad_h = batch_norm_backward(g, zhat, rstd, gamma.detach(), grad_gamma, grad_beta)
    torch.testing.assert_close(grad_h, h.grad, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(grad_gamma, gamma.grad)
    torch.testing.assert_close(grad_beta, beta.grad)


# (monitor, patience, min_delta, start_from_epoch, metrics, expected stop epoch or None, best)
ES_CASES = [
    ("val_loss", 1, 0.0, 0, [0.5, 0.4, 0.45, 0.41], 2, 1),
    ("val_loss", 2, 0.0, 0, [0.5, 0.4, 0.45, 0.39, 0.4, 0.4], 5, 3),
    ("val_loss", 0, 0.0, 0, [0.5, 0.6], 1, 0),
    ("val_loss", 2, 0.05, 0, [0.5, 0.47, 0.46, 0.3], 2, 0),  # gains under min_delta don't count
    ("val_acc", 1, 0.0, 0, [0.8, 0.9, 0.85], 2, 1),
    ("val_acc", 3, 0.0, 0, [0.8, 0.9, 0.95, 0.96], None, 3),
    ("val_loss", 1, 0.0, 2, [0.9, 0.1, 0.5, 0.6], 3, 2),  # epochs before 2 are not monitored
    ("val_loss", 5, 0.0, 0, [0.5, float("nan")], 1, 0),  # a non-finite metric stops, loudly
]


@pytest.mark.parametrize(
    ("monitor", "patience", "delta", "start", "metrics", "stop", "best"), ES_CASES
)
def test_early_stopping_table(monitor, patience, delta, start, metrics, stop, best) -> None:
    es = EarlyStopping(
        EarlyStoppingConfig(
            patience=patience, monitor=monitor, min_delta=delta, start_from_epoch=start
        )
    )
    stopped_at = None
    for epoch, value in enumerate(metrics):
        if es.update(value).stop:
            stopped_at = epoch
            break
    assert stopped_at == stop
    assert es.best_epoch == best


def test_early_stopping_state_round_trip() -> None:
    es = EarlyStopping(EarlyStoppingConfig(patience=2))
    for v in (0.5, 0.4, 0.45):
        es.update(v)
    copy = EarlyStopping(EarlyStoppingConfig(patience=2))
    copy.load_state_dict(es.state_dict())
    assert copy.update(0.46).stop and es.update(0.46).stop
