"""The cache: location, verified npz round trip, deterministic bytes, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reglab.atomic import write_bytes as atomic_write
from reglab.data import data_dir
from reglab.data.cache import read_npz, sha256_file, sidecar_path, write_npz
from reglab.errors import DataError

REFETCH = "reglab data fetch example"


def test_data_dir_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("REGLAB_DATA")
    assert data_dir() == Path.home() / ".cache" / "reglab"


def test_npz_round_trip_with_sidecar(tmp_path: Path) -> None:
    arrays = {"x": np.arange(12, dtype=np.uint8).reshape(3, 4), "y": np.array([1, 2], np.uint8)}
    path = tmp_path / "d" / "example.npz"
    digest = write_npz(path, arrays, source="unit test")
    meta = json.loads(sidecar_path(path).read_text())
    assert meta["sha256"] == digest == sha256_file(path) and meta["source"] == "unit test"
    got, meta2 = read_npz(path, refetch=REFETCH)
    assert meta2 == meta and set(got) == {"x", "y"}
    np.testing.assert_array_equal(got["x"], arrays["x"])
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_same_arrays_same_bytes(tmp_path: Path) -> None:
    arrays = {"b": np.ones(5, np.uint8), "a": np.zeros((2, 2), np.uint8)}
    one = write_npz(tmp_path / "one.npz", arrays, source="x")
    two = write_npz(tmp_path / "two.npz", dict(reversed(arrays.items())), source="x")
    assert one == two


def test_checksum_mismatch_removes_entry(tmp_path: Path) -> None:
    path = tmp_path / "example.npz"
    write_npz(path, {"x": np.zeros(100, np.uint8)}, source="x")
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(
        DataError,
        match=r"failed its checksum \(expected sha256 [0-9a-f]{64}, "
        r"got [0-9a-f]{64}\); the bad cache entry was removed\. Run "
        r"`reglab data fetch example`",
    ):
        read_npz(path, refetch=REFETCH)
    assert not path.exists() and not sidecar_path(path).exists()


def test_unreadable_sidecar_removes_entry(tmp_path: Path) -> None:
    path = tmp_path / "example.npz"
    write_npz(path, {"x": np.zeros(3, np.uint8)}, source="x")
    sidecar_path(path).write_text("{not json")
    with pytest.raises(DataError, match=r"checksum record .* is unreadable"):
        read_npz(path, refetch=REFETCH)
    assert not path.exists()


def test_npz_refuses_pickled_objects(tmp_path: Path) -> None:
    path = tmp_path / "example.npz"
    np.savez(path, x=np.array([{"a": 1}], dtype=object))
    sidecar_path(path).write_text(json.dumps({"sha256": sha256_file(path), "source": "x"}))
    with pytest.raises(DataError, match=r"cannot be read .*allow_pickle"):
        read_npz(path, refetch=REFETCH)


def test_atomic_write_replaces(tmp_path: Path) -> None:
    path = tmp_path / "a" / "f.json"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two" and [p.name for p in path.parent.iterdir()] == ["f.json"]
