"""MNIST-1D generated locally equals the reference generator's output.

The pinned values were produced by the reference code (github.com/greydanus/mnist1d,
``mnist1d.data.make_dataset(get_dataset_args())``, run with numpy 2.4 / scipy 1.17) and
compared array-for-array with :func:`make_mnist1d` (identical, max difference 0.0).
"""

from __future__ import annotations

import numpy as np
import pytest

from reglab.config import DataConfig
from reglab.data import SUGGESTED_VAL_SIZE, dataset_checksum, load_dataset
from reglab.data.mnist1d import make_mnist1d


@pytest.fixture(scope="module")
def arrays() -> tuple[np.ndarray, ...]:
    return make_mnist1d()


def test_matches_reference_values(arrays: tuple[np.ndarray, ...]) -> None:
    x_train, y_train, x_test, y_test = arrays
    assert x_train.shape == (4000, 40) and x_test.shape == (1000, 40)
    assert y_train[:20].tolist() == [2, 6, 4, 5, 6, 6, 6, 0, 3, 1, 6, 9, 4, 3, 4, 5, 1, 9, 0, 3]
    assert np.bincount(y_train).tolist() == [398, 396, 411, 394, 394, 402, 401, 404, 402, 398]
    assert y_test[:12].tolist() == [2, 6, 3, 9, 4, 3, 1, 9, 5, 2, 0, 7]
    np.testing.assert_allclose(
        x_train[0, :5], [-0.3320056674, -0.4719103657, -0.7786970763, -1.0097408265, -0.8823525654]
    )
    np.testing.assert_allclose(x_test[-1, -3:], [0.6598756471, 0.8777343498, 1.1931518368])
    assert x_train.sum() == pytest.approx(-51.78746787509559)
    full = np.concatenate([x_train, x_test])
    assert full.mean() == pytest.approx(0, abs=1e-12) and full.std() == pytest.approx(1)


def test_loads_as_a_builtin() -> None:
    cfg = DataConfig("mnist1d", val_size=SUGGESTED_VAL_SIZE["mnist1d"])
    ds = load_dataset(cfg)
    assert (ds.x_train.shape, ds.x_val.shape, ds.x_test.shape) == (
        (3500, 40),
        (500, 40),
        (1000, 40),
    )
    assert ds.num_classes == 10 and ds.image_shape is None
    assert ds.checksum == dataset_checksum("mnist1d") == load_dataset(cfg).checksum
