"""MNIST in the formats people already have, read into one canonical form.

Canonical MNIST (:class:`MnistArrays`) is what the cache stores and what Keras'
``mnist.npz`` holds: uint8 images ``[N, 28, 28]`` and uint8 labels ``[N]``, with the
official 60,000 / 10,000 train / test split. Readers::

    read_path(Path("~/Downloads/mnist"))   # the four IDX files (optionally .gz)
    read_path(Path("mnist.npz"))           # Keras' keras.datasets.mnist file
    read_path(Path("mnist.pkl.gz"))        # deeplearning.net's pickle (restricted unpickler)
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reglab.data.cache import sha256_bytes
from reglab.data.idx import read_idx
from reglab.data.pickled import safe_loads
from reglab.errors import DataError

__all__ = [
    "IDX_FILES",
    "OFFICIAL_SIZES",
    "MnistArrays",
    "from_pickle_gz",
    "idx_paths",
    "read_path",
]

OFFICIAL_SIZES = (60_000, 10_000)
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
_KEYS = ("x_train", "y_train", "x_test", "y_test")


@dataclass(frozen=True, eq=False)
class MnistArrays:
    """Canonical MNIST: images uint8 ``[N, 28, 28]``, labels uint8 ``[N]`` in 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @classmethod
    def from_dict(cls, arrays: Mapping[str, np.ndarray], *, origin: str) -> MnistArrays:
        """From the arrays of an .npz (Keras' keys), checked to be official MNIST."""
        missing = [key for key in _KEYS if key not in arrays]
        if missing:
            raise DataError(
                f"{origin} lacks {', '.join(missing)}; an MNIST .npz (Keras' "
                f"mnist.npz) holds {', '.join(_KEYS)}."
            )
        return cls(*(arrays[key] for key in _KEYS)).check(origin)

    def as_dict(self) -> dict[str, np.ndarray]:
        return {key: getattr(self, key) for key in _KEYS}

    def check(self, origin: str) -> MnistArrays:
        """Return self if shapes, dtypes and labels are MNIST's; else raise :class:`DataError`."""
        for split, n in zip(("train", "test"), OFFICIAL_SIZES, strict=True):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
                raise DataError(f"{origin}: the {split} images and labels must be arrays.")
            if x.dtype != np.uint8 or x.shape != (n, 28, 28):
                raise DataError(
                    f"{origin}: the {split} images must be uint8 of shape "
                    f"({n}, 28, 28), got {x.dtype} {x.shape}."
                )
            if y.dtype != np.uint8 or y.shape != (n,) or (n and int(y.max()) > 9):
                raise DataError(
                    f"{origin}: the {split} labels must be uint8 in 0..9 of shape "
                    f"({n},), got {y.dtype} {y.shape}."
                )
        return self


def read_path(path: Path) -> MnistArrays:
    """Read MNIST from a directory of IDX files, a Keras ``.npz`` or a ``.pkl.gz`` pickle."""
    if path.is_dir():
        return _from_idx_dir(path).check(str(path))
    if not path.is_file():
        raise DataError(
            f"No MNIST files at {path}: give a directory with the four IDX files "
            f"({', '.join(IDX_FILES)}, optionally .gz), Keras' mnist.npz, or "
            "mnist.pkl.gz."
        )
    if path.name.endswith(".npz"):
        return _from_npz(path)
    if path.name.endswith((".pkl.gz", ".pkl")):
        return from_pickle_gz(path.read_bytes(), sha256=None, origin=str(path))
    raise DataError(
        f"Cannot tell the format of {path}: expected a directory of IDX files, a "
        "file ending in .npz (Keras' mnist.npz), or one ending in .pkl.gz."
    )


def _from_idx_dir(path: Path) -> MnistArrays:
    return MnistArrays(*(read_idx(p) for p in idx_paths(path)))


def idx_paths(folder: Path) -> list[Path]:
    """The four IDX files of ``folder``, in IDX_FILES order (each plain or .gz)."""
    return [_find_idx(folder, stem) for stem in IDX_FILES]


def _find_idx(folder: Path, stem: str) -> Path:
    # Some mirrors write "train-images.idx3-ubyte" (a dot instead of the last dash).
    dotted = stem[::-1].replace("-", ".", 1)[::-1]
    for name in (stem, f"{stem}.gz", dotted, f"{dotted}.gz"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(
        f"{folder} has no {stem} (or {stem}.gz); an MNIST folder needs all four IDX "
        f"files: {', '.join(IDX_FILES)}."
    )


def _from_npz(path: Path) -> MnistArrays:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files if key in _KEYS}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise DataError(f"Cannot read {path} as an .npz file: {err}.") from err
    return MnistArrays.from_dict(arrays, origin=str(path))


def from_pickle_gz(data: bytes, *, sha256: str | None, origin: str) -> MnistArrays:
    """Convert deeplearning.net's ``mnist.pkl.gz`` (bytes) to canonical MNIST.

    The pickle holds (train, valid, test) pairs of float32 images ``[n, 784]`` with values
    k/256 and int64 labels; train + valid is the official training set, in order. If
    ``sha256`` is given the compressed bytes must match it.
    """
    if sha256 is not None and (actual := sha256_bytes(data)) != sha256:
        raise DataError(f"{origin} failed its checksum: expected sha256 {sha256}, got {actual}.")
    try:
        raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"Cannot read {origin}: the gzip stream is corrupt ({err}).") from err
    splits = safe_loads(raw, origin=origin)
    if not (isinstance(splits, tuple | list) and len(splits) == 3):
        raise DataError(f"{origin} must hold three (images, labels) pairs: train, valid, test.")
    pairs = [
        _pair(split, name, origin)
        for split, name in zip(splits, ("train", "valid", "test"), strict=True)
    ]
    x_train = np.concatenate([pairs[0][0], pairs[1][0]])
    y_train = np.concatenate([pairs[0][1], pairs[1][1]])
    return MnistArrays(x_train, y_train, *pairs[2]).check(origin)


def _pair(split: object, name: str, origin: str) -> tuple[np.ndarray, np.ndarray]:
    """One (images, labels) pair -> uint8 images [n, 28, 28], uint8 labels [n]."""
    if not (
        isinstance(split, tuple | list)
        and len(split) == 2
        and all(isinstance(a, np.ndarray) for a in split)
    ):
        raise DataError(f"{origin}: the {name} split must be a pair of numpy arrays.")
    x, y = split
    if x.ndim != 2 or x.shape[1] != 784 or x.dtype.kind != "f" or y.shape != (x.shape[0],):
        raise DataError(
            f"{origin}: the {name} split must be float images [n, 784] and labels "
            f"[n], got {x.dtype} {x.shape} and {y.dtype} {y.shape}."
        )
    k = x * np.float32(256)  # pixels were stored as k / 256; times 256 is exact
    if not (np.all(k == np.round(k)) and k.min(initial=0) >= 0 and k.max(initial=0) <= 255):
        raise DataError(
            f"{origin}: the {name} pixels are not of the form k/256 with k in "
            "0..255, so they cannot be restored to bytes exactly."
        )
    if y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() > 9)):
        raise DataError(f"{origin}: the {name} labels must be integers in 0..9.")
    return k.astype(np.uint8).reshape(-1, 28, 28), y.astype(np.uint8)
