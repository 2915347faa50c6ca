"""Each technique alone, against a closed form or a plain torch.nn module."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from reglab.config import EarlyStoppingConfig
from reglab.techniques import (
    BN_EPS,
    BN_MOMENTUM,
    BatchNormStats,
    EarlyStopping,
    batch_norm,
    dropout,
    maxnorm_,
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


def test_dropout_keeps_expected_share_and_scales() -> None:
    h = torch.ones(2, 400, 500)
    u = torch.rand(2, 400, 500)
    out = dropout(h, torch.tensor([0.0, 0.5]), u)
    assert torch.equal(out[0], h[0])
    kept = (out[1] > 0).float().mean().item()
    assert kept == pytest.approx(0.5, abs=0.01)
    assert out[1].mean().item() == pytest.approx(1.0, abs=0.02)  # expectation preserved
    assert set(out[1].unique().tolist()) == {0.0, 2.0}


def test_maxnorm_matches_keras_formula() -> None:
    w = torch.randn(2, 6, 3) * 3
    c = torch.tensor([1.0, float("inf")])
    before = w.clone()
    maxnorm_(w, c)
    norms = before[0].norm(dim=0)  # incoming norm of each of the 3 units
    want = before[0] * (norms.clamp(max=1.0) / norms)
    torch.testing.assert_close(w[0], want)
    torch.testing.assert_close(w[1], before[1])


def test_batch_norm_matches_torch_per_member() -> None:
    h = torch.randn(3, 32, 8) * 2 + 1
    gamma, beta = torch.rand(3, 1, 8) + 0.5, torch.randn(3, 1, 8)
    stats = BatchNormStats.create(3, 8)
    out = batch_norm(h, gamma, beta, stats, training=True)
    for m in range(3):
        ref = nn.BatchNorm1d(8, eps=BN_EPS, momentum=BN_MOMENTUM)
        with torch.no_grad():
            ref.weight.copy_(gamma[m, 0])
            ref.bias.copy_(beta[m, 0])
        torch.testing.assert_close(out[m], ref(h[m]), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(stats.mean[m], ref.running_mean)
        torch.testing.assert_close(stats.var[m], ref.running_var)
        ref.eval()
        eval_out = batch_norm(h, gamma, beta, stats, training=False)
        torch.testing.assert_close(eval_out[m], ref(h[m]), rtol=1e-5, atol=1e-5)


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
