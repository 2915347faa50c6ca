"""digits and synthetic datasets, and the train / validation / subset split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reglab.config import DataConfig
from reglab.data import DATASETS, Dataset, fetch, load_dataset
from reglab.data.split import split_indices
from reglab.errors import ConfigError


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path))


def test_known_names() -> None:
    assert DATASETS == ("mnist", "digits", "synthetic", "mnist1d")
    with pytest.raises(
        ConfigError, match="Unknown dataset 'cifar'; known datasets are: mnist, digits, synthetic"
    ):
        load_dataset(DataConfig("cifar"))


def test_digits_shapes_and_scale() -> None:
    ds = load_dataset(DataConfig("digits", val_size=300))
    assert (ds.task, ds.num_classes, ds.input_shape, ds.in_features) == (
        "classification",
        10,
        (8, 8),
        64,
    )
    assert ds.x_train.shape == (1200, 64) and ds.x_val.shape == (300, 64)
    assert ds.x_test.shape == (297, 64) and ds.y_test.shape == (297,)
    assert ds.x_train.dtype == torch.float32 and ds.y_train.dtype == torch.int64
    assert float(ds.x_train.min()) == 0.0 and float(ds.x_train.max()) == 1.0
    info = ds.info()
    assert [info["splits"][s]["size"] for s in ("train", "val", "test")] == [1200, 300, 297]
    assert sum(info["splits"]["test"]["class_counts"]) == 297
    assert len(ds.checksum) == 64 and ds.source.startswith("scikit-learn==")


def test_synthetic_regression_with_ground_truth() -> None:
    ds = load_dataset(DataConfig("synthetic", val_size=500))
    assert (ds.task, ds.num_classes, ds.out_features, ds.input_shape) == ("regression", 1, 1, (8,))
    assert ds.x_train.shape == (1500, 8) and ds.x_val.shape == (500, 8)
    assert ds.x_test.shape == (1000, 8) and ds.y_train.dtype == torch.float32
    assert ds.f_test is not None and ds.f_test.shape == (1000,) and ds.noise_std == 0.3
    assert float(ds.x_train.abs().max()) <= 1.0
    noise = ds.y_test - ds.f_test  # [N_test]; should be N(0, 0.3^2)
    assert abs(float(noise.std()) - 0.3) < 0.03 and abs(float(noise.mean())) < 0.03
    assert "class_counts" not in ds.info()["splits"]["train"]


@pytest.mark.parametrize(("name", "val"), [("digits", 300), ("synthetic", 500)])
def test_deterministic(name: str, val: int) -> None:
    a = load_dataset(DataConfig(name, val_size=val, train_subset=100))
    b = load_dataset(DataConfig(name, val_size=val, train_subset=100))
    assert a.checksum == b.checksum
    for field in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert torch.equal(getattr(a, field), getattr(b, field))


def test_validation_is_the_tail_of_training() -> None:
    full = load_dataset(DataConfig("digits", val_size=1))
    ds = load_dataset(DataConfig("digits", val_size=300))
    official = torch.cat([full.x_train, full.x_val])  # [1500, 64]
    assert torch.equal(ds.x_val, official[-300:]) and torch.equal(ds.x_train, official[:-300])


def test_train_subset_balanced_and_disjoint_from_val() -> None:
    ds = load_dataset(DataConfig("digits", val_size=300, train_subset=100))
    assert ds.x_train.shape == (100, 64)
    assert ds.info()["splits"]["train"]["class_counts"] == [10] * 10
    full = load_dataset(DataConfig("digits", val_size=300))
    rows = {tuple(r.tolist()) for r in full.x_train}
    assert all(tuple(r.tolist()) in rows for r in ds.x_train)


def test_val_size_too_large_names_the_max() -> None:
    with pytest.raises(
        ConfigError,
        match=r"The 'val_size' parameter of DataConfig must be an "
        r"int in \[1, 1499\] for dataset 'digits'.* Got 10000 instead\.",
    ):
        load_dataset(DataConfig("digits"))


def test_train_subset_too_large_names_the_max() -> None:
    with pytest.raises(
        ConfigError,
        match=r"The 'train_subset' parameter of DataConfig must be "
        r"an int in \[1, 1500\] for dataset 'synthetic' with val_size=500\. "
        r"Got 1501 instead\.",
    ):
        load_dataset(DataConfig("synthetic", val_size=500, train_subset=1501))


def test_path_is_refused_for_builtin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="The 'path' parameter of DataConfig must be unset"):
        load_dataset(DataConfig("digits", val_size=300, path=str(tmp_path / "x")))


def test_fetch_builtin() -> None:
    assert fetch("digits").name == "digits.csv.gz"
    with pytest.raises(ConfigError, match="nothing to fetch"):
        fetch("synthetic")


def test_dataset_is_frozen() -> None:
    ds = load_dataset(DataConfig("digits", val_size=300))
    with pytest.raises(AttributeError):
        ds.name = "other"  # type: ignore[misc]
    assert isinstance(ds, Dataset)


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.integers(0, 4), min_size=2, max_size=200),
    data=st.data(),
)
def test_subset_properties(labels: list[int], data: st.DataObject) -> None:
    y = np.array(labels)
    val = data.draw(st.integers(1, len(y) - 1))
    n = data.draw(st.integers(1, len(y) - val))
    train, val_idx = split_indices(y, DataConfig("t", val_size=val, train_subset=n), dataset="t")
    bigger, _ = split_indices(
        y, DataConfig("t", val_size=val, train_subset=min(n + 1, len(y) - val)), dataset="t"
    )
    assert len(train) == n and len(set(train.tolist())) == n
    assert val_idx.tolist() == list(range(len(y) - val, len(y)))
    assert set(train.tolist()) <= set(bigger.tolist())  # nested
    assert train.max() < len(y) - val
    # Balanced: a class is short only if it has no examples left to give.
    counts = np.bincount(y[train], minlength=5)
    available = np.bincount(y[: len(y) - val], minlength=5)
    short = counts < counts.max() - 1
    assert np.all(counts[short] == available[short])
