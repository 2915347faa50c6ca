"""The fixed order and test split of a user dataset, made once when it is added.

Rule (stated in ``reglab data info``): when the file has no test split, each class c with
n_c examples gives ``min(max(1, round(0.2 * n_c)), n_c - 1)`` examples to the test set, chosen
by ``numpy.random.default_rng(SPLIT_SEED)`` permuting that class's indices (classes in order
0..K-1); the test set keeps the file's order. The training examples are then stored in one
fixed permuted order (``default_rng(SPLIT_SEED + 1)``), so that the validation split, the
*last* ``val_size`` training examples as for every dataset, is a random sample even when the
file is sorted by class::

    >>> y = np.array([0] * 5 + [1] * 5)
    >>> train, test = carve_test(y)
    >>> len(train), len(test), np.bincount(y[test]).tolist()
    (8, 2, [1, 1])
"""

from __future__ import annotations

import numpy as np

__all__ = ["SPLIT_RULE", "SPLIT_SEED", "TEST_FRACTION", "carve_test", "train_order"]

SPLIT_SEED = 20_261_127
TEST_FRACTION = 0.2
SPLIT_RULE = (
    f"test: {TEST_FRACTION:.0%} of each class (at least 1, at most n_c - 1), "
    f"default_rng({SPLIT_SEED}); train stored in default_rng({SPLIT_SEED + 1}) order"
)


def carve_test(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ascending int64 indices (train, test) of labels ``y`` ``[N]`` (every class >= 2)."""
    rng = np.random.default_rng(SPLIT_SEED)
    picked = []
    for c in range(int(y.max()) + 1):
        where = np.flatnonzero(y == c)  # [n_c]
        k = min(max(1, round(TEST_FRACTION * where.size)), where.size - 1)
        picked.append(rng.permutation(where)[:k])
    test = np.sort(np.concatenate(picked)).astype(np.int64)
    train = np.setdiff1d(np.arange(len(y), dtype=np.int64), test)
    return train, test


def train_order(n: int) -> np.ndarray:
    """The fixed permutation of ``range(n)`` the training examples are stored in."""
    return np.random.default_rng(SPLIT_SEED + 1).permutation(n)
