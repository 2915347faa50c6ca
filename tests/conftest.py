"""Shared fixtures: one small digits study with a sweep, built once per test session.

``report_study`` trains it through the API (``run_study``, seconds on a CPU) into a session
temporary folder; tests that write into a study copy it first (``copy_study``). Tests that
use it are marked ``xdist_group("report_study")`` so that, under ``pytest -n 2 --dist
loadgroup``, one worker builds it once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

REPORT_STUDY: dict[str, Any] = {
    "name": "report-fixture",
    "seeds": 4,
    "arms": ["none", "dropout=0.5", "l2=1e-3", "dropout=0.5+bn"],
    "sweeps": [{"technique": "l2", "values": [1e-4, 1e-2, 1e-1]}],
    "data": {"name": "digits", "val_size": 300},
    "model": {"hidden": [16]},
    "train": {"epochs": 3, "train_eval_size": 500, "device": "cpu"},
}


@pytest.fixture(scope="session")
def report_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished study (7 arms x 4 seeds x 3 epochs on digits) with summary.json; no report."""
    from reglab.api import run_study
    from reglab.study import StudySpec

    out = tmp_path_factory.mktemp("report-study") / "study"
    run_study(StudySpec.from_dict(REPORT_STUDY), out, quiet=True, report=False)
    return out


@pytest.fixture(scope="session")
def report_curve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`reglab learning-curve` on digits in seconds (2 arms x 2 seeds x sizes 100, 300 x 1
    epoch), with its report.html; tests that use it are marked xdist_group("report_curve")."""
    from reglab.cli import main

    out = tmp_path_factory.mktemp("report-curve") / "lc"
    args = ["learning-curve", "--dataset", "digits", "--arms", "none,dropout=0.5"]
    args += ["--seeds", "2", "--epochs", "1", "--hidden", "8", "--device", "cpu"]
    assert main([*args, "--sizes", "100,300", "--out", str(out), "--quiet"]) == 0
    return out


def copy_study(study: Path, dst: Path) -> Path:
    """A private, writable copy of a study directory."""
    shutil.copytree(study, dst)
    return dst
