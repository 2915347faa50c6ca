"""The dataset names reglab knows, and the two entry points: load and fetch.

>>> from reglab.config import DataConfig
>>> load_dataset(DataConfig("digits", val_size=300)).num_classes
10
>>> fetch("mnist")  # doctest: +SKIP
PosixPath('/home/me/.cache/reglab/mnist/mnist.npz')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import ClassVar

from reglab.config import DataConfig
from reglab.data.dataset import Dataset
from reglab.data.digits import bundled_file, load_digits
from reglab.data.mnist import cache_file as mnist_cache_file
from reglab.data.mnist import fetch_mnist, load_mnist
from reglab.data.mnist1d import load_mnist1d
from reglab.data.synthetic import load_synthetic
from reglab.data.user import (
    is_user_dataset,
    load_user,
    read_user_meta,
    user_data_file,
    user_datasets,
)
from reglab.errors import ConfigError

__all__ = ["DATASETS", "SUGGESTED_VAL_SIZE", "cache_file", "check_name", "fetch", "load_dataset"]

DATASETS: tuple[str, ...] = ("mnist", "digits", "synthetic", "mnist1d")

_LOADERS: dict[str, Callable[[DataConfig], Dataset]] = {
    "mnist": load_mnist,
    "digits": load_digits,
    "synthetic": load_synthetic,
    "mnist1d": load_mnist1d,
}


class _SuggestedValSize(Mapping[str, int]):
    """A validation size that fits each dataset (DataConfig's default, 10,000, is MNIST's).

    Built-ins have fixed sizes; a user dataset gets 1/6 of its training set (MNIST's share).
    """

    _BUILTIN: ClassVar[dict[str, int]] = {
        "mnist": 10_000,
        "digits": 300,
        "synthetic": 500,
        "mnist1d": 500,
    }

    def __getitem__(self, name: str) -> int:
        if name in self._BUILTIN:
            return self._BUILTIN[name]
        if is_user_dataset(name):
            return read_user_meta(name).suggested_val_size
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter([*self._BUILTIN, *user_datasets()])

    def __len__(self) -> int:
        return len(self._BUILTIN) + len(user_datasets())


SUGGESTED_VAL_SIZE: Mapping[str, int] = _SuggestedValSize()


def check_name(name: str) -> str:
    """Return ``name`` if it is a built-in or added dataset, else raise a ConfigError."""
    if name not in DATASETS and not is_user_dataset(name):
        users = user_datasets()
        added = f"; added with `reglab data add`: {', '.join(users)}" if users else ""
        raise ConfigError(
            f"Unknown dataset {name!r}; known datasets are: {', '.join(DATASETS)}{added}. "
            "Add your own with `reglab data add NAME FILE`."
        )
    return name


def load_dataset(cfg: DataConfig) -> Dataset:
    """The dataset ``cfg`` names, split per ``cfg`` (MNIST is fetched first if not cached)."""
    return _LOADERS.get(check_name(cfg.name), load_user)(cfg)


def fetch(name: str, *, quiet: bool = False, from_path: Path | None = None) -> Path:
    """Obtain, verify and cache dataset ``name``; return its file.

    ``from_path`` imports files the user already has (MNIST only). Digits ship with
    scikit-learn (their bundled file is returned); synthetic data are generated, not fetched.
    """
    check_name(name)
    if name == "mnist":
        return fetch_mnist(quiet=quiet, from_path=from_path)
    if name not in DATASETS:
        raise ConfigError(
            f"Dataset {name!r} was added from your files; there is nothing to fetch "
            f"(`reglab data info {name}` shows it)."
        )
    if from_path is not None:
        raise ConfigError(
            f"Dataset {name!r} cannot be imported from files; only 'mnist' can. "
            f"Got --from {from_path}."
        )
    if name == "digits":
        return bundled_file()
    raise ConfigError(
        f"Dataset {name!r} is generated in memory from fixed parameters; there is nothing to fetch."
    )


def cache_file(name: str) -> Path | None:
    """The file a dataset is read from (MNIST's cache, the digits CSV, a user dataset's npz),
    or None if generated."""
    check_name(name)
    if name not in DATASETS:
        return user_data_file(name)
    return {"mnist": mnist_cache_file(), "digits": bundled_file()}.get(name)
