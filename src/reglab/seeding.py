"""Per-member random streams, derived from (seed, purpose, step) and nothing else.

Every random number a member uses — initial weights, data order, dropout masks, bootstrap
resamples — comes from its own seed and the purpose it serves, never from a shared global
generator. So a member's trajectory does not depend on which members share its pack, on
pack size or on order (DESIGN.md, decision 2), and seed k gives the same data order and
initial weights in every arm of a study (decision 3: paired seeds).

Per-step streams (masks, permutations) use a counter-based hash evaluated with tensor ops
on the device, vectorized over members, so they need no generator state (resumable, and
capturable in a CUDA graph): C. Wellons' "lowbias32" integer hash (hash-prospector, 2018),
on 32-bit values held in int64 and masked back to 32 bits after each product (the low bits
of a wrapped product are exact). Dropout masks, the hot path, run the same hash on int32
(``_mix32_``): AVX2 has 32-bit but no 64-bit vector multiply, so each op is 2-4x cheaper;
products wrap (two's complement) and logical right shifts are arithmetic shifts masked to
their 32 - k low bits, so the bits are identical. One-off streams (initial weights) use a
torch.Generator seeded from the same key::

    >>> keys = member_keys([0, 1], "dropout")          # [M] int64
    >>> u = uniform(keys, step=7, shape=(32, 512))      # [M, 32, 512] in [0, 1)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import torch

__all__ = [
    "PURPOSES",
    "generator",
    "keep_mask",
    "keep_threshold",
    "key",
    "member_keys",
    "permutations",
    "random_bits",
    "random_bits32",
    "uniform",
]

PURPOSES = (
    "init",
    "order",
    "dropout",
    "input_dropout",
    "bootstrap",
    "spatial_dropout",
    "augment",
    "noise",
    "mc_dropout",
)
_MASK32 = 0xFFFFFFFF


def key(seed: int, purpose: str, *extra: int) -> int:
    """A 32-bit key for (seed, purpose, extra...), stable across platforms and versions."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown random purpose {purpose!r}; known: {PURPOSES}")
    text = ":".join(str(x) for x in (seed, purpose, *extra)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "little")


