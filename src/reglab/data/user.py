"""User datasets: added once into the cache (checked, checksummed), then loaded like built-ins.

    add_user_dataset("mytiny", Path("tiny.npz"))     # reglab data add mytiny tiny.npz
    load_dataset(DataConfig("mytiny", val_size=20))   # or: reglab compare --dataset mytiny
    user_datasets()                                   # reglab data ls

Layout: ``<data_dir>/user/<name>/data.npz`` (canonical arrays, written by
:func:`reglab.data.cache.write_npz`) and ``meta.json`` (:class:`UserDataset`, with the npz's
sha256). Both are written into a temporary folder that is renamed into place, so a dataset
exists whole or not at all; every check runs before anything is written. Loading re-hashes
the npz against ``meta.json``: a changed file is one :class:`DataError`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from reglab.atomic import write_bytes
from reglab.config import DataConfig
from reglab.data.cache import data_dir, sha256_file, write_npz
from reglab.data.dataset import Dataset
from reglab.data.split import build_dataset
from reglab.data.user_arrays import UserArrays, check_arrays
from reglab.data.user_files import read_user_file
from reglab.data.user_split import SPLIT_RULE, carve_test, train_order
from reglab.errors import ConfigError, DataError, invalid

__all__ = [
    "BUILTIN_NAMES",
    "UserDataset",
    "add_user_dataset",
    "check_user_name",
    "is_user_dataset",
    "load_user",
    "read_user_meta",
    "remove_user_dataset",
    "user_data_file",
    "user_datasets",
]

# Names a user dataset may not take: the built-ins (kept here so registry can import us).
BUILTIN_NAMES = ("mnist", "digits", "synthetic", "mnist1d")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_NAME_RULE = "1-64 characters from a-z, 0-9, '_' and '-', starting with a letter or digit"


@dataclass(frozen=True)
class UserDataset:
    """What ``meta.json`` records about a cached user dataset."""

    name: str
    sha256: str
    source: str
    format: str
    recognised: str | None
    num_classes: int
    feature_shape: tuple[int, ...]
    image_shape: tuple[int, int, int] | None
    n_train: int
    n_test: int
    test_split: str
    added: str

    @property
    def suggested_val_size(self) -> int:
        """MNIST's share (1/6 of the training set), at least 1."""
        return max(1, self.n_train // 6)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UserDataset:
        shape = data["image_shape"]
        fields = {
            **data,
            "feature_shape": tuple(int(d) for d in data["feature_shape"]),
            "image_shape": None if shape is None else (int(shape[0]), int(shape[1]), int(shape[2])),
        }
        return cls(**fields)


def user_root() -> Path:
    return data_dir() / "user"


def check_user_name(name: str) -> str:
    """Return ``name`` if it can name a new user dataset (a slug, not a built-in's name)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name in BUILTIN_NAMES:
        raise invalid(
            "name",
            "reglab data add",
            f"{_NAME_RULE}, and not a built-in dataset ({', '.join(BUILTIN_NAMES)})",
            name,
        )
    return name


def _folder(name: str) -> Path:
    check_user_name(name)
    root = user_root()
    folder = root / name
    assert folder.parent == root and folder.name == name  # the slug cannot leave the root
    return folder


def user_data_file(name: str) -> Path:
    return _folder(name) / "data.npz"


def is_user_dataset(name: str) -> bool:
    return (
        isinstance(name, str)
        and bool(_NAME.fullmatch(name))
        and (name not in BUILTIN_NAMES and (_folder(name) / "meta.json").is_file())
    )


def user_datasets() -> list[str]:
    """Names of the user datasets in the cache, sorted."""
    root = user_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if is_user_dataset(p.name))


def add_user_dataset(name: str, path: Path, *, label: str = "label") -> UserDataset:
    """Check ``path``, then copy it into the cache as dataset ``name``; return its record."""
    folder = _folder(name)
    if folder.exists():
        raise ConfigError(
            f"A dataset named {name!r} already exists ({folder}); choose another name or "
            f"remove it first with `reglab data rm {name}`."
        )
    path = path.expanduser()
    raw = read_user_file(path, label=label)
    arrays = check_arrays(raw.arrays, origin=str(path))
    canonical, test_split = _canonical(arrays)
    record = {
        "name": name,
        "source": str(path.resolve()),
        "format": raw.format,
        "recognised": raw.recognised,
        "num_classes": arrays.num_classes,
        "feature_shape": arrays.feature_shape,
        "image_shape": arrays.image_shape,
        "n_train": len(canonical["y_train"]),
        "n_test": len(canonical["y_test"]),
        "test_split": test_split,
    }
    try:
        meta = _write(folder, canonical, record)
    except OSError as err:  # no space, no permission, or the name was taken meanwhile
        raise DataError(
            f"Cannot write dataset {name!r} into the cache {folder.parent} ({err}); nothing "
            "was added."
        ) from err
    return meta


def _write(folder: Path, arrays: dict[str, np.ndarray], record: dict[str, Any]) -> UserDataset:
    """Write npz + meta.json into a temporary folder, then rename it to ``folder`` (atomic)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        digest = write_npz(tmp / "data.npz", arrays, source=record["source"])
        added = datetime.now(UTC).isoformat(timespec="seconds")
        meta = UserDataset(sha256=digest, added=added, **record)
        write_bytes(tmp / "meta.json", (json.dumps(meta.to_dict(), indent=2) + "\n").encode())
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700; a cache folder reads like any other
        os.rename(tmp, folder)  # fails if another process added the name meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def _canonical(arrays: UserArrays) -> tuple[dict[str, np.ndarray], str]:
    """Arrays as stored (train in its fixed order; a carved test split if none was given)."""
    x, y = arrays.x_train, arrays.y_train
    if arrays.x_test is None or arrays.y_test is None:
        train, test = carve_test(y)
        x_test, y_test, rule = x[test], y[test], f"carved from the training data ({SPLIT_RULE})"
        x, y = x[train], y[train]
    else:
        x_test, y_test, rule = arrays.x_test, arrays.y_test, "given in the file"
    order = train_order(len(y))
    return {"x_train": x[order], "y_train": y[order], "x_test": x_test, "y_test": y_test}, rule


def read_user_meta(name: str) -> UserDataset:
    """The record of user dataset ``name``; DataError if it is missing or unreadable."""
    file = _folder(name) / "meta.json"
    try:
        return UserDataset.from_dict(json.loads(file.read_text()))
    except (OSError, ValueError, TypeError, KeyError) as err:
        raise DataError(
            f"The record {file} of dataset {name!r} is unreadable ({err}); remove it with "
            f"`reglab data rm {name}` and add it again."
        ) from err


def verified_file(name: str) -> tuple[Path, UserDataset]:
    """The dataset's npz after checking its sha256 against ``meta.json``."""
    meta = read_user_meta(name)
    file = user_data_file(name)
    actual = sha256_file(file) if file.is_file() else "(missing)"
    if actual != meta.sha256:
        raise DataError(
            f"The cached file {file} of dataset {name!r} must have sha256 {meta.sha256} "
            f"(recorded when it was added). Got {actual} instead: it was changed or damaged. "
            f"Run `reglab data rm {name}` and add it again from {meta.source}."
        )
    return file, meta


def load_user(cfg: DataConfig) -> Dataset:
    """User dataset ``cfg.name`` as a :class:`Dataset` (uint8 pixels scaled to [0, 1])."""
    if cfg.path is not None:
        raise invalid("path", "DataConfig", f"unset for user dataset {cfg.name!r}", cfg.path)
    file, meta = verified_file(cfg.name)
    with np.load(file, allow_pickle=False) as npz:
        x_train, y_train, x_test, y_test = (
            npz[k] for k in ("x_train", "y_train", "x_test", "y_test")
        )
    official = (
        _features(x_train),
        torch.from_numpy(y_train),
        _features(x_test),
        torch.from_numpy(y_test),
    )
    recognised = f", verified as {meta.recognised}" if meta.recognised else ""
    return build_dataset(
        cfg,
        "classification",
        official,
        num_classes=meta.num_classes,
        input_shape=meta.feature_shape,
        source=f"user dataset from {meta.source} ({meta.format}{recognised})",
        checksum=meta.sha256,
        image_shape=meta.image_shape,
    )


def _features(x: np.ndarray) -> torch.Tensor:
    """[N, *shape] uint8 or float32 -> float32 [N, D] (uint8 / 255, as for MNIST)."""
    t = torch.from_numpy(x).reshape(len(x), -1)
    return t.float().div_(255.0) if x.dtype == np.uint8 else t.float()


def remove_user_dataset(name: str) -> Path:
    """Delete user dataset ``name`` from the cache; return the folder removed."""
    folder = _folder(name)
    if not folder.is_dir():
        raise ConfigError(f"There is no user dataset named {name!r} (see `reglab data ls`).")
    shutil.rmtree(folder)
    return folder
