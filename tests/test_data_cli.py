"""`reglab data` through the real entry points: reglab.cli.main and `python -m reglab`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reglab.cli import main
from reglab.data import mnist_files


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path / "cache"))


def table_rows(out: str) -> dict[str, list[int]]:
    """The split table of `reglab data info`: row label -> [size, class counts...]."""
    rows = {}
    for line in out.splitlines():
        words = line.split()
        label = " ".join(w for w in words if not w.isdigit())
        rows[label] = [int(w) for w in words if w.isdigit()]
    return rows


def test_help_lists_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "data" in capsys.readouterr().out
    assert main(["data", "--help"]) == 0
    out = capsys.readouterr().out
    assert "fetch" in out and "info" in out


def test_info_digits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", "digits"]) == 0
    out = capsys.readouterr().out
    assert "digits (classification, 10 classes, input 8x8)" in out
    rows = table_rows(out)
    assert rows["train (official)"][0] == 1500
    assert rows["train"][0] == 1200 and rows["val"][0] == 300
    assert rows["test"] == [297, 27, 31, 27, 30, 33, 30, 30, 30, 28, 31]


def test_info_val_size_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", "digits", "--val-size", "5000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'val_size'" in err and "[1, 1499]" in err


def test_unknown_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", "cifar10"]) == 2
    assert "known datasets are: mnist, digits, synthetic, mnist1d" in capsys.readouterr().err


def test_fetch_builtin_needs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "fetch", "synthetic"]) == 0
    assert "nothing needs fetching" in capsys.readouterr().out


def test_fetch_from_keras_npz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mnist_files, "OFFICIAL_SIZES", (20, 10))
    rng = np.random.default_rng(0)
    np.savez(
        tmp_path / "mnist.npz",
        x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_train=(np.arange(20) % 10).astype(np.uint8),
        x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        y_test=np.arange(10, dtype=np.uint8),
    )
    assert main(["data", "fetch", "mnist", "--from", str(tmp_path / "mnist.npz")]) == 0
    out = capsys.readouterr().out
    assert f"mnist: {tmp_path / 'cache' / 'mnist' / 'mnist.npz'}" in out and "sha256: " in out
    assert main(["data", "info", "mnist", "--val-size", "5"]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert rows["train (official)"][0] == 20 and rows["train"][0] == 15 and rows["val"][0] == 5


def test_python_m_reglab_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "reglab", "data", "info", "synthetic"],
        capture_output=True,
        text=True,
        check=False,
        env={"REGLAB_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "synthetic (regression, 1 output, input 8)" in proc.stdout
    assert "noise     std 0.3" in proc.stdout
