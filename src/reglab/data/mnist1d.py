"""MNIST-1D (Greydanus & Kobak, "Scaling down deep learning with MNIST-1D", ICML 2024).

Ten hand-made 12-point templates, one per digit, are padded, dilated, scaled, circularly
translated, given correlated and i.i.d. noise, sheared and resampled to 40 points; 5,000
examples (500 per class), shuffled, standardised, split 4,000 / 1,000. Generated here, offline,
with the reference generator's default arguments and seed (``mnist1d.data.get_dataset_args``:
seed 42), drawing from numpy's legacy ``RandomState`` in the reference's order, so the arrays
equal those of ``mnist1d.data.make_dataset()`` (as in github.com/greydanus/mnist1d,
mnist1d/data.py and transform.py)::

    >>> from reglab.config import DataConfig
    >>> ds = load_mnist1d(DataConfig("mnist1d", val_size=500))
    >>> ds.x_train.shape, ds.x_test.shape, ds.num_classes
    (torch.Size([3500, 40]), torch.Size([1000, 40]), 10)

The checksum is the sha256 of the generated float32 arrays, so a change in numpy or scipy
that altered them would show in a study's identity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch

from reglab.config import DataConfig
from reglab.data.dataset import Dataset
from reglab.data.split import build_dataset
from reglab.errors import invalid

__all__ = ["Mnist1dArgs", "load_mnist1d", "make_mnist1d", "mnist1d_arrays"]


@dataclass(frozen=True)
class Mnist1dArgs:
    """The reference's ``get_dataset_args()`` defaults."""

    num_samples: int = 5000
    train_split: float = 0.8
    template_len: int = 12
    padding: tuple[int, int] = (36, 60)
    scale_coeff: float = 0.4
    max_translation: int = 48
    corr_noise_scale: float = 0.25
    iid_noise_scale: float = 2e-2
    shear_scale: float = 0.75
    final_seq_length: int = 40
    seed: int = 42


_TEMPLATES = np.asarray(
    [
        [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
        [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
        [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
        [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
        [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
        [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
        [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
        [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
    ]
)  # [10, 12]


def _templates() -> np.ndarray:
    x = _TEMPLATES - _TEMPLATES.mean(1, keepdims=True)
    x = x / x.std(1, keepdims=True)
    x = x - x[:, :1]  # each signal starts (and ends) at 0
    return x / 6.0  # [10, 12]


def _resample(x: np.ndarray, n: int) -> np.ndarray:
    from scipy.interpolate import interp1d  # ~1 s to import: only when MNIST-1D is generated

    return interp1d(np.linspace(0, 1, len(x)), x, axis=0, kind="linear")(np.linspace(0, 1, n))


def _transform(x: np.ndarray, args: Mnist1dArgs, rs: np.random.RandomState) -> np.ndarray:
    """One example from template ``x`` [12] -> [40]; the reference's draws, in its order."""
    from scipy.ndimage import gaussian_filter  # imported on use, as in _resample

    low, high = args.padding
    pad = low + int(rs.rand() * (high - low + 1))
    new = np.concatenate([x + 1e-8, np.zeros(pad)])  # pad
    new = _resample(new, args.template_len + high)  # dilate to 72 points
    new = new * (1 + args.scale_coeff * (rs.rand() - 0.5))  # scale
    k = rs.choice(args.max_translation)
    new = np.concatenate([new[-k:], new[:-k]])  # circular translation (k = 0: unchanged)
    mask = new != 0
    corr = gaussian_filter(args.corr_noise_scale * rs.randn(*new.shape), 2)
    new = mask * new + (1 - mask) * corr
    new = new + args.iid_noise_scale * rs.randn(*new.shape)
    coeff = args.shear_scale * (rs.rand() - 0.5)
    new = new - coeff * np.linspace(-0.5, 0.5, len(new))  # shear
    return _resample(new, args.final_seq_length)  # [40]


def make_mnist1d(args: Mnist1dArgs | None = None) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): float64 ``[N, 40]`` and int64 ``[N]``."""
    args = args or Mnist1dArgs()
    rs = np.random.RandomState(args.seed)  # the reference seeds numpy's global legacy RNG
    templates = _templates()
    per_class = args.num_samples // len(templates)
    xs = [
        _transform(templates[c], args, rs) for c in range(len(templates)) for _ in range(per_class)
    ]
    ys = [c for c in range(len(templates)) for _ in range(per_class)]
    order = rs.permutation(len(ys))
    x, y = np.stack(xs)[order], np.asarray(ys, dtype=np.int64)[order]  # [N, 40], [N]
    x = (x - x.mean()) / x.std()
    split = int(len(y) * args.train_split)
    return x[:split], y[:split], x[split:], y[split:]


_CACHE: dict[Mnist1dArgs, tuple[tuple[torch.Tensor, ...], str]] = {}


def mnist1d_arrays(args: Mnist1dArgs | None = None) -> tuple[tuple[torch.Tensor, ...], str]:
    """The generated splits as tensors (float32 x, int64 y) and their sha256; memoised."""
    args = args or Mnist1dArgs()
    if args not in _CACHE:
        x_train, y_train, x_test, y_test = make_mnist1d(args)
        arrays = (x_train.astype(np.float32), y_train, x_test.astype(np.float32), y_test)
        digest = hashlib.sha256()
        for a in arrays:
            digest.update(np.ascontiguousarray(a).tobytes())
        _CACHE[args] = (tuple(torch.from_numpy(a) for a in arrays), digest.hexdigest())
    return _CACHE[args]


def load_mnist1d(cfg: DataConfig) -> Dataset:
    """MNIST-1D as a :class:`Dataset` (40 features, 10 classes; 4,000 train / 1,000 test)."""
    if cfg.path is not None:
        raise invalid(
            "path", "DataConfig", "unset for dataset 'mnist1d' (it is generated)", cfg.path
        )
    tensors, checksum = mnist1d_arrays()
    return build_dataset(
        cfg,
        "classification",
        (tensors[0], tensors[1], tensors[2], tensors[3]),
        num_classes=10,
        input_shape=(40,),
        source="generated (MNIST-1D, Greydanus & Kobak 2024; reference arguments, seed 42)",
        checksum=checksum,
    )
