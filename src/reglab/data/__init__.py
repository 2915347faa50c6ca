"""Datasets for reglab: real MNIST (verified, cached), scikit-learn digits, synthetic regression.

    >>> from reglab.config import DataConfig
    >>> from reglab.data import load_dataset
    >>> ds = load_dataset(DataConfig("mnist"))          # doctest: +SKIP
    >>> ds.x_train.shape, ds.x_val.shape, ds.x_test.shape  # doctest: +SKIP
    (torch.Size([50000, 784]), torch.Size([10000, 784]), torch.Size([10000, 784]))

From the shell: ``reglab data fetch mnist`` and ``reglab data info mnist``.
"""

from __future__ import annotations

from reglab.data.cache import data_dir
from reglab.data.dataset import Dataset
from reglab.data.registry import (
    DATASETS,
    SUGGESTED_VAL_SIZE,
    cache_file,
    check_name,
    fetch,
    load_dataset,
)

__all__ = [
    "DATASETS",
    "SUGGESTED_VAL_SIZE",
    "Dataset",
    "cache_file",
    "check_name",
    "data_dir",
    "fetch",
    "load_dataset",
]
