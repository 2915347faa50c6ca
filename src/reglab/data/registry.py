"""The dataset names reglab knows, and the two entry points: load and fetch.

>>> from reglab.config import DataConfig
>>> load_dataset(DataConfig("digits", val_size=300)).num_classes
10
>>> fetch("mnist")  # doctest: +SKIP
PosixPath('/home/me/.cache/reglab/mnist/mnist.npz')
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reglab.config import DataConfig
from reglab.data.dataset import Dataset
from reglab.data.digits import bundled_file, load_digits
from reglab.data.mnist import cache_file as mnist_cache_file
from reglab.data.mnist import fetch_mnist, load_mnist
from reglab.data.synthetic import load_synthetic
from reglab.errors import ConfigError

__all__ = ["DATASETS", "SUGGESTED_VAL_SIZE", "cache_file", "check_name", "fetch", "load_dataset"]

DATASETS: tuple[str, ...] = ("mnist", "digits", "synthetic")

# A validation size that fits each dataset (DataConfig's default, 10,000, is MNIST's).
SUGGESTED_VAL_SIZE = {"mnist": 10_000, "digits": 300, "synthetic": 500}

_LOADERS: dict[str, Callable[[DataConfig], Dataset]] = {
    "mnist": load_mnist,
    "digits": load_digits,
    "synthetic": load_synthetic,
}


def check_name(name: str) -> str:
    """Return ``name`` if it is a known dataset, else raise a ConfigError listing them."""
    if name not in DATASETS:
        raise ConfigError(f"Unknown dataset {name!r}; known datasets are: {', '.join(DATASETS)}.")
    return name


def load_dataset(cfg: DataConfig) -> Dataset:
    """The dataset ``cfg`` names, split per ``cfg`` (MNIST is fetched first if not cached)."""
    return _LOADERS[check_name(cfg.name)](cfg)


def fetch(name: str, *, quiet: bool = False, from_path: Path | None = None) -> Path:
    """Obtain, verify and cache dataset ``name``; return its file.

    ``from_path`` imports files the user already has (MNIST only). Digits ship with
    scikit-learn (their bundled file is returned); synthetic data are generated, not fetched.
    """
    check_name(name)
    if name == "mnist":
        return fetch_mnist(quiet=quiet, from_path=from_path)
    if from_path is not None:
        raise ConfigError(
            f"Dataset {name!r} cannot be imported from files; only 'mnist' can. "
            f"Got --from {from_path}."
        )
    if name == "digits":
        return bundled_file()
    raise ConfigError(
        "Dataset 'synthetic' is generated in memory from fixed parameters; "
        "there is nothing to fetch."
    )


def cache_file(name: str) -> Path | None:
    """The file a dataset is read from (MNIST's cache, the digits CSV), or None if generated."""
    check_name(name)
    return {"mnist": mnist_cache_file(), "digits": bundled_file()}.get(name)
