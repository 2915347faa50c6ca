"""User datasets end to end: NPZ / CSV / IDX round trips, the cache, identity, and a study.

Every file is built here (tiny); REGLAB_DATA points at a temporary cache.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from reglab.cli import main
from reglab.config import DataConfig
from reglab.data import (
    SUGGESTED_VAL_SIZE,
    add_user_dataset,
    check_name,
    dataset_checksum,
    dataset_identity,
    load_dataset,
    read_user_meta,
    user_datasets,
)
from reglab.data.user import user_data_file
from reglab.data.user_split import carve_test, train_order
from reglab.errors import ConfigError, DataError


def _rng() -> np.random.Generator:
    """A fresh generator per use: a test's data must not depend on which tests ran before it
    in the same worker (pytest-xdist orders them differently from run to run)."""
    return np.random.default_rng(1)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path / "cache"))
    return tmp_path / "cache"


def rows(x: torch.Tensor | np.ndarray) -> set[bytes]:
    """The examples of ``x`` as a set (orders differ between the file and the cache)."""
    a = np.asarray(x, dtype=np.float32)
    return {r.tobytes() for r in a.reshape(len(a), -1)}


def test_npz_with_test_split_round_trip(tmp_path: Path) -> None:
    x, y = _rng().normal(size=(30, 4)).astype(np.float32), np.arange(30) % 3
    xt, yt = _rng().normal(size=(9, 4)).astype(np.float32), np.arange(9) % 3
    np.savez(tmp_path / "d.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)
    meta = add_user_dataset("mine", tmp_path / "d.npz")
    assert (meta.n_train, meta.n_test, meta.num_classes, meta.image_shape) == (30, 9, 3, None)
    assert meta.test_split == "given in the file"
    ds = load_dataset(DataConfig("mine", val_size=SUGGESTED_VAL_SIZE["mine"]))
    assert SUGGESTED_VAL_SIZE["mine"] == 5 and ds.x_val.shape == (5, 4)
    assert torch.equal(ds.x_test, torch.from_numpy(xt)) and torch.equal(
        ds.y_test, torch.from_numpy(yt)
    )
    order = train_order(30)  # the training set is stored in this fixed order
    assert torch.equal(torch.cat([ds.x_train, ds.x_val]), torch.from_numpy(x[order]))
    assert torch.equal(torch.cat([ds.y_train, ds.y_val]), torch.from_numpy(y[order]))
    assert ds.checksum == meta.sha256 == dataset_checksum("mine")


def test_images_keep_their_shape(tmp_path: Path) -> None:
    """uint8 channels-last images [N, H, W, 3] -> image_shape (3, H, W), pixels / 255."""
    images = _rng().integers(0, 256, size=(20, 5, 6, 3), dtype=np.uint8)
    np.savez(tmp_path / "img.npz", x_train=images, y_train=np.arange(20) % 2)
    meta = add_user_dataset("pics", tmp_path / "img.npz")
    assert meta.image_shape == (3, 5, 6) and meta.feature_shape == (3, 5, 6)
    ds = load_dataset(DataConfig("pics", val_size=3))
    assert ds.image_shape == (3, 5, 6) and ds.in_features == 90
    chw = torch.from_numpy(images.transpose(0, 3, 1, 2).astype(np.float32) / 255)
    restored = torch.cat([ds.x_train, ds.x_val, ds.x_test]).view(-1, *ds.image_shape)
    assert rows(restored) == rows(chw)


def test_csv_round_trip_carves_a_stratified_test_split(tmp_path: Path) -> None:
    x = _rng().integers(-50, 50, size=(40, 3)).astype(np.float32) / 4
    y = np.repeat([0, 1, 2, 3], 10)  # sorted by class, as CSVs often are
    lines = ["a,label,b,c"] + [f"{r[0]},{c},{r[1]},{r[2]}" for r, c in zip(x, y, strict=True)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    meta = add_user_dataset("tab", tmp_path / "d.csv")
    assert (meta.format, meta.n_train, meta.n_test) == ("csv", 32, 8)
    assert meta.test_split.startswith("carved from the training data (test: 20% of each class")
    ds = load_dataset(DataConfig("tab", val_size=8))
    assert torch.bincount(ds.y_test).tolist() == [2, 2, 2, 2]  # stratified
    assert len(set(ds.y_val.tolist())) > 1  # the validation tail is not one class
    assert rows(torch.cat([ds.x_train, ds.x_val, ds.x_test])) == rows(x)
    train, test = carve_test(y)
    assert rows(ds.x_test) == rows(x[test]) and len(train) == 32


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def test_idx_folder_round_trip(tmp_path: Path) -> None:
    images = _rng().integers(0, 256, size=(24, 7, 7), dtype=np.uint8)
    labels = np.arange(24) % 4
    folder = tmp_path / "idx"
    folder.mkdir()
    for name, array in {
        "train-images-idx3-ubyte.gz": images[:20],
        "train-labels-idx1-ubyte.gz": labels[:20],
        "t10k-images-idx3-ubyte.gz": images[20:],
        "t10k-labels-idx1-ubyte.gz": labels[20:],
    }.items():
        (folder / name).write_bytes(idx(array))
    meta = add_user_dataset("glyphs", folder)
    assert (meta.format, meta.recognised, meta.image_shape) == ("idx", None, (1, 7, 7))
    ds = load_dataset(DataConfig("glyphs", val_size=4))
    assert torch.equal(ds.x_test, torch.from_numpy(images[20:].reshape(4, 49) / np.float32(255)))
    assert torch.equal(ds.y_test, torch.from_numpy(labels[20:]))


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    x = _rng().normal(size=(60, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + 2 * (x[:, 1] > 0)  # 4 learnable classes
    np.savez(tmp_path / "tiny.npz", x_train=x, y_train=y)
    return tmp_path / "tiny.npz"


def test_tampered_cache_is_one_error(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_user_dataset("mytiny", tiny)
    file = user_data_file("mytiny")
    data = bytearray(file.read_bytes())
    data[-30] ^= 1
    file.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"must have sha256 .* it was changed or damaged"):
        load_dataset(DataConfig("mytiny", val_size=5))
    with pytest.raises(DataError, match="changed or damaged"):
        dataset_identity(DataConfig("mytiny", val_size=5))
    assert main(["data", "info", "mytiny"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "reglab data rm mytiny" in err


def test_unreadable_record_is_one_error(tiny: Path) -> None:
    add_user_dataset("mytiny", tiny)
    (user_data_file("mytiny").parent / "meta.json").write_text("{")
    with pytest.raises(DataError, match=r"record .* is unreadable"):
        load_dataset(DataConfig("mytiny", val_size=5))


def test_identity_follows_content_and_split(tiny: Path, tmp_path: Path) -> None:
    add_user_dataset("mytiny", tiny)
    first = dataset_identity(DataConfig("mytiny", val_size=5))
    assert first == dataset_identity(DataConfig("mytiny", val_size=5))
    assert first != dataset_identity(DataConfig("mytiny", val_size=6))
    assert json.loads(json.dumps(first.to_dict()))["checksum"] == first.checksum
    with np.load(tiny) as npz:
        shuffled = {"x_train": npz["x_train"], "y_train": npz["y_train"][::-1].copy()}
    np.savez(tmp_path / "other.npz", **shuffled)
    assert main(["data", "rm", "mytiny"]) == 0
    add_user_dataset("mytiny", tmp_path / "other.npz")  # same name, shuffled labels
    assert dataset_identity(DataConfig("mytiny", val_size=5)).checksum != first.checksum


def test_builtin_identities() -> None:
    digits = dataset_identity(DataConfig("digits", val_size=300))
    assert digits.checksum == load_dataset(DataConfig("digits", val_size=300)).checksum
    synthetic = dataset_identity(DataConfig("synthetic", val_size=500))
    assert synthetic.checksum == load_dataset(DataConfig("synthetic", val_size=500)).checksum


def test_names_and_listing(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError, match=r"Unknown dataset 'mytiny'.*reglab data add NAME FILE"):
        check_name("mytiny")
    add_user_dataset("mytiny", tiny)
    assert check_name("mytiny") == "mytiny" and user_datasets() == ["mytiny"]
    with pytest.raises(ConfigError, match="added with `reglab data add`: mytiny"):
        check_name("other")
    with pytest.raises(ConfigError, match="already exists"):
        add_user_dataset("mytiny", tiny)
    assert main(["data", "ls"]) == 0
    out = capsys.readouterr().out
    assert "mnist1d" in out and "mytiny           added    4 classes, 48 train + 12 test" in out
    assert main(["data", "rm", "mytiny"]) == 0 and user_datasets() == []
    assert main(["data", "rm", "mytiny"]) == 2


def test_no_leftovers_in_the_cache(tiny: Path, cache: Path) -> None:
    meta = add_user_dataset("mytiny", tiny)
    folder = cache / "user"
    assert sorted(p.name for p in folder.iterdir()) == ["mytiny"]  # no temporary folder left
    assert sorted(p.name for p in (folder / "mytiny").iterdir()) == [
        "data.json",
        "data.npz",
        "meta.json",
    ]
    assert read_user_meta("mytiny") == meta


def test_study_trains_on_a_user_npz_through_the_cli(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "add", "mytiny", str(tiny)]) == 0
    out = tmp_path / "study"
    argv = ["compare", "--dataset", "mytiny", "--epochs", "1", "--seeds", "2", "--hidden", "8"]
    assert main([*argv, "--device", "cpu", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [arm["n"] for arm in summary["arms"]] == [2, 2]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["dataset"]["checksum"] == read_user_meta("mytiny").sha256
    assert manifest["dataset"]["val"] == SUGGESTED_VAL_SIZE["mytiny"] == 8


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_example_npz_is_what_its_script_makes() -> None:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    with np.load(EXAMPLES / "data" / "cancer.npz", allow_pickle=False) as npz:
        x, y = npz["x_train"], npz["y_train"]
    expected = (bunch.data - bunch.data.mean(0)) / bunch.data.std(0)
    np.testing.assert_allclose(x, expected.astype(np.float32))
    assert np.array_equal(y, bunch.target)


def test_example_spec_runs_on_the_example_npz(tmp_path: Path) -> None:
    assert main(["data", "add", "cancer", str(EXAMPLES / "data" / "cancer.npz")]) == 0
    out = tmp_path / "study"
    spec = str(EXAMPLES / "user_data.toml")
    argv = ["run", spec, "--epochs", "1", "--seeds", "2", "--device", "cpu", "--out", str(out)]
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [arm["name"] for arm in summary["arms"]] == ["none", "dropout=0.5", "l2=1e-3"]
