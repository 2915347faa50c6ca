"""Reading a user's data file into arrays: NPZ, CSV, or a folder of IDX files.

Nothing here trusts the file: NPZ members are read with ``allow_pickle=False`` after their
headers are checked (an object array is refused before anything is unpickled), CSV cells must
be numbers, IDX files must match their headers. Each problem is one
:class:`~reglab.errors.DataError` naming the file::

    read_user_file(Path("tiny.npz"))                 # x_train, y_train[, x_test, y_test]
    read_user_file(Path("iris.csv"), label="species")  # numeric columns + a label column
    read_user_file(Path("fashion/"))                  # train-images-idx3-ubyte[.gz], ...

The result still goes through :func:`reglab.data.user_arrays.check_arrays`.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from reglab.data.idx import read_idx
from reglab.data.known_idx import recognise
from reglab.data.mnist_files import idx_paths
from reglab.data.user_arrays import KEYS, MAX_BYTES, bad
from reglab.errors import DataError

__all__ = ["Format", "RawFile", "read_user_file"]

Format = Literal["npz", "csv", "idx"]
_CORRUPT = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True, eq=False)
class RawFile:
    """What a file held, unchecked: its arrays, format, and the published set it matched."""

    arrays: dict[str, np.ndarray]
    format: Format
    recognised: str | None = None


def read_user_file(path: Path, *, label: str = "label") -> RawFile:
    """Read ``path`` (an .npz, a .csv, or a folder of IDX files) into unchecked arrays."""
    try:
        return _read(path, label)
    except OSError as err:  # permissions, a folder named .npz, I/O errors
        raise DataError(f"Cannot read {path}: {err}.") from err


def _read(path: Path, label: str) -> RawFile:
    if path.is_dir():
        paths = idx_paths(path)
        arrays = dict(zip(KEYS, (read_idx(p) for p in paths), strict=True))
        return RawFile(arrays, "idx", recognise(paths))
    if not path.is_file():
        raise DataError(
            f"No file or folder at {path}: give an .npz, a .csv or a folder of IDX files."
        )
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise bad(str(path), "file size", f"at most {MAX_BYTES // 2**30} GiB", f"{size:,} bytes")
    if size == 0:
        raise bad(str(path), "content", "a non-empty file", "an empty file")
    if path.name.endswith(".npz"):
        return RawFile(_read_npz(path), "npz")
    if path.name.endswith(".csv"):
        return RawFile(_read_csv(path, label), "csv")
    raise bad(
        str(path), "format", "an .npz file, a .csv file or a folder of IDX files", repr(path.suffix)
    )


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    origin = str(path)
    with path.open("rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x93NUMPY"):
        raise bad(
            origin, "content", "an .npz archive (np.savez), not a single .npy array", "one array"
        )
    if not magic.startswith(b"PK\x03\x04"):  # checked first: np.load would try to unpickle it
        raise bad(origin, "content", "an .npz archive (a zip file)", f"a file starting {magic!r}")
    try:
        npz = np.load(path, allow_pickle=False)
    except _CORRUPT as err:
        raise bad(
            origin, "content", "a complete .npz archive", f"a truncated or corrupt one ({err})"
        ) from err
    with npz:
        keys = sorted(npz.files)
        if not set(keys) <= set(KEYS) or "x_train" not in keys or "y_train" not in keys:
            raise bad(origin, "arrays", "x_train, y_train and optionally x_test, y_test", keys)
        return {key: _member(npz, key, origin) for key in keys}


def _member(npz: np.lib.npyio.NpzFile, key: str, origin: str) -> np.ndarray:
    """One member, after its header says it is a numeric array of a sane size."""
    assert npz.zip is not None, "an open NpzFile has its zip"
    try:
        with npz.zip.open(f"{key}.npy") as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    except _CORRUPT as err:
        raise bad(origin, key, "a readable .npy member", f"a corrupt one ({err})") from err
    if dtype.hasobject:
        raise bad(
            origin, key, "an array of numbers (reglab never unpickles user files)", f"dtype {dtype}"
        )
    if 4 * int(np.prod(shape, dtype=np.int64)) > MAX_BYTES:
        raise bad(
            origin, f"{key} size", f"at most {MAX_BYTES // 2**30} GiB as float32", list(shape)
        )
    try:
        return npz[key]
    except _CORRUPT as err:
        raise bad(origin, key, "a complete array", f"a truncated or corrupt one ({err})") from err


def _read_csv(path: Path, label: str) -> dict[str, np.ndarray]:
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise bad(origin, "content", "UTF-8 text", f"undecodable bytes ({err})") from err
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise bad(origin, "content", "a header line and data lines", "no lines")
    header = [cell.strip() for cell in next(csv.reader([lines[first]]))]
    if label not in header:
        raise bad(
            origin,
            "header",
            f"a line of column names including the label column {label!r} (--label names it)",
            header[:8],
        )
    if not any(line.strip() for line in lines[first + 1 :]):
        raise bad(origin, "content", "at least one data line after the header", "none")
    values = _fast_values(text, first + 1, len(header))
    if values is None:  # numpy refused a line: find it, and say which and why
        values = _slow_values(lines, first + 1, header, origin)
    col = header.index(label)
    return {"x_train": np.delete(values, col, axis=1), "y_train": values[:, col]}


def _fast_values(text: str, skip: int, columns: int) -> np.ndarray | None:
    """All data lines as float64 ``[N, columns]`` via numpy's parser, or None if it fails."""
    try:
        values = np.loadtxt(
            io.StringIO(text),
            delimiter=",",
            skiprows=skip,
            ndmin=2,
            quotechar='"',
            dtype=np.float64,
        )
    except ValueError:
        return None
    return values if values.shape[1] == columns else None


def _slow_values(lines: list[str], skip: int, header: list[str], origin: str) -> np.ndarray:
    rows = [row for row in csv.reader(lines[skip:]) if any(cell.strip() for cell in row)]
    values = np.empty((len(rows), len(header)), dtype=np.float64)  # [N, columns]
    for i, row in enumerate(rows):
        values[i] = _numbers(row, header, origin, line=_line_of(lines, skip, i))
    return values


def _line_of(lines: list[str], skip: int, index: int) -> int:
    """The 1-based line number of the ``index``-th non-blank line after ``skip`` lines."""
    seen = -1
    for number, line in enumerate(lines[skip:], start=skip + 1):
        seen += bool(line.strip())
        if seen == index:
            return number
    return len(lines)


def _numbers(row: list[str], header: list[str], origin: str, *, line: int) -> list[float]:
    if len(row) != len(header):
        raise bad(origin, f"line {line}", f"{len(header)} fields like the header", len(row))
    out = []
    for cell, column in zip(row, header, strict=True):
        try:
            out.append(float(cell))
        except ValueError:
            raise bad(
                origin, f"value in line {line}, column {column!r},", "a number", repr(cell)
            ) from None
    return out
