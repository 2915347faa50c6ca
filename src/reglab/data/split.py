"""Splitting an official training set into train and validation, and subsetting it.

Validation is the *last* ``val_size`` examples of the official training set (as Keras'
``validation_split`` takes the end); the test set is never touched. ``train_subset`` keeps a
fixed, seed-independent, class-balanced choice of the remaining examples (chosen on the
true labels); ``label_noise`` then redraws labels of train and validation
(:mod:`reglab.data.labels`)::

    >>> import numpy as np
    >>> from reglab.config import DataConfig
    >>> labels = np.arange(100) % 10
    >>> train, val = split_indices(labels, DataConfig("digits", val_size=20, train_subset=30),
    ...                            dataset="digits")
    >>> len(train), int(val[0]), np.bincount(labels[train]).tolist()
    (30, 80, [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])

Subsets are nested: the examples chosen for n are among those chosen for n + 1.
"""

from __future__ import annotations

import numpy as np
import torch

from reglab.config import DataConfig
from reglab.data.dataset import Dataset, Task
from reglab.data.labels import LabelNoise, corrupt_labels
from reglab.errors import invalid

__all__ = ["SUBSET_SEED", "build_dataset", "split_indices"]

# The subset must not depend on any run's seed (paired arms share it), so it has its own.
SUBSET_SEED = 20_240_601


def split_indices(
    labels: np.ndarray, cfg: DataConfig, *, dataset: str, classification: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (int64, ascending) of the train and validation examples of ``labels`` ``[N]``."""
    n = int(labels.shape[0])
    if cfg.val_size > n - 1:
        raise invalid(
            "val_size",
            "DataConfig",
            f"an int in [1, {n - 1}] for dataset {dataset!r}, whose training set has {n} examples",
            cfg.val_size,
        )
    n_rest = n - cfg.val_size
    val = np.arange(n_rest, n, dtype=np.int64)
    if cfg.train_subset is None:
        return np.arange(n_rest, dtype=np.int64), val
    if cfg.train_subset > n_rest:
        raise invalid(
            "train_subset",
            "DataConfig",
            f"an int in [1, {n_rest}] for dataset {dataset!r} with val_size={cfg.val_size}",
            cfg.train_subset,
        )
    order = _balanced_order(labels[:n_rest] if classification else None, n_rest)
    return np.sort(order[: cfg.train_subset]), val


def _balanced_order(labels: np.ndarray | None, n: int) -> np.ndarray:
    """A fixed order of ``range(n)`` that cycles through the classes (round-robin).

    Each example gets its rank within its class under a fixed permutation; sorting by
    (rank, position in the permutation) takes one of each class in turn, so any prefix is
    balanced to within one example per class (as long as classes have enough examples).
    """
    perm = np.random.default_rng(SUBSET_SEED).permutation(n)  # [n]
    if labels is None:
        return perm
    permuted = labels[perm]  # [n]
    rank = np.empty(n, dtype=np.int64)
    for c in np.unique(permuted):
        where = np.flatnonzero(permuted == c)
        rank[where] = np.arange(where.size)
    return perm[np.lexsort((np.arange(n), rank))]


def build_dataset(
    cfg: DataConfig,
    task: Task,
    official: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
    *,
    num_classes: int,
    input_shape: tuple[int, ...],
    source: str,
    checksum: str,
    f_test: torch.Tensor | None = None,
    noise_std: float = 0.0,
    image_shape: tuple[int, int, int] | None = None,
) -> Dataset:
    """Split the official (x_train, y_train, x_test, y_test) per ``cfg`` into a Dataset."""
    x_full, y_full, x_test, y_test = official  # [N, D], [N], [N_test, D], [N_test]
    train, val = split_indices(
        y_full.numpy(), cfg, dataset=cfg.name, classification=task == "classification"
    )  # on the true labels: the same images are chosen with and without label noise
    n_rest = int(val[0])  # validation is the tail [n_rest, N)
    noise = None
    if cfg.label_noise > 0:
        y_full, noise = _noisy(cfg, task, y_full, train, num_classes)
    if cfg.train_subset is None:  # slices are views: no copy of the (large) training set
        x_train, y_train = x_full[:n_rest], y_full[:n_rest]
    else:
        train_idx = torch.from_numpy(train)
        x_train, y_train = x_full[train_idx], y_full[train_idx]
    return Dataset(
        name=cfg.name,
        task=task,
        x_train=x_train,
        y_train=y_train,
        x_val=x_full[n_rest:],
        y_val=y_full[n_rest:],
        x_test=x_test,
        y_test=y_test,
        num_classes=num_classes,
        input_shape=input_shape,
        source=source,
        checksum=checksum,
        f_test=f_test,
        noise_std=noise_std,
        image_shape=image_shape,
        label_noise=noise,
    )


def _noisy(
    cfg: DataConfig, task: Task, y_full: torch.Tensor, train: np.ndarray, num_classes: int
) -> tuple[torch.Tensor, LabelNoise]:
    """The official training labels ``[N]`` after label noise, and what it changed."""
    if task != "classification":
        raise invalid(
            "label_noise",
            "DataConfig",
            f"0.0 for dataset {cfg.name!r} (a regression task has no classes to draw)",
            cfg.label_noise,
        )
    true = y_full.numpy()  # [N]
    noisy = corrupt_labels(true, cfg.label_noise, seed=cfg.label_seed, num_classes=num_classes)
    changed = noisy != true  # [N]
    n_rest = len(true) - cfg.val_size
    record = LabelNoise(
        rate=float(cfg.label_noise),
        seed=cfg.label_seed,
        train_changed=int(changed[train].sum()),
        train_size=len(train),
        val_changed=int(changed[n_rest:].sum()),
        val_size=cfg.val_size,
    )
    return torch.from_numpy(noisy), record
