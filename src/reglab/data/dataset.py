"""The :class:`Dataset` every layer above trains and evaluates on.

Tensors are ready for the engine: inputs float32 ``[N, D]`` (images flattened, pixels in
[0, 1]), targets int64 class indices or float32 values::

    >>> from reglab.config import DataConfig
    >>> from reglab.data import load_dataset
    >>> ds = load_dataset(DataConfig("digits", val_size=300))
    >>> ds.x_train.shape, ds.in_features, ds.out_features
    (torch.Size([1200, 64]), 64, 10)
    >>> ds.info()["splits"]["test"]["size"]
    297
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import torch

from reglab.data.labels import LabelNoise

__all__ = ["Dataset", "Task"]

Task = Literal["classification", "regression"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train / validation / test splits of one dataset, with provenance.

    ``x_*``: float32 ``[N, D]``. ``y_*``: int64 ``[N]`` (classification) or float32 ``[N]``
    (regression). ``num_classes`` is the output width (1 for regression). ``source`` says where
    the data came from and ``checksum`` is the sha256 of the canonical file (or of the
    generator parameters). Regression sets carry the noise-free test target ``f_test``
    ``[N_test]`` and the noise level ``noise_std`` so bias and variance can be separated.
    ``image_shape`` is ``(C, H, W)`` for image data (``x_*`` rows are those images flattened,
    channel-major, so ``x.view(-1, *image_shape)`` restores them) and None otherwise.
    ``augmentations`` names the random transforms that keep image data's labels true
    ("shift"; "flip" only where a mirrored image is still its class: never for digits).
    ``label_noise`` says how many train and validation labels ``DataConfig.label_noise``
    changed (None without label noise; ``y_train``/``y_val`` hold the noisy labels).
    """

    name: str
    task: Task
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int
    input_shape: tuple[int, ...]
    source: str
    checksum: str
    f_test: torch.Tensor | None = None
    noise_std: float = 0.0
    image_shape: tuple[int, int, int] | None = None
    augmentations: tuple[str, ...] = ("shift",)
    label_noise: LabelNoise | None = None

    @property
    def in_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def out_features(self) -> int:
        return self.num_classes

    @property
    def model_shape(self) -> tuple[int, ...]:
        """The shape a model is built for: ``image_shape`` (C, H, W) for image data, else
        ``input_shape``."""
        return tuple(self.image_shape or self.input_shape)

    def info(self) -> dict[str, Any]:
        """Split sizes and (classification) per-class counts, plus provenance; JSON-ready."""
        splits = {
            "train": self._split_info(self.y_train),
            "val": self._split_info(self.y_val),
            "test": self._split_info(self.y_test),
        }
        out: dict[str, Any] = {
            "name": self.name,
            "task": self.task,
            "num_classes": self.num_classes,
            "input_shape": list(self.input_shape),
            "image_shape": None if self.image_shape is None else list(self.image_shape),
            "splits": splits,
            "checksum": self.checksum,
            "source": self.source,
        }
        if self.task == "regression":
            out["noise_std"] = self.noise_std
        if self.label_noise is not None:
            out["label_noise"] = self.label_noise.to_dict()
        return out

    def _split_info(self, y: torch.Tensor) -> dict[str, Any]:
        split: dict[str, Any] = {"size": int(y.shape[0])}
        if self.task == "classification":
            counts = torch.bincount(y, minlength=self.num_classes)  # [C]
            split["class_counts"] = [int(c) for c in counts]
        return split
