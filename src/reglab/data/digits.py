"""scikit-learn's bundled 8x8 digits (1,797 images): a small real dataset for fast runs.

Nothing to download. The last 297 images are the test set (the file cycles through the
classes, so it is balanced to within a few); validation is the tail of the first 1,500::

    >>> from reglab.config import DataConfig
    >>> ds = load_digits(DataConfig("digits", val_size=300))
    >>> ds.x_train.shape, ds.x_val.shape, ds.x_test.shape
    (torch.Size([1200, 64]), torch.Size([300, 64]), torch.Size([297, 64]))
"""

from __future__ import annotations

from importlib import metadata, util
from pathlib import Path

import torch

from reglab.config import DataConfig
from reglab.data.cache import sha256_file
from reglab.data.dataset import Dataset
from reglab.data.split import build_dataset
from reglab.errors import invalid

__all__ = ["N_TEST", "bundled_file", "load_digits"]

N_TEST = 297


def bundled_file() -> Path:
    """The CSV that scikit-learn ships the digits in (its sha256 is the dataset checksum)."""
    spec = util.find_spec("sklearn")  # locate without importing: sklearn is slow to import
    assert spec is not None and spec.origin is not None, "scikit-learn is a dependency"
    return Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


def load_digits(cfg: DataConfig) -> Dataset:
    """The digits as a :class:`Dataset`; pixels 0..16 scaled to [0, 1]."""
    if cfg.path is not None:
        raise invalid(
            "path",
            "DataConfig",
            "unset for dataset 'digits' (it ships with scikit-learn)",
            cfg.path,
        )
    from sklearn.datasets import load_digits as sklearn_digits  # slow import: only when used

    bunch = sklearn_digits()
    x = torch.from_numpy(bunch.data).float() / 16.0  # [1797, 64]
    y = torch.from_numpy(bunch.target).long()  # [1797]
    n = x.shape[0] - N_TEST
    file = bundled_file()
    return build_dataset(
        cfg,
        "classification",
        (x[:n], y[:n], x[n:], y[n:]),
        num_classes=10,
        input_shape=(8, 8),
        image_shape=(1, 8, 8),
        source=f"scikit-learn=={metadata.version('scikit-learn')} ({file.name})",
        checksum=sha256_file(file),
    )
