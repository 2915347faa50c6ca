"""Label noise: training labels replaced by uniformly random classes (Zhang et al. 2017).

Each label of the official training set is, independently with probability ``noise``,
replaced by a class drawn uniformly from all ``num_classes`` (it may draw its true class
again, so about ``noise * (1 - 1/num_classes)`` of the labels actually change); ``noise``
1.0 gives random labels, as in Zhang et al., "Understanding deep learning requires
rethinking generalization" (ICLR 2017)::

    >>> import numpy as np
    >>> y = np.arange(1000) % 10
    >>> noisy = corrupt_labels(y, 1.0, seed=0, num_classes=10)
    >>> round(float(np.mean(noisy != y)), 2)      # about 1 - 1/10
    0.9

The draw depends only on ``seed`` and the number of labels, never on ``noise``: the
examples corrupted at a lower noise level are among those corrupted at a higher one (with
the same random classes), and example i's label does not depend on the validation size or
the training subset (the split takes positions in the official training set).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["LABEL_NOISE_STREAM", "LabelNoise", "corrupt_labels"]

# Mixed with label_seed so the draw never coincides with another fixed-seed stream (subsets).
LABEL_NOISE_STREAM = 20_170_210


def corrupt_labels(labels: np.ndarray, noise: float, *, seed: int, num_classes: int) -> np.ndarray:
    """``labels`` ``[N]`` with each replaced, with probability ``noise``, by a uniform class.

    The rule, in full (a plain NumPy generator, so anyone can reproduce it)::

        rng = np.random.default_rng([LABEL_NOISE_STREAM, seed])
        flip = rng.random(N) < noise                 # [N] which labels are redrawn
        drawn = rng.integers(0, num_classes, N)      # [N] their new classes
        noisy = np.where(flip, drawn, labels)
    """
    n = int(labels.shape[0])
    rng = np.random.default_rng([LABEL_NOISE_STREAM, seed])
    flip = rng.random(n) < noise  # [N]
    drawn = rng.integers(0, num_classes, n)  # [N]
    return np.where(flip, drawn, labels).astype(labels.dtype, copy=False)


@dataclass(frozen=True)
class LabelNoise:
    """What label noise did to a dataset: its rate and seed, and how many labels of the
    training and validation splits it actually changed (the test set is never touched)."""

    rate: float
    seed: int
    train_changed: int
    train_size: int
    val_changed: int
    val_size: int

    @property
    def train_share(self) -> float:
        """The share of training labels that differ from the true ones."""
        return self.train_changed / max(self.train_size, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "seed": self.seed,
            "train_changed": self.train_changed,
            "train_changed_share": round(self.train_share, 6),
            "val_changed": self.val_changed,
        }

    def describe(self) -> str:
        """One line for a report: ``label noise 1 (seed 0): 1081 of 1200 ...``."""
        return (
            f"label noise {self.rate:g} (seed {self.seed}): {self.train_changed} of "
            f"{self.train_size} training labels ({100 * self.train_share:.1f}%) and "
            f"{self.val_changed} of {self.val_size} validation labels changed; test labels "
            "untouched"
        )
