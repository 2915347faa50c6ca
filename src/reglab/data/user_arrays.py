"""A user's arrays in one canonical form, and the checks every file passes before it is cached.

Whatever the file format (NPZ, CSV, IDX), reading ends in a dict of ``x_train, y_train[,
x_test, y_test]`` that :func:`check_arrays` turns into :class:`UserArrays` or rejects with one
:class:`~reglab.errors.DataError` naming the file, the constraint and the value found::

    >>> x = np.zeros((4, 3), np.float32)
    >>> arrays = check_arrays({"x_train": x, "y_train": np.array([0, 1, 0, 1])}, origin="t.npz")
    >>> arrays.num_classes, arrays.feature_shape, arrays.image_shape
    (2, (3,), None)
    >>> check_arrays({"x_train": x, "y_train": np.array([0, 1, 1, 1])}, origin="t.npz")
    Traceback (most recent call last):
    reglab.errors.DataError: The class counts of y_train of t.npz must be at least 2 ...

Rules: features are ``[N, D]`` (tabular) or images ``[N, H, W]`` / ``[N, C, H, W]`` (a
``[N, H, W, C]`` array with C in 1, 3, 4 and H not is read as channels-last and transposed);
labels are integers ``0..K-1`` (K the largest training label + 1, at most
:data:`MAX_CLASSES`) and every class has at least :data:`MIN_PER_CLASS` training examples;
everything is finite in float32; at most :data:`MAX_BYTES` of float32 features in all.
uint8 features are kept as bytes (pixels, scaled by 1/255 when loaded); others become float32.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from reglab.errors import DataError

__all__ = [
    "KEYS",
    "MAX_BYTES",
    "MAX_CLASSES",
    "MIN_PER_CLASS",
    "UserArrays",
    "bad",
    "check_arrays",
]

KEYS = ("x_train", "y_train", "x_test", "y_test")
MAX_CLASSES = 10_000
MIN_PER_CLASS = 2
MAX_BYTES = 8 * 2**30  # float32 features of all splits together: far above any CPU study
_CHANNELS = (1, 3, 4)


def bad(origin: str, what: str, constraint: str, got: object) -> DataError:
    """The one message format for a bad file: what, where, the constraint, the value found."""
    return DataError(f"The {what} of {origin} must be {constraint}. Got {got} instead.")


@dataclass(frozen=True, eq=False)
class UserArrays:
    """Checked arrays: x uint8 or float32 ``[N, *feature_shape]``, y int64 ``[N]`` in 0..K-1.

    ``x_test`` / ``y_test`` are None when the file had no test split (one is carved later).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    num_classes: int

    @property
    def feature_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def image_shape(self) -> tuple[int, int, int] | None:
        shape = self.feature_shape
        return (shape[0], shape[1], shape[2]) if len(shape) == 3 else None


def check_arrays(raw: Mapping[str, object], *, origin: str) -> UserArrays:
    """Validate and normalise ``raw`` (x_train, y_train[, x_test, y_test]); see module rules."""
    unknown = sorted(set(raw) - set(KEYS))
    if unknown or "x_train" not in raw or "y_train" not in raw:
        raise bad(origin, "arrays", "x_train, y_train and optionally x_test, y_test", sorted(raw))
    if ("x_test" in raw) != ("y_test" in raw):
        raise bad(origin, "test arrays", "x_test and y_test together (or neither)", sorted(raw))
    x_train = _features(raw["x_train"], origin, "x_train")
    y_train = _labels(raw["y_train"], origin, "y_train", len(x_train))
    num_classes = int(y_train.max()) + 1
    if num_classes > MAX_CLASSES:
        raise bad(origin, "labels in y_train", f"at most {MAX_CLASSES - 1}", int(y_train.max()))
    _check_counts(y_train, num_classes, origin)
    x_test = y_test = None
    if "x_test" in raw:
        x_test = _features(raw["x_test"], origin, "x_test")
        y_test = _labels(raw["y_test"], origin, "y_test", len(x_test))
        if x_test.shape[1:] != x_train.shape[1:]:
            raise bad(
                origin, "x_test shape", f"[N, {_dims(x_train)}] like x_train", list(x_test.shape)
            )
        if int(y_test.max()) >= num_classes:
            raise bad(
                origin,
                "labels in y_test",
                f"in 0..{num_classes - 1} (the classes of y_train)",
                int(y_test.max()),
            )
    _check_size(x_train, x_test, origin)
    return UserArrays(x_train, y_train, x_test, y_test, num_classes)


