"""SIGKILL, then run again: `reglab biasvar` and `reglab learning-curve` resume through the
study runner and end with the numbers of an uninterrupted run (digits, seconds each)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from reglab.cli import main

BIASVAR = ["biasvar", "--dataset", "digits", "--technique", "l2", "--strengths", "0,1e-3"]
BIASVAR += ["--rounds", "3", "--epochs", "8", "--hidden", "16", "--device", "cpu"]
CURVE = ["learning-curve", "--dataset", "digits", "--sizes", "100,300", "--seeds", "2"]
CURVE += ["--epochs", "6", "--hidden", "16", "--arms", "none,dropout=0.5", "--device", "cpu"]
CURVE += ["--quiet"]


def _kill_when(args: list[str], marker: Path) -> None:
    """Start `reglab ARGS`, SIGKILL it as soon as ``marker`` exists (mid-run)."""
    cmd = [sys.executable, "-m", "reglab", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, f"{marker} never appeared"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL


def _biasvar(out: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    doc = json.loads((out / "biasvar.json").read_text())
    doc.pop("train_seconds")
    with np.load(out / "predictions.npz") as npz:
        return doc, {k: npz[k] for k in npz.files}


def test_biasvar_killed_mid_pack_resumes_to_the_uninterrupted_numbers(tmp_path: Path) -> None:
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    _kill_when([*BIASVAR, "--out", str(killed)], killed / "checkpoints" / "pack-000.pt")
    assert not (killed / "biasvar.json").exists()  # it really died mid-run
    assert main([*BIASVAR, "--out", str(killed)]) == 0
    assert main([*BIASVAR, "--out", str(whole)]) == 0
    doc_k, arrays_k = _biasvar(killed)
    doc_w, arrays_w = _biasvar(whole)
    assert doc_k == doc_w
    assert arrays_k.keys() == arrays_w.keys()
    for key in arrays_w:
        np.testing.assert_array_equal(arrays_k[key], arrays_w[key])
    manifest = json.loads((killed / "manifest.json").read_text())
    assert len(manifest["sessions"]) == 2 and manifest["experiment"] == "biasvar"
    assert not list((killed / "checkpoints").iterdir())  # the finished pack's checkpoint is gone


def test_biasvar_folder_refuses_other_settings_and_reads_like_study_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bv"
    small = [*BIASVAR[:7], "--rounds", "2", "--epochs", "1", "--hidden", "8", "--device", "cpu"]
    small += ["--out", str(out)]
    assert main(small) == 0
    before = (out / "biasvar.json").read_bytes()
    other = [a if a != "0,1e-3" else "0,1e-2" for a in small]
    assert main(other) == 2
    assert "holds a different study (its spec.toml differs" in capsys.readouterr().err
    assert (out / "biasvar.json").read_bytes() == before
    for name in ("biasvar.json", "predictions.npz", "spec.toml", "manifest.json"):
        mode = stat.S_IMODE((out / name).stat().st_mode)
        assert mode == 0o666 & ~_umask(), f"{name}: {oct(mode)}"
    arms = json.loads((out / "arms.json").read_text())["arms"]
    assert [(a["name"], a["sweep"]) for a in arms] == [
        ("none", {"technique": "l2", "value": 0.0, "base": "none"}),
        ("l2=0.001", {"technique": "l2", "value": 0.001, "base": "none"}),
    ]
    assert main(small) == 0  # the same settings resume (nothing left to train)
    assert (out / "biasvar.json").read_bytes() == before


def test_learning_curve_killed_in_its_second_size_resumes_to_the_same_curve(
    tmp_path: Path,
) -> None:
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    marker = killed / "n-300" / "checkpoints" / "pack-000.pt"
    _kill_when([*CURVE, "--out", str(killed)], marker)
    assert (killed / "n-100" / "runs.csv").exists()  # the first size finished
    assert not (killed / "learning_curve.csv").exists()
    assert main([*CURVE, "--out", str(killed)]) == 0
    assert main([*CURVE, "--out", str(whole)]) == 0
    table_k = pd.read_csv(killed / "learning_curve.csv")
    pd.testing.assert_frame_equal(table_k, pd.read_csv(whole / "learning_curve.csv"))
    runs_k = pd.read_csv(killed / "n-300" / "runs.csv").drop(columns="train_seconds")
    runs_w = pd.read_csv(whole / "n-300" / "runs.csv").drop(columns="train_seconds")
    pd.testing.assert_frame_equal(runs_k, runs_w)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
