"""Atomic file writes: write to a temporary file in the same folder, fsync, then rename.

A reader (a resumed study, a second process reading the data cache) sees the old file or
the new one, never half of one. Used by every layer that writes: data cache, store, report.

A failed write (a full disk, a read-only or forbidden folder) removes its temporary file and
raises an ``OSError`` that names the destination path, which the CLI prints as one line.
Torch objects are serialized in memory first, so a full disk gives ENOSPC, not torch's
"unexpected pos".
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import torch

__all__ = [
    "temp_beside",
    "write_bytes",
    "write_json",
    "write_npz",
    "write_text",
    "write_torch",
    "write_with",
]


def temp_beside(path: Path) -> tuple[int, str]:
    """A temp file in ``path``'s folder (same filesystem, so os.replace is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results should read like any file
    return fd, tmp


def write_with(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write`` on a temporary binary file, then atomically move it to ``path``."""
    try:
        fd, tmp = temp_beside(path)
    except OSError as err:
        raise _naming(err, path) from err
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _naming(err, path) from err
        raise


def _naming(err: OSError, path: Path) -> OSError:
    """The same error, naming the file it was writing (a write on a handle names none)."""
    if err.errno is None:
        return err
    return type(err)(err.errno, err.strerror, str(path))


def write_bytes(path: Path, data: bytes) -> None:
    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    write_with(path, write)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, obj: Any) -> None:
    """JSON without NaN or infinity (they become null), indented for people to read."""
    write_text(path, json.dumps(_finite(obj), indent=2, allow_nan=False) + "\n")


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    write_bytes(path, buffer.getvalue())


def write_torch(path: Path, obj: Any) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)  # in memory: a full disk then fails as an OSError below
    write_bytes(path, buffer.getvalue())


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, np.generic):
        return _finite(obj.item())
    return obj
