"""Issue 13 items 4 and 5 through the real entry point: an arm (or the baseline) whose runs
all diverge is reported as diverged, never a crash; a regression dataset is compared on
test MSE (lower is better); --margin is recorded in summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reglab.cli import main

pytestmark = pytest.mark.xdist_group("studies")

_FAST = ["--epochs", "2", "--seeds", "3", "--hidden", "16", "--device", "cpu", "-q"]


def test_a_diverged_arm_is_reported_as_diverged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "div"
    args = ["compare", "--dataset", "digits", "--arms", "none,wd=1e9", "--out", str(out), *_FAST]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "0 (3 diverged)" in first and "wd=1e9 vs none: diverged in every run (3), n = 0" in first
    summary = json.loads((out / "summary.json").read_text())
    arm = summary["arms"][1]
    assert arm["n"] == 0 and arm["vs_baseline"]["verdict"] == "diverged"
    report = (out / "report.md").read_text()
    assert "wd=1e9 diverged in all 3 runs (n = 0): no verdict." in report
    assert main(args) == 0  # the rerun resumes the finished study: no crash either
    assert "diverged" in capsys.readouterr().out


def test_a_diverged_baseline_gives_no_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "divb"
    args = ["compare", "--dataset", "digits", "--arms", "wd=1e9,none", "--out", str(out), *_FAST]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "the baseline wd=1e9 diverged in every run (3 of 3)" in text
    summary = json.loads((out / "summary.json").read_text())
    assert all("vs_baseline" not in a for a in summary["arms"])
    assert "no arm can be compared with it" in (out / "report.md").read_text()


def test_regression_compares_test_mse_lower_is_better(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "syn"
    args = ["compare", "--dataset", "synthetic", "--arms", "none,l2=1e-1", "--out", str(out)]
    assert main([*args, *_FAST, "--margin", "2"]) == 0
    assert "test MSE" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metric"] == "test_loss" and summary["margin"] == pytest.approx(0.02)
    base, arm = summary["arms"]
    vs = arm["vs_baseline"]
    delta = arm["test_loss"]["mean"] - base["test_loss"]["mean"]
    assert vs["delta"] == pytest.approx(delta)
    assert vs["equivalence"]["margin"] == pytest.approx(0.02)
    # the verdict reads the direction: a lower MSE is "better", a higher one "worse"
    if vs["verdict"] in ("better", "worse"):
        assert (vs["verdict"] == "better") == (vs["delta"] < 0)
    assert "test MSE (lower is better)" in (out / "report.md").read_text()


def test_lower_is_better_flips_the_verdict_and_p_improvement() -> None:
    from reglab.analysis.stats import paired_comparison, with_holm
    from reglab.analysis.summary import _direction

    base = [1.00, 1.10, 1.20, 1.05, 1.15]
    lower = [0.90, 1.01, 1.09, 0.96, 1.04]  # every seed's MSE lower by about 0.1
    comp = with_holm([paired_comparison(base, lower)])[0]
    assert comp.verdict == "worse" and comp.prob_improvement < 0.5  # read as accuracy
    flipped = _direction(comp, "test_loss")
    assert flipped["verdict"] == "better"
    assert flipped["prob_improvement"] == pytest.approx(1 - comp.prob_improvement)
    assert _direction(comp, "test_acc") == {}