def member_keys(
    seeds: Sequence[int], purpose: str, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """Keys of each member for one purpose: int64 [M]."""
    return torch.tensor([key(s, purpose) for s in seeds], dtype=torch.int64, device=device)


def generator(seed: int, purpose: str, *extra: int) -> torch.Generator:
    """A CPU generator for one-off draws (e.g. initial weights of layer ``extra[0]``)."""
    return torch.Generator().manual_seed(key(seed, purpose, *extra))


def _mix(x: torch.Tensor) -> torch.Tensor:
    """lowbias32: a 32-bit avalanche hash, elementwise on int64 tensors holding values < 2**32."""
    x = x ^ (x >> 16)
    x.mul_(0x7FEB352D).bitwise_and_(_MASK32)
    x.bitwise_xor_(x >> 15)
    x.mul_(0x846CA68B).bitwise_and_(_MASK32)
    return x.bitwise_xor_(x >> 16)


def _mix_int(x: int) -> int:
    """lowbias32 on one Python int: the same function as ``_mix``, without a tensor op."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & _MASK32
    x ^= x >> 15
    x = (x * 0x846CA68B) & _MASK32
    return x ^ (x >> 16)


def random_bits(keys: torch.Tensor, step: int | torch.Tensor, n: int) -> torch.Tensor:
    """Uniform 32-bit integers, int64 [M, n], a pure function of (key, step, index)."""
    if isinstance(step, int):  # mixed on the host: a dozen fewer tiny tensor ops per call
        step_mix: int | torch.Tensor = _mix_int(step & _MASK32)
    else:
        step_mix = _mix(step.to(device=keys.device, dtype=torch.int64) & _MASK32)
    base = _mix(keys ^ step_mix)  # [M]
    index = torch.arange(n, dtype=torch.int64, device=keys.device)  # [n]
    return _mix((base[:, None] * 0x9E3779B1 + index) & _MASK32)  # [M, n]


def _signed32(c: int) -> int:
    """An unsigned 32-bit constant as the int32 value with the same bits."""
    return c - (1 << 32) if c >= 1 << 31 else c


_MUL1, _MUL2 = _signed32(0x7FEB352D), _signed32(0x846CA68B)


def _mix32_(x: torch.Tensor) -> torch.Tensor:
    """lowbias32 in place on int32 holding the 32 bits: wrapping products, and each logical
    right shift by k as an arithmetic shift masked to its 32 - k low bits."""
    x.bitwise_xor_((x >> 16).bitwise_and_(0xFFFF))
    x.mul_(_MUL1)
    x.bitwise_xor_((x >> 15).bitwise_and_(0x1FFFF))
    x.mul_(_MUL2)
    return x.bitwise_xor_((x >> 16).bitwise_and_(0xFFFF))


def random_bits32(keys: torch.Tensor, step: int | torch.Tensor, n: int) -> torch.Tensor:
    """``random_bits`` as int32 [M, n] holding the same 32 bits (two's complement).

    With an int step and keys on the CPU, the per-member start is mixed on the host (a dozen
    fewer tiny tensor ops per call); otherwise on the device (e.g. a step tensor in a graph).
    """
    if isinstance(step, int) and keys.device.type == "cpu":
        step_mix = _mix_int(step & _MASK32)
        starts = [_signed32((_mix_int(k ^ step_mix) * 0x9E3779B1) & _MASK32) for k in keys.tolist()]
        start = torch.tensor(starts, dtype=torch.int32)
    else:
        if isinstance(step, int):
            mixed: int | torch.Tensor = _mix_int(step & _MASK32)
        else:
            mixed = _mix(step.to(device=keys.device, dtype=torch.int64) & _MASK32)
        wide = (_mix(keys ^ mixed) * 0x9E3779B1) & _MASK32  # int64 [M], < 2**32
        start = torch.where(wide >= 1 << 31, wide - (1 << 32), wide).to(torch.int32)
    return _mix32_(start[:, None] + _index32(n, keys.device))  # wraps like the int64 sum


_INDEX32: dict[tuple[int, torch.device], torch.Tensor] = {}


def _index32(n: int, device: torch.device) -> torch.Tensor:
    """arange(n) as int32, made once per (n, device): read-only, never written."""
    index = _INDEX32.get((n, device))
    if index is None and device.type == "cuda" and torch.cuda.is_current_stream_capturing():
        return torch.arange(n, dtype=torch.int32, device=device)  # not cached from a capture
    if index is None:
        index = _INDEX32[(n, device)] = torch.arange(n, dtype=torch.int32, device=device)
    return index


def uniform(keys: torch.Tensor, step: int | torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    """Uniform floats in [0, 1) with 24-bit resolution, float32 [M, *shape]."""
    n = 1
    for size in shape:
        n *= size
    bits = random_bits(keys, step, n)
    return ((bits >> 8).to(torch.float32) * (1.0 / (1 << 24))).view(len(keys), *shape)


def keep_threshold(rate: torch.Tensor) -> torch.Tensor:
    """The integer form of ``rate`` [M] that ``keep_mask`` compares with: int32 [M, 1]."""
    return torch.ceil(rate * float(1 << 24)).to(torch.int32)[:, None]  # <= 2**24


def keep_mask(
    keys: torch.Tensor,
    step: int | torch.Tensor,
    shape: Sequence[int],
    rate: torch.Tensor,
    *,
    threshold: torch.Tensor | None = None,
) -> torch.Tensor:
    """``uniform(keys, step, shape) >= rate`` bit for bit, bool [M, *shape]; rate [M].

    Compared as integers: u = (bits >> 8) / 2**24 and rate * 2**24 is exact in float32, so
    u >= rate exactly when (bits >> 8) >= ceil(rate * 2**24); no float conversion needed.
    ``threshold``, ``keep_threshold(rate)`` made once by a caller that draws every step.
    """
    n = 1
    for size in shape:
        n *= size
    threshold = keep_threshold(rate) if threshold is None else threshold
    top24 = (random_bits32(keys, step, n) >> 8).bitwise_and_(0xFFFFFF)  # bits >> 8, [M, n]
    return (top24 >= threshold).view(len(keys), *shape)


def permutations(keys: torch.Tensor, step: int | torch.Tensor, n: int) -> torch.Tensor:
    """One random permutation of range(n) per member, int64 [M, n] (e.g. an epoch's order)."""
    return torch.argsort(random_bits(keys, step, n), dim=1, stable=True)
