"""Published checksums of the IDX datasets that use MNIST's format: Fashion-MNIST and KMNIST.

A folder given to ``reglab data add`` whose ``.gz`` files carry these names is checked
against them: all four match -> the dataset is recognised (and says so in its source); some
match and one does not -> one clear error (a corrupt or altered copy); none match -> the
folder is read as any IDX data, by structure only::

    >>> recognise([])  # nothing to compare
    >>> sorted(KNOWN_IDX)
    ['Fashion-MNIST', 'KMNIST']

Sources. MD5: Fashion-MNIST's README (github.com/zalandoresearch/fashion-mnist) and, for
KMNIST, the values torchvision pins for codh.rois.ac.jp's files. SHA-256: the same files as
pinned by torchvision-ruby (ankane/torchvision-ruby, datasets/fashion_mnist.rb, kmnist.rb) and
by TensorFlow-Datasets-style loaders, which agree. Both digests must match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reglab.data.cache import sha256_file
from reglab.errors import DataError

__all__ = ["KNOWN_IDX", "KnownFile", "recognise"]


@dataclass(frozen=True)
class KnownFile:
    name: str
    md5: str
    sha256: str


KNOWN_IDX: dict[str, tuple[KnownFile, ...]] = {
    "Fashion-MNIST": (
        KnownFile(
            "train-images-idx3-ubyte.gz",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ),
        KnownFile(
            "train-labels-idx1-ubyte.gz",
            "25c81989df183df01b3e8a0aad5dffbe",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ),
        KnownFile(
            "t10k-images-idx3-ubyte.gz",
            "bef4ecab320f06d8554ea6380940ec79",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ),
        KnownFile(
            "t10k-labels-idx1-ubyte.gz",
            "bb300cfdad3c16e7a12a480ee83cd310",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ),
    ),
    "KMNIST": (
        KnownFile(
            "train-images-idx3-ubyte.gz",
            "bdb82020997e1d708af4cf47b453dcf7",
            "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
        ),
        KnownFile(
            "train-labels-idx1-ubyte.gz",
            "e144d726b3acfaa3e44228e80efcd344",
            "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
        ),
        KnownFile(
            "t10k-images-idx3-ubyte.gz",
            "5c965bf0a639b31b8f53240b1b52f4d7",
            "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
        ),
        KnownFile(
            "t10k-labels-idx1-ubyte.gz",
            "7320c461ea6c1c855c0b718fb2a4b134",
            "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c",
        ),
    ),
}


def _md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recognise(paths: Sequence[Path]) -> str | None:
    """The published dataset whose four files ``paths`` are, or None; DataError on a bad copy."""
    digests = {p.name: (sha256_file(p), p) for p in paths if p.name.endswith(".gz")}
    for dataset, files in KNOWN_IDX.items():
        matched = [f for f in files if digests.get(f.name, ("",))[0] == f.sha256]
        if not matched:
            continue
        for f in files:
            got, path = digests.get(f.name, ("(missing)", None))
            if got != f.sha256 or (path is not None and _md5_file(path) != f.md5):
                raise DataError(
                    f"The checksum of {path or f.name} must be {dataset}'s published sha256 "
                    f"{f.sha256} (md5 {f.md5}), since the other files of that folder are "
                    f"{dataset}'s. Got sha256 {got} instead: the file is corrupt or altered."
                )
        return dataset
    return None
