"""Fixtures of the reliability tests: one small finished study (digits, 4 packs, seconds),
built once per session through the real CLI; tests that change it work on a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

SPEC = """\
name = "reliability"
seeds = 2
arms = ["none", "dropout=0.5"]

[data]
name = "digits"
val_size = 300

[model]
hidden = [8]

[train]
epochs = 2
train_eval_size = 300
device = "cpu"
pack_size = 1
"""
TIME_COLUMNS = ("train_seconds", "seconds")


def write_spec(folder: Path, text: str = SPEC) -> Path:
    path = folder / "spec-in.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_args(spec: Path, out: Path) -> list[str]:
    return ["run", str(spec), "--out", str(out), "--quiet"]


def table(path: Path) -> pd.DataFrame:
    """A runs.csv or epochs.csv without its wall-clock columns (they differ between runs)."""
    frame = pd.read_csv(path)
    return frame.drop(columns=[c for c in TIME_COLUMNS if c in frame.columns])


@pytest.fixture(scope="session")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished study (2 arms x 2 seeds, one run per pack) with its report."""
    from reglab.cli import main

    root = tmp_path_factory.mktemp("reliability")
    out = root / "study"
    assert main(run_args(write_spec(root), out)) == 0
    return out


@pytest.fixture
def study(finished: Path, tmp_path: Path) -> Path:
    """A private copy of the finished study."""
    return Path(shutil.copytree(finished, tmp_path / "study"))


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    return write_spec(tmp_path)
