"""The engine's fast paths give the same numbers as the plain definitions they replace."""

from __future__ import annotations

import torch

from reglab import seeding
from reglab.techniques import DropoutSite, dropout


def _lowbias32(x: int) -> int:  # C. Wellons' lowbias32, in plain Python ints
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    return x ^ (x >> 16)


def test_random_bits_match_plain_python_for_int_and_tensor_steps() -> None:
    keys = seeding.member_keys([0, 1, 2], "dropout")
    for step in (0, 1, 12345, 2**32 + 5):
        bits = seeding.random_bits(keys, step, 37)
        assert torch.equal(bits, seeding.random_bits(keys, torch.tensor(step), 37))
        k = int(keys[1])
        base = _lowbias32(k ^ _lowbias32(step & 0xFFFFFFFF))
        want = [_lowbias32((base * 0x9E3779B1 + i) & 0xFFFFFFFF) for i in range(37)]
        assert bits[1].tolist() == want


def test_keep_mask_is_uniform_compared_with_rate_bit_for_bit() -> None:
    keys = seeding.member_keys(list(range(16)), "dropout")
    u = seeding.uniform(keys, 3, (64, 64))
    for rate in (
        torch.linspace(0.0, 1.0, 16),
        u[:, 5, 7].clone(),  # a rate equal to one of the uniforms: the boundary is kept
        torch.nextafter(u[:, 5, 7], torch.tensor(1.0)),
    ):
        mask = seeding.keep_mask(keys, 3, (64, 64), rate)
        assert torch.equal(mask, u >= rate.view(-1, 1, 1))


def test_dropout_site_for_a_subset_equals_dropout_on_every_member() -> None:
    rate = torch.tensor([0.0, 0.5, 0.0, 0.3])
    keys = seeding.member_keys([0, 1, 2, 3], "dropout")
    site = DropoutSite.of(rate, keys)
    assert site is not None and site.rows is not None and site.rows.tolist() == [1, 3]
    h = torch.randn(4, 8, 16)
    want = dropout(h, rate, seeding.uniform(keys, 9, (8, 16)))
    torch.testing.assert_close(site.apply(h, 9), want, rtol=1e-6, atol=0)
    assert DropoutSite.of(torch.zeros(4), keys) is None
