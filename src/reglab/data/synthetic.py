"""A regression task with known ground truth, for measuring bias and variance.

x ~ U[-1, 1]^d, f(x) = sum_k a_k sin(w_k . x + b_k) (fixed random projections, scaled so f
has unit variance), y = f(x) + N(0, noise_std^2). Everything comes from one fixed generator
seed, so the data are identical on every run and machine::

    >>> from reglab.config import DataConfig
    >>> ds = load_synthetic(DataConfig("synthetic", val_size=500))
    >>> ds.task, ds.x_train.shape, ds.f_test.shape, ds.noise_std
    ('regression', torch.Size([1500, 8]), torch.Size([1000]), 0.3)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import torch

from reglab.config import DataConfig
from reglab.data.cache import sha256_bytes
from reglab.data.dataset import Dataset
from reglab.data.split import build_dataset
from reglab.errors import invalid

__all__ = ["SyntheticSpec", "load_synthetic", "make_synthetic"]


@dataclass(frozen=True)
class SyntheticSpec:
    """The generator parameters; their JSON's sha256 is the dataset checksum."""

    dim: int = 8
    n_train: int = 2_000
    n_test: int = 1_000
    n_terms: int = 16
    noise_std: float = 0.3
    seed: int = 1_234

    def checksum(self) -> str:
        return sha256_bytes(json.dumps(asdict(self), sort_keys=True).encode())


def make_synthetic(spec: SyntheticSpec) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test, f_test) as float32 arrays ``[N, d]`` / ``[N]``."""
    rng = np.random.default_rng(spec.seed)
    w = rng.normal(0.0, 1.5, size=(spec.n_terms, spec.dim))  # [K, d] projection directions
    b = rng.uniform(0.0, 2 * np.pi, size=spec.n_terms)  # [K]
    a = rng.normal(0.0, 1.0, size=spec.n_terms)  # [K]
    n = spec.n_train + spec.n_test
    x = rng.uniform(-1.0, 1.0, size=(n, spec.dim))  # [N, d]
    f = np.sin(x @ w.T + b) @ a  # [N]
    # Scale by the sample's own spread so noise_std is a fraction of the signal's std.
    f = (f - f.mean()) / f.std()
    y = f + rng.normal(0.0, spec.noise_std, size=n)  # [N]
    t = spec.n_train
    return tuple(v.astype(np.float32) for v in (x[:t], y[:t], x[t:], y[t:], f[t:]))


def load_synthetic(cfg: DataConfig, spec: SyntheticSpec | None = None) -> Dataset:
    """The synthetic regression task as a :class:`Dataset` (``num_classes`` 1, y float32)."""
    if cfg.path is not None:
        raise invalid(
            "path", "DataConfig", "unset for dataset 'synthetic' (it is generated)", cfg.path
        )
    spec = spec or SyntheticSpec()
    x_train, y_train, x_test, y_test, f_test = (torch.from_numpy(v) for v in make_synthetic(spec))
    return build_dataset(
        cfg,
        "regression",
        (x_train, y_train, x_test, y_test),
        num_classes=1,
        input_shape=(spec.dim,),
        source=f"generated (reglab SyntheticSpec, seed {spec.seed})",
        checksum=spec.checksum(),
        f_test=f_test,
        noise_std=spec.noise_std,
    )
