"""[data] label_noise: random labels on the training and validation splits (Zhang et al. 2017).

Reference tests against a plain NumPy loop with the same generator; the share of changed
labels against p (1 - 1/C); the default leaves data, spec identity and folders unchanged; a
changed label_noise never resumes (mixes with) another study; one clear error per bad value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from reglab.api import run_study
from reglab.api.study import default_out
from reglab.config import DataConfig
from reglab.data import load_dataset
from reglab.data.labels import LABEL_NOISE_STREAM, corrupt_labels
from reglab.errors import ConfigError, StudyError
from reglab.store import spec_identity
from reglab.study import StudySpec

DIGITS = {"name": "digits", "val_size": 300}


def _reference(labels: np.ndarray, p: float, seed: int, classes: int) -> np.ndarray:
    """Zhang et al.'s rule written as a loop: each label, with probability p, a uniform class."""
    rng = np.random.default_rng([LABEL_NOISE_STREAM, seed])
    u = rng.random(len(labels))
    drawn = rng.integers(0, classes, len(labels))
    out = labels.copy()
    for i in range(len(labels)):
        if u[i] < p:
            out[i] = drawn[i]
    return out


@pytest.mark.parametrize(("p", "seed"), [(0.0, 0), (0.3, 0), (1.0, 0), (0.5, 7)])
def test_corruption_equals_a_plain_numpy_loop(p: float, seed: int) -> None:
    labels = np.arange(2_000, dtype=np.int64) % 10
    noisy = corrupt_labels(labels, p, seed=seed, num_classes=10)
    np.testing.assert_array_equal(noisy, _reference(labels, p, seed, 10))
    assert noisy.dtype == labels.dtype


@pytest.mark.parametrize("p", [0.2, 0.5, 1.0])
def test_share_of_changed_labels_is_p_times_one_minus_one_over_classes(p: float) -> None:
    n, classes = 60_000, 10
    labels = np.arange(n, dtype=np.int64) % classes
    share = float(np.mean(corrupt_labels(labels, p, seed=3, num_classes=classes) != labels))
    expected = p * (1 - 1 / classes)
    assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / n), (share, expected)


def test_lower_noise_corrupts_a_subset_of_what_higher_noise_does() -> None:
    labels = np.arange(5_000, dtype=np.int64) % 10
    low = corrupt_labels(labels, 0.2, seed=0, num_classes=10)
    high = corrupt_labels(labels, 0.6, seed=0, num_classes=10)
    changed = low != labels
    assert changed.any() and np.array_equal(low[changed], high[changed])
    assert (high != labels).sum() > changed.sum()
    other = corrupt_labels(labels, 0.6, seed=1, num_classes=10)
    assert not np.array_equal(other, high)  # label_seed changes the draw


def test_dataset_labels_are_the_reference_on_train_and_val_and_test_is_untouched() -> None:
    from sklearn.datasets import load_digits

    true = load_digits().target.astype(np.int64)[:1500]  # digits' official training set
    noisy_all = _reference(true, 0.4, 5, 10)
    clean = load_dataset(DataConfig(**DIGITS, train_subset=500))
    ds = load_dataset(DataConfig(**DIGITS, train_subset=500, label_noise=0.4, label_seed=5))
    assert torch.equal(ds.x_train, clean.x_train)  # the same images: subset on true labels
    np.testing.assert_array_equal(ds.y_val.numpy(), noisy_all[1200:])
    assert torch.equal(ds.y_test, clean.y_test) and torch.equal(ds.x_test, clean.x_test)
    full = load_dataset(DataConfig(**DIGITS, label_noise=0.4, label_seed=5))
    np.testing.assert_array_equal(full.y_train.numpy(), noisy_all[:1200])
    # the subset's labels are the full training set's noisy labels at the same images
    rows = {tuple(x.tolist()): int(y) for x, y in zip(full.x_train, full.y_train, strict=True)}
    assert all(
        rows[tuple(x.tolist())] == int(y) for x, y in zip(ds.x_train, ds.y_train, strict=True)
    )
    record = ds.label_noise
    assert record is not None and (record.rate, record.seed) == (0.4, 5)
    assert record.train_changed == int((ds.y_train != clean.y_train).sum())
    assert record.val_changed == int((noisy_all[1200:] != true[1200:]).sum())
    assert ds.info()["label_noise"]["train_changed"] == record.train_changed


