"""Typed results: summary.json and comparisons.csv written once and read back into the types.

Checks: to_json/from_json round-trip (hand-built and from a real study), the summary.json
contract of DESIGN.md, non-finite statistics written as null, comparisons.csv from the same
types, and the staleness rule the `reglab report` command uses.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from reglab.analysis.results import (
    ArmRun,
    ArmSummary,
    Comparison,
    Described,
    StudySummary,
)
from reglab.analysis.stats import McNemarResult, describe, paired_comparison, with_holm
from reglab.analysis.summary import (
    comparisons_table,
    load_summary,
    summarize,
    summary_is_current,
    write_summary,
)
from reglab.store import StudyDir
from tests.conftest import copy_study

pytestmark = pytest.mark.xdist_group("report_study")


def _arm(name: str, mean: float, vs: Comparison | None = None) -> ArmSummary:
    d = Described(mean, 0.01, (mean - 0.02, mean + 0.02))
    run = ArmRun(0, "ok", mean, 0.3, 2, 3, 1.5)
    return ArmSummary(name, 2, 0, d, d, d, d, d, d, d, d, d, d, (0.1, 0.2), (0.3,), (run,), vs)


def _summary() -> StudySummary:
    comp = with_holm([paired_comparison([0.80, 0.82, 0.81], [0.83, 0.86, 0.84])])[0]
    paired = Comparison.paired(comp, -0.01, McNemarResult(3, 1, 0.25, 0.625))
    return StudySummary(
        baseline="none",
        arms=(
            _arm("none", 0.81),
            _arm("dropout=0.5", 0.84, paired),
            _arm("bn", 0.8, Comparison.untestable(1)),
        ),
        seeds=(0, 1, 2),
        dataset={"name": "digits", "train": 1200},
        caveats=("Only 3 seeds per arm: small effects cannot be told from noise.",),
    )


def test_round_trip_through_json_text() -> None:
    summary = _summary()
    text = json.dumps(summary.to_json(), allow_nan=False)
    assert StudySummary.from_json(json.loads(text)) == summary
    assert StudySummary.from_json(summary.to_json()) == summary


def test_summary_json_keeps_the_design_contract() -> None:
    data = _summary().to_json()
    base, arm, untested = data["arms"]
    assert set(base) >= {"name", "n", "test_acc"} and "vs_baseline" not in base
    assert set(arm["test_acc"]) == {"mean", "std", "ci95"} and len(arm["test_acc"]["ci95"]) == 2
    assert set(arm["vs_baseline"]) >= {"delta", "ci95", "p_value", "verdict"}
    assert arm["vs_baseline"]["verdict"] == "better"
    assert arm["vs_baseline"]["mcnemar"] == {
        "n01": 3,
        "n10": 1,
        "statistic": 0.25,
        "p_value": 0.625,
    }
    assert untested["vs_baseline"]["note"] == "1 seed finished in both arms: no test is possible"
    assert untested["vs_baseline"]["delta"] is None
    assert untested["vs_baseline"]["verdict"] == "too few seeds"  # extends DESIGN.md's three


def test_non_finite_statistics_are_written_as_null() -> None:
    comp = paired_comparison([0.8, 0.9], [0.81, 0.91])  # the same +0.01 on both seeds
    assert comp.verdict == "too few seeds" and math.isnan(comp.p_value)
    data = Comparison.paired(comp, 0.0, None).to_json()
    assert data["cohen_dz"] is None and data["ci95"] == [None, None]  # no interval claimed
    assert data["p_value"] is None and data["p_sign_flip"] is None
    assert data["delta"] == pytest.approx(0.01) and data["too_few"].startswith("2 paired")
    json.dumps(data, allow_nan=False)  # would raise on inf or nan
    one_seed = describe([0.5])  # n == 1: the interval is undefined (nan, nan)
    assert Described.of(one_seed) == Described(0.5, 0.0, (None, None))


def test_comparisons_table_reads_the_types() -> None:
    table = comparisons_table(_summary())
    assert list(table["arm"]) == ["none", "dropout=0.5", "bn"]
    assert list(table["verdict"]) == ["baseline", "better", "too few seeds"]
    assert "mcnemar_p" not in table  # pooled McNemar is no claim of reglab's any more
    assert table.loc[1, "p_sign_flip"] == 0.25 and pd.isna(table.loc[2, "delta"])


def test_a_real_study_round_trips_and_files_agree(report_study: Path, tmp_path: Path) -> None:
    root = copy_study(report_study, tmp_path / "s")
    store = StudyDir(root)
    written = write_summary(store)
    loaded = load_summary(store)
    assert loaded is not None and loaded.to_json() == written.to_json()
    assert loaded.names == [
        "none",
        "dropout=0.5",
        "l2=1e-3",
        "dropout=0.5+bn",
        *(f"l2={v:g}" for v in (1e-4, 1e-2, 1e-1)),
    ]
    assert all(a.n == 4 for a in loaded.arms) and loaded.n_seeds == 4
    csv = pd.read_csv(root / "comparisons.csv")
    assert list(csv["arm"]) == loaded.names
    for row, arm in zip(csv.itertuples(), loaded.arms, strict=True):
        assert row.test_acc_mean == pytest.approx(arm.test_acc.mean, abs=1e-12)
        assert row.verdict == ("baseline" if arm.vs_baseline is None else arm.vs_baseline.verdict)
    assert summarize(store).to_json() == written.to_json()


def test_summary_is_current_follows_runs_csv(report_study: Path, tmp_path: Path) -> None:
    root = copy_study(report_study, tmp_path / "s")
    store = StudyDir(root)
    stamp = (root / "summary.json").stat().st_mtime_ns
    os.utime(root / "runs.csv", ns=(stamp - 10**9, stamp - 10**9))
    assert summary_is_current(store)
    os.utime(root / "runs.csv", ns=(stamp + 10**9, stamp + 10**9))
    assert not summary_is_current(store)
    (root / "summary.json").unlink()
    assert not summary_is_current(store) and load_summary(store) is None
