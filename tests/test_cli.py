"""The command line through its real entry points, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reglab.cli import main
from reglab.study import load_spec

pytestmark = pytest.mark.xdist_group("studies")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _reglab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reglab", *args], capture_output=True, text=True, timeout=600
    )


def test_compare_end_to_end_on_digits(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    proc = _reglab(
        "compare",
        "--dataset",
        "digits",
        "--epochs",
        "2",
        "--seeds",
        "3",
        "--hidden",
        "32",
        "--arms",
        "none,dropout=0.5,l2=1e-3",
        "--out",
        str(out),
        "--device",
        "cpu",
    )
    assert proc.returncode == 0, proc.stderr
    for arm in ("none", "dropout=0.5", "l2=1e-3"):
        assert arm in proc.stdout
    assert "baseline" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    names = [a["name"] for a in summary["arms"]]
    assert names == ["none", "dropout=0.5", "l2=1e-3"]
    for arm in summary["arms"][1:]:
        vs = arm["vs_baseline"]
        assert set(vs) >= {"delta", "ci95", "p_value", "verdict"}
        assert vs["verdict"] in ("better", "worse", "no detectable difference", "too few seeds")
    assert (out / "report.html").exists() and (out / "report.md").exists()
    assert "epoch" in proc.stderr  # progress lines (not a terminal: plain log lines)


def test_run_spec_with_overrides_and_quiet(tmp_path: Path) -> None:
    out = tmp_path / "abl"
    code = main(
        [
            "run",
            str(EXAMPLES / "ablation.toml"),
            "--dataset",
            "digits",
            "--epochs",
            "1",
            "--seeds",
            "2",
            "--arms",
            "none,maxnorm=3,bn,es=1",
            "--out",
            str(out),
            "--quiet",
            "--device",
            "cpu",
        ]
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [a["name"] for a in summary["arms"]] == ["none", "maxnorm=3", "bn", "es=1"]
    assert all(a["n"] == 2 for a in summary["arms"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--arms", "none,dropout=1.5"], "In arm 'dropout=1.5', part 'dropout=1.5'"),
        (["compare", "--dataset", "cifar"], "Unknown dataset 'cifar'; known datasets are"),
        (["compare", "--device", "tpu"], "The 'device' parameter of TrainConfig must be one of"),
        (["compare", "--epochs", "0"], "The 'epochs' parameter of TrainConfig must be an int"),
        (["compare", "--baseline", "bn"], "The 'baseline' parameter of the study must be one of"),
        (["run", "no-such-spec.toml"], "Spec file 'no-such-spec.toml' does not exist."),
        (["data", "info", "cifar"], "Unknown dataset 'cifar'"),
    ],
)
def test_bad_input_gets_one_clear_line(args: list[str], message: str) -> None:
    proc = _reglab(*args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_usage_errors_and_help() -> None:
    proc = _reglab("compare", "--seeds", "many")
    assert proc.returncode == 2 and "--seeds" in proc.stderr
    assert "Traceback" not in proc.stderr
    help_text = _reglab("compare", "--help").stdout
    assert "--arms" in help_text and "Examples" in help_text
    assert "maxnorm=X" in _reglab("techniques").stdout


def test_foreign_out_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    proc = _reglab("compare", "--dataset", "digits", "--out", str(tmp_path))
    assert proc.returncode == 2 and "holds no reglab study" in proc.stderr


@pytest.mark.parametrize("name", ["classic", "ablation", "sweeps", "overfitting"])
def test_examples_are_valid_specs(name: str) -> None:
    spec = load_spec(EXAMPLES / f"{name}.toml")
    assert spec.data.name == "mnist" and len(spec.all_arms) >= 2