def test_default_leaves_data_and_identity_unchanged(tmp_path: Path) -> None:
    from sklearn.datasets import load_digits

    ds = load_dataset(DataConfig(**DIGITS))
    true = load_digits().target.astype(np.int64)
    np.testing.assert_array_equal(ds.y_train.numpy(), true[:1200])
    np.testing.assert_array_equal(ds.y_val.numpy(), true[1200:1500])
    assert ds.label_noise is None and "label_noise" not in ds.info()
    table = {"name": "t", "arms": ["none"], "seeds": 1, "data": DIGITS}
    spec = StudySpec.from_dict(table)
    assert "label_noise" not in spec.to_dict()["data"]
    assert "label_seed" not in spec.to_dict()["data"]
    zero = StudySpec.from_dict({**table, "data": {**DIGITS, "label_noise": 0.0}})
    assert spec_identity(zero.to_dict()) == spec_identity(spec.to_dict())
    noisy = StudySpec.from_dict({**table, "data": {**DIGITS, "label_noise": 0.5}})
    assert spec_identity(noisy.to_dict()) != spec_identity(spec.to_dict())
    assert StudySpec.from_dict(noisy.to_dict()) == noisy  # round trip
    reseeded = StudySpec.from_dict(
        {**table, "data": {**DIGITS, "label_noise": 0.5, "label_seed": 1}}
    )
    assert StudySpec.from_dict(reseeded.to_dict()) == reseeded
    assert spec_identity(reseeded.to_dict()) != spec_identity(noisy.to_dict())
    assert default_out(spec, tmp_path).name == default_out(zero, tmp_path).name


@pytest.mark.parametrize(
    ("value", "shown"), [(-0.1, "-0.1"), (1.5, "1.5"), (float("nan"), "nan"), (True, "True")]
)
def test_invalid_label_noise_is_one_clear_error(value: object, shown: str) -> None:
    with pytest.raises(ConfigError) as err:
        DataConfig("digits", label_noise=value)  # type: ignore[arg-type]
    assert str(err.value) == (
        f"The 'label_noise' parameter of DataConfig must be a float in [0, 1]. Got {shown} instead."
    )
    with pytest.raises(ConfigError, match=r"'label_seed' parameter of DataConfig must be an int"):
        DataConfig("digits", label_noise=0.5, label_seed=-1)
    with pytest.raises(ConfigError, match=r"\[data\] The 'label_noise' parameter"):
        StudySpec.from_dict({"arms": ["none"], "data": {**DIGITS, "label_noise": "half"}})


def test_regression_data_refuses_label_noise() -> None:
    with pytest.raises(ConfigError, match=r"must be 0\.0 for dataset 'synthetic'"):
        load_dataset(DataConfig("synthetic", val_size=500, label_noise=0.5))


def test_study_records_the_changed_labels_and_never_mixes_with_other_noise(tmp_path: Path) -> None:
    out = tmp_path / "noisy"
    table = {"name": "t", "arms": ["none"], "seeds": 1, "data": {**DIGITS, "train_subset": 100}}
    table["train"] = {"epochs": 1, "device": "cpu"}
    spec = StudySpec.from_dict(table)
    kw = {"quiet": True, "report": True}
    result = run_study(spec, out, label_noise=1.0, **kw)
    manifest = json.loads((out / "manifest.json").read_text())
    changed = manifest["dataset"]["labels_changed"]
    assert manifest["dataset"]["label_noise"] == 1.0 and changed["rate"] == 1.0
    assert 75 <= changed["train_changed"] <= 100 and changed["val_changed"] > 200
    assert changed["train_changed_share"] == changed["train_changed"] / 100
    assert "label_noise = 1.0" in (out / "spec.toml").read_text()
    assert f"{changed['train_changed']} of 100 training labels" in (out / "report.md").read_text()
    assert result.summary.arms[0].n == 1
    with pytest.raises(StudyError, match="holds a different study"):
        run_study(spec, out, **kw)  # label_noise 0: a different study, never resumed here
    with pytest.raises(StudyError, match="holds a different study"):
        run_study(spec, out, label_noise=0.5, **kw)
    clean = tmp_path / "clean"
    run_study(spec, clean, **kw)
    assert "labels_changed" not in json.loads((clean / "manifest.json").read_text())["dataset"]


def test_cli_label_noise_flag_reaches_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reglab.cli import main

    out = tmp_path / "cli"
    argv = ["compare", "--dataset", "digits", "--arms", "none", "--seeds", "1", "--epochs", "1"]
    argv += ["--hidden", "16", "--train-subset", "50", "--device", "cpu", "--quiet"]
    assert main([*argv, "--label-noise", "1", "--out", str(out)]) == 0
    assert "label_noise = 1.0" in (out / "spec.toml").read_text()
    capsys.readouterr()
    assert main([*argv, "--label-noise", "2", "--out", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "The 'label_noise' parameter of DataConfig must be a float in [0, 1]. Got 2.0" in err
    assert err.count("\n") == 1
