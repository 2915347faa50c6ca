"""The on-disk cache: where it is, checksums, atomic writes, and verified ``.npz`` files.

Every cached array file has a JSON sidecar holding its sha256 and where it came from; a
file is trusted only if it still matches that checksum::

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "example.npz"  # real caches live under data_dir()
    >>> digest = write_npz(path, {"x": np.zeros((2, 3), np.uint8)}, source="example")
    >>> arrays, meta = read_npz(path, refetch="reglab data fetch example")
    >>> arrays["x"].shape, meta["sha256"] == digest
    ((2, 3), True)

The npz is written by hand (fixed timestamps, sorted members) so the same arrays give the
same bytes, and therefore the same checksum, on every machine with the same zlib.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reglab.atomic import temp_beside, write_bytes
from reglab.errors import DataError

__all__ = [
    "data_dir",
    "read_npz",
    "read_sidecar",
    "remove_entry",
    "sha256_bytes",
    "sha256_file",
    "sidecar_path",
    "write_npz",
]

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


def data_dir() -> Path:
    """The cache root: ``$REGLAB_DATA`` if set, else ``~/.cache/reglab``."""
    env = os.environ.get("REGLAB_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "reglab"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(path: Path) -> Path:
    """``mnist.npz`` -> ``mnist.json``: where the checksum and provenance of ``path`` live."""
    return path.with_suffix(".json")


def write_npz(path: Path, arrays: Mapping[str, np.ndarray], *, source: str) -> str:
    """Write ``arrays`` as a deflated ``.npz`` plus its JSON sidecar; return the file's sha256."""
    fd, tmp = temp_beside(path)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for key in sorted(arrays):
                info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(info, "w", force_zip64=True) as member:
                    np.lib.format.write_array(
                        member, np.ascontiguousarray(arrays[key]), allow_pickle=False
                    )
        digest = sha256_file(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    meta = {"file": path.name, "sha256": digest, "source": source, "format": 1}
    write_bytes(sidecar_path(path), (json.dumps(meta, indent=2) + "\n").encode())
    return digest


def read_npz(path: Path, *, refetch: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Load a cached ``.npz`` after checking it against its sidecar; return (arrays, sidecar).

    A file that fails the check is removed (so the next fetch starts clean) and a
    :class:`DataError` says so and what to run (``refetch``).
    """
    meta = _checked_sidecar(path, refetch)
    actual = sha256_file(path)
    if actual != meta["sha256"]:
        remove_entry(path)
        raise DataError(
            f"The cached file {path} failed its checksum (expected sha256 {meta['sha256']}, "
            f"got {actual}); the bad cache entry was removed. Run `{refetch}` to fetch it again."
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as err:
        remove_entry(path)
        raise DataError(
            f"The cached file {path} cannot be read ({err}); the bad cache entry "
            f"was removed. Run `{refetch}` to fetch it again."
        ) from err
    return arrays, meta


def read_sidecar(path: Path) -> dict[str, Any]:
    """The checksum record of cached file ``path``: {"sha256", "source", ...}.

    Raises OSError or ValueError if it is missing or malformed.
    """
    meta = json.loads(sidecar_path(path).read_text())
    if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str):
        raise ValueError("it has no 'sha256' entry")
    return meta


def _checked_sidecar(path: Path, refetch: str) -> dict[str, Any]:
    side = sidecar_path(path)
    try:
        meta = read_sidecar(path)
    except (OSError, ValueError) as err:
        remove_entry(path)
        raise DataError(
            f"The checksum record {side} of cached file {path} is unreadable "
            f"({err}); the cache entry was removed. Run `{refetch}` to fetch it "
            "again."
        ) from err
    if not isinstance(meta.get("source"), str):
        meta["source"] = str(path)
    return meta


def remove_entry(path: Path) -> None:
    """Remove a cached file and its sidecar (missing ones are fine)."""
    path.unlink(missing_ok=True)
    sidecar_path(path).unlink(missing_ok=True)