def _dims(x: np.ndarray) -> str:
    return ", ".join(str(d) for d in x.shape[1:])


def _features(value: object, origin: str, key: str) -> np.ndarray:
    """``[N, D]`` or ``[N, C, H, W]``, uint8 or finite float32, N and every dim >= 1."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf":
        kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise bad(origin, key, "an array of numbers (int, uint or float)", kind)
    x = value
    if x.ndim == 3:
        x = x[:, None]  # [N, H, W] -> [N, 1, H, W]
    elif x.ndim == 4 and x.shape[3] in _CHANNELS and x.shape[1] not in _CHANNELS:
        x = x.transpose(0, 3, 1, 2)  # channels-last [N, H, W, C] -> [N, C, H, W]
    if x.ndim not in (2, 4):
        raise bad(
            origin,
            f"{key} shape",
            "[N, D] features or [N, H, W] / [N, C, H, W] images",
            list(value.shape),
        )
    if 0 in x.shape:
        raise bad(
            origin, f"{key} shape", "non-empty (at least one example and feature)", list(x.shape)
        )
    if x.dtype == np.uint8:
        return np.ascontiguousarray(x)
    with np.errstate(over="ignore", invalid="ignore"):
        x32 = np.ascontiguousarray(x, dtype=np.float32)
    finite = np.isfinite(x32.reshape(len(x32), -1)).all(axis=1)  # [N]
    if not finite.all():
        first = int(np.flatnonzero(~finite)[0])
        raise bad(
            origin,
            f"values of {key}",
            "finite numbers (no NaN or inf, within float32's range)",
            f"NaN/inf in {int((~finite).sum())} of {len(x32)} examples, the first at index {first}",
        )
    return x32


def _labels(value: object, origin: str, key: str, n: int) -> np.ndarray:
    """int64 ``[n]``, every value an integer >= 0."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf":
        kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise bad(origin, key, "an array of integer class labels", kind)
    if value.shape != (n,):
        raise bad(origin, f"{key} shape", f"[{n}] (one label per example)", list(value.shape))
    if value.dtype.kind == "f":
        ok = np.isfinite(value) & (value == np.round(value))
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise bad(origin, f"labels in {key}", "integers", f"{value[i].item()!r} at index {i}")
    if value.min() < 0:
        i = int(np.argmin(value))
        raise bad(origin, f"labels in {key}", "integers >= 0", f"{value[i].item()!r} at index {i}")
    return value.astype(np.int64)


def _check_counts(y: np.ndarray, num_classes: int, origin: str) -> None:
    counts = np.bincount(y, minlength=num_classes)  # [K]
    if num_classes < 2:
        raise bad(origin, "labels in y_train", "at least 2 classes (0 and 1)", "only class 0")
    few = np.flatnonzero(counts < MIN_PER_CLASS)
    if few.size:
        shown = ", ".join(f"class {c}: {counts[c]}" for c in few[:5])
        more = f" and {few.size - 5} more" if few.size > 5 else ""
        raise bad(
            origin,
            "class counts of y_train",
            f"at least {MIN_PER_CLASS} for every class 0..{num_classes - 1} "
            "(labels are class indices: renumber them to 0..K-1)",
            shown + more,
        )


def _check_size(x_train: np.ndarray, x_test: np.ndarray | None, origin: str) -> None:
    values = x_train.size + (0 if x_test is None else x_test.size)
    if 4 * values > MAX_BYTES:
        raise bad(
            origin,
            "size",
            f"at most {MAX_BYTES // 2**30} GiB of float32 features ({MAX_BYTES // 4:,} values)",
            f"{values:,} values",
        )
