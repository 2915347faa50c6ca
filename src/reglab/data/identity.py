"""A dataset's identity: its content checksum and the split a study takes from it.

Two studies trained on the same identity saw the same examples in the same splits; a study
whose data changed (a re-fetched or re-added file) has a different identity, so the runner
can refuse to resume it (issue 13, item 2)::

    >>> from reglab.config import DataConfig
    >>> ident = dataset_identity(DataConfig("digits", val_size=300))
    >>> ident.name, ident.val_size, len(ident.checksum)
    ('digits', 300, 64)
    >>> sorted(ident.to_dict())
    ['checksum', 'name', 'split', 'train_subset', 'val_size']
    >>> sorted(dataset_identity(DataConfig("digits", val_size=300, label_noise=1.0)).to_dict())
    ['checksum', 'label_noise', 'label_seed', 'name', 'split', 'train_subset', 'val_size']

The checksum is the one :class:`~reglab.data.Dataset` carries (``Dataset.checksum``), read
without loading the arrays: MNIST's cache sidecar (the cache is verified, and fetched if
missing), the digits CSV's sha256, the generator's checksum for synthetic data and MNIST-1D,
and a user dataset's recorded sha256 after re-hashing its file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from reglab.config import DataConfig
from reglab.data.cache import read_sidecar, sha256_file
from reglab.data.digits import bundled_file
from reglab.data.mnist import fetch_mnist
from reglab.data.mnist1d import mnist1d_arrays
from reglab.data.registry import DATASETS, check_name
from reglab.data.split import SUBSET_SEED
from reglab.data.synthetic import SyntheticSpec
from reglab.data.user import verified_file

__all__ = ["SPLIT_RULE_VERSION", "DatasetIdentity", "dataset_checksum", "dataset_identity"]

# Bump when the rule that turns (val_size, train_subset) into indices changes.
SPLIT_RULE_VERSION = f"val=tail; subset=balanced round-robin, seed {SUBSET_SEED}; v1"


@dataclass(frozen=True)
class DatasetIdentity:
    """What a study's results depend on in its data: content and split parameters."""

    name: str
    checksum: str
    val_size: int
    train_subset: int | None
    split: str = SPLIT_RULE_VERSION
    label_noise: float = 0.0
    label_seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """As a dict; label noise only when there is some (older identities stay equal)."""
        out = asdict(self)
        if not self.label_noise:
            del out["label_noise"], out["label_seed"]
        return out


def dataset_checksum(name: str) -> str:
    """The sha256 that identifies the content of dataset ``name`` (built-in or added)."""
    check_name(name)
    if name == "mnist":
        return str(read_sidecar(fetch_mnist(quiet=True))["sha256"])
    if name == "digits":
        return sha256_file(bundled_file())
    if name == "synthetic":
        return SyntheticSpec().checksum()
    if name == "mnist1d":
        return mnist1d_arrays()[1]
    assert name not in DATASETS, f"no checksum rule for built-in {name!r}"
    return verified_file(name)[1].sha256


def dataset_identity(cfg: DataConfig) -> DatasetIdentity:
    """The identity of the data ``cfg`` selects (for ``cfg.path`` data use the loaded
    ``Dataset.checksum`` instead: the file is only hashed when it is read)."""
    return DatasetIdentity(
        cfg.name,
        dataset_checksum(cfg.name),
        cfg.val_size,
        cfg.train_subset,
        label_noise=cfg.label_noise,
        label_seed=cfg.label_seed,
    )
