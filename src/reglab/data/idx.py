"""The IDX format of the original MNIST files (LeCun et al.), parsed with numpy by hand.

An IDX file is a 4-byte magic number ``00 00 TYPE NDIM``, NDIM big-endian uint32 sizes, then
the data in row-major order. MNIST uses TYPE 0x08 (unsigned byte)::

    >>> raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])
    >>> parse_idx(raw, origin="labels").tolist()
    [7, 2, 1]

Files may be gzipped (``.gz``), as they are distributed.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from reglab.errors import DataError

__all__ = ["parse_idx", "read_idx"]

_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (gunzipping it if its name ends in ``.gz``) into a uint8 array."""
    try:
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(
            f"Cannot read IDX file {path}: {err}. Replace it with an intact copy."
        ) from err
    return parse_idx(raw, origin=str(path))


def parse_idx(raw: bytes, *, origin: str) -> np.ndarray:
    """Parse the bytes of an IDX file of unsigned bytes into an array of its shape."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(
            f"{origin} is not an IDX file: it must start with bytes 00 00, "
            f"got {raw[:4].hex(' ') or 'an empty file'}."
        )
    dtype, ndim = raw[2], raw[3]
    if dtype != _UBYTE:
        raise DataError(
            f"{origin} holds IDX type 0x{dtype:02x}; reglab reads unsigned-byte "
            "(0x08) files, as MNIST's are."
        )
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataError(
            f"{origin} is truncated: its IDX header needs {header} bytes for "
            f"{ndim} dimensions, the file has {len(raw)}."
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64))
    found = len(raw) - header
    if found != expected:
        problem = "truncated" if found < expected else "longer than its header says"
        raise DataError(
            f"{origin} is {problem}: shape {shape} needs {expected} bytes of data, "
            f"the file has {found}."
        )
    # copy: frombuffer views the immutable bytes, and torch wants writable arrays
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()
