"""Datasets for reglab: real MNIST (verified, cached), scikit-learn digits, MNIST-1D, synthetic
regression, and the user's own files (``reglab data add NAME FILE``).

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
from reglab.data.identity import DatasetIdentity, dataset_checksum, dataset_identity
from reglab.data.registry import (
    DATASETS,
    SUGGESTED_VAL_SIZE,
    cache_file,
    check_name,
    fetch,
    load_dataset,
)
from reglab.data.user import (
    UserDataset,
    add_user_dataset,
    read_user_meta,
    remove_user_dataset,
    user_datasets,
)

__all__ = [
    "DATASETS",
    "SUGGESTED_VAL_SIZE",
    "Dataset",
    "DatasetIdentity",
    "UserDataset",
    "add_user_dataset",
    "cache_file",
    "check_name",
    "data_dir",
    "dataset_checksum",
    "dataset_identity",
    "fetch",
    "load_dataset",
    "read_user_meta",
    "remove_user_dataset",
    "user_datasets",
]
