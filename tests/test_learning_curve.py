"""Learning curves on digits: files, table shape, resume, refusals, and the CLI end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reglab.api import LearningCurveResult, learning_curve_table, run_learning_curve
from reglab.api.learning_curve import COLUMNS
from reglab.cli import main
from reglab.errors import ConfigError, StudyError
from reglab.study import StudySpec
from tests.study_helpers import TINY, tiny_spec

pytestmark = pytest.mark.xdist_group("studies")

SIZES = [200, 600]


def _spec(**changes: object) -> StudySpec:
    return tiny_spec(train={**TINY["train"], "epochs": 2}, **changes)


@pytest.fixture(scope="module")
def curve(tmp_path_factory: pytest.TempPathFactory) -> LearningCurveResult:
    out = tmp_path_factory.mktemp("lc") / "curve"
    return run_learning_curve(_spec(), list(reversed(SIZES)), out, quiet=True)


def test_curve_writes_a_study_per_size_and_the_table(curve: LearningCurveResult) -> None:
    root = curve.directory
    for name in ("learning_curve_spec.toml", "learning_curve.csv", "learning_curve.json"):
        assert (root / name).exists(), name
    assert curve.studies == {n: root / f"n-{n}" for n in SIZES}
    for n in SIZES:
        assert (root / f"n-{n}" / "summary.json").exists()
        assert f"train_subset = {n}" in (root / f"n-{n}" / "spec.toml").read_text()
    table = curve.table
    assert list(table.columns) == list(COLUMNS)
    assert list(zip(table["train_size"], table["arm"], strict=True)) == [
        (200, "none"),
        (200, "dropout=0.5"),
        (600, "none"),
        (600, "dropout=0.5"),
    ]
    assert (table["n"] == 2).all()
    base = table[table["arm"] == "none"]
    assert base["verdict"].eq("baseline").all() and base["delta_vs_baseline"].isna().all()
    other = table[table["arm"] == "dropout=0.5"]
    assert other["verdict"].eq("too few seeds").all()  # 2 seeds: no verdict (MIN_SEEDS = 3)
    mean = table.groupby("train_size")["test_acc_mean"].mean()
    assert mean[600] >= mean[200]  # more data, better models (loose: both arms averaged)


def test_json_and_csv_read_back(curve: LearningCurveResult) -> None:
    saved = json.loads((curve.directory / "learning_curve.json").read_text())
    assert saved["sizes"] == SIZES and saved["arms"] == ["none", "dropout=0.5"]
    assert saved["baseline"] == "none" and len(saved["rows"]) == 4
    assert saved["rows"][0]["delta_vs_baseline"] is None  # NaN is written as null
    back = learning_curve_table(curve.directory)
    pd.testing.assert_frame_equal(back, curve.table)


def test_running_again_resumes_without_training(curve: LearningCurveResult) -> None:
    pack = curve.directory / "n-200" / "packs" / "pack-000.json"
    stamp = pack.stat().st_mtime_ns
    again = run_learning_curve(_spec(), SIZES, curve.directory, quiet=True)
    assert pack.stat().st_mtime_ns == stamp
    assert again.table.equals(curve.table)


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([0], r"The 'sizes' parameter of run_learning_curve must be .* ints >= 10 .* Got 0"),
        ([], r"must be a non-empty list .* Got \[\] instead"),
        ([200, 200], r"distinct ints .* Got \[200, 200\] instead"),
        ([200, 5000], r"Learning-curve size 5000: The 'train_subset' parameter of DataConfig"),
    ],
)
def test_bad_sizes_are_refused_before_training(tmp_path: Path, sizes, message) -> None:
    with pytest.raises(ConfigError, match=message):
        run_learning_curve(_spec(), sizes, tmp_path / "lc", quiet=True)
    assert not (tmp_path / "lc").exists()


def test_another_specs_curve_or_a_foreign_folder_is_refused(
    curve: LearningCurveResult, tmp_path: Path
) -> None:
    with pytest.raises(StudyError, match="holds the learning curve of a different spec"):
        run_learning_curve(_spec(seeds=3), SIZES, curve.directory, quiet=True)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StudyError, match="not empty and holds no reglab learning curve"):
        run_learning_curve(_spec(), SIZES, tmp_path, quiet=True)
    with pytest.raises(StudyError, match=r"no learning_curve\.csv"):
        learning_curve_table(tmp_path)


def test_cli_with_a_spec_file_resumes_and_prints_the_table(
    curve: LearningCurveResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "tiny.toml"
    spec_file.write_text(_spec().to_toml())
    args = ["learning-curve", str(spec_file), "--sizes", "200,600", "--out"]
    assert main([*args, str(curve.directory), "--quiet"]) == 0
    shown = capsys.readouterr().out
    for text in ("size", "dropout=0.5", "baseline", "600", "learning_curve.csv"):
        assert text in shown


def test_cli_with_compare_options_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lc"
    options = ["--dataset", "digits", "--arms", "none,l2=1e-3", "--seeds", "2", "--epochs", "1"]
    small = ["--hidden", "8", "--device", "cpu", "--sizes", "100", "--out", str(out), "--quiet"]
    assert main(["learning-curve", *options, *small]) == 0
    assert "l2=1e-3" in capsys.readouterr().out
    assert list(learning_curve_table(out)["arm"]) == ["none", "l2=1e-3"]
    assert main(["learning-curve", "--dataset", "digits", "--sizes", "0", "--out", str(out)]) == 2
    assert "Got 0 instead" in capsys.readouterr().err
