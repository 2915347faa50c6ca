"""The bias–variance experiment end to end (reglab.api.run_biasvar, `reglab biasvar`).

Tiny nets on digits and the synthetic regression set, a few epochs, on the CPU: the files,
their shapes, that the saved predictions reproduce the saved numbers, the error messages.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reglab.analysis import decompose_01, decompose_probabilities, decompose_squared
from reglab.api import BiasVariancePoint, BiasVarianceResult, run_biasvar
from reglab.cli import main
from reglab.config import DataConfig, ModelConfig
from reglab.errors import ConfigError

DIGITS = DataConfig("digits", val_size=300)
SYNTHETIC = DataConfig("synthetic", val_size=500)
TINY = ModelConfig(hidden=(32,))
STRONG_L2 = 0.05


def _strict_json(path: Path) -> dict[str, Any]:
    def refuse(name: str) -> None:
        raise AssertionError(f"JSON holds {name}")

    return json.loads(path.read_text(), parse_constant=refuse)


@pytest.fixture(scope="module")
def digits() -> BiasVarianceResult:
    return run_biasvar(DIGITS, "l2", [0, STRONG_L2], 3, 2, model=TINY, device="cpu")


@pytest.fixture(scope="module")
def synthetic() -> BiasVarianceResult:
    return run_biasvar(SYNTHETIC, "l2", [0, 1e-3], 3, 2, model=TINY, device="cpu")


def test_digits_files_reproduce_the_numbers(digits: BiasVarianceResult, tmp_path: Path) -> None:
    js, npz = digits.save(tmp_path / "out")
    assert js == tmp_path / "out" / "biasvar.json" and npz.name == "predictions.npz"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "biasvar.json",
        "predictions.npz",
    ]  # no temporary files left behind
    doc = _strict_json(js)
    assert {"dataset": "digits", "technique": "l2", "rounds": 3, "epochs": 2}.items() <= doc.items()
    assert doc["task"] == "classification" and "Domingos" in doc["definition"]
    saved = np.load(npz)
    assert saved["pred"].shape == (2, 3, 297) and np.issubdtype(saved["pred"].dtype, np.integer)
    assert saved["strengths"].tolist() == [0.0, STRONG_L2] and saved["y"].shape == (297,)
    for s, point in enumerate(doc["points"]):
        ref = decompose_01(saved["pred"][s], saved["y"])
        assert (point["loss"], point["bias"], point["variance"]) == (
            ref.loss,
            ref.bias,
            ref.variance,
        )
        assert point["strength"] == saved["strengths"][s] and "noise" not in point
        accs = (saved["pred"][s] == saved["y"]).mean(axis=1)
        assert point["test_acc"] == pytest.approx(accs.mean(), abs=1e-6)


def test_strength_zero_is_the_arm_none(digits: BiasVarianceResult) -> None:
    assert [p.arm for p in digits.points] == ["none", f"l2={STRONG_L2:g}"]
    assert digits.metadata["seeds"] == [0, 1, 2]  # paired: round r has seed r at every strength


def test_bootstrap_members_differ(digits: BiasVarianceResult) -> None:
    assert digits.ok.all()
    for s, point in enumerate(digits.points):
        assert point.variance > 0 and point.rounds_used == 3
        pred = digits.pred[s]  # [R, N]
        assert (pred[0] != pred[1]).any() and (pred[1] != pred[2]).any()


def test_regression_loss_is_bias_plus_variance_plus_noise(
    synthetic: BiasVarianceResult, tmp_path: Path
) -> None:
    _, npz = synthetic.save(tmp_path)
    doc = _strict_json(tmp_path / "biasvar.json")
    saved = np.load(npz)
    assert saved["pred"].shape == (2, 3, 1000) and saved["pred"].dtype.kind == "f"
    assert doc["task"] == "regression" and doc["noise_std"] == pytest.approx(0.3)
    for s, point in enumerate(synthetic.points):
        assert point.noise == pytest.approx(0.09) and point.test_acc is None
        assert point.loss == pytest.approx(point.bias + point.variance + point.noise, rel=1e-12)
        assert point.variance > 0
        ref = decompose_squared(saved["pred"][s], saved["f_true"], doc["noise_std"])
        assert doc["points"][s]["bias"] == ref.bias_sq and doc["points"][s]["loss"] == ref.loss


def test_smaller_packs_give_the_same_predictions(digits: BiasVarianceResult) -> None:
    split = run_biasvar(DIGITS, "l2", [0, STRONG_L2], 3, 2, model=TINY, device="cpu", pack_size=2)
    # A member's result does not depend on its pack (DESIGN.md decision 2), up to rounding.
    assert np.mean(split.pred != digits.pred) < 0.01


def test_nan_is_written_as_null(tmp_path: Path) -> None:
    nan = float("nan")
    result = BiasVarianceResult(
        points=(BiasVariancePoint(0.0, "none", nan, nan, nan, 1, test_acc=nan),),
        strengths=np.array([0.0]),
        pred=np.zeros((1, 2, 3), dtype=np.int16),
        ok=np.array([[True, False]]),
        y=np.zeros(3, dtype=np.int64),
        f_true=None,
        metadata={"dataset": "digits", "task": "classification"},
    )
    js, _ = result.save(tmp_path)
    point = _strict_json(js)["points"][0]
    assert point["loss"] is None and point["test_acc"] is None and point["rounds_used"] == 1


@pytest.mark.parametrize(
    ("technique", "strengths", "rounds", "epochs", "message"),
    [
        ("bn", [0.0], 3, 1, "The 'technique' parameter of run_biasvar must be one of 'dropout'"),
        ("es", [3], 3, 1, "'es' takes a patience; compare those with seeds). Got 'es' instead."),
        ("l2", [], 3, 1, "The 'strengths' parameter of run_biasvar must be a non-empty list"),
        ("l2", [0, math.nan], 3, 1, "numbers in [0, inf) for 'l2'. Got [0, nan] instead."),
        ("l2", [-1e-4], 3, 1, "in [0, inf) for 'l2'. Got [-0.0001] instead."),
        ("l2", [1e-4, 1e-4], 3, 1, "distinct numbers in [0, inf)"),
        ("dropout", [0, 1.0], 3, 1, "in [0, 1) for 'dropout'. Got [0, 1.0] instead."),
        ("maxnorm", [0, 3], 3, 1, "in (0, inf) for 'maxnorm' (a max-norm radius"),
        (
            "l2",
            [0],
            1,
            1,
            "The 'rounds' parameter of run_biasvar must be an int in [2, inf). Got 1",
        ),
        (
            "l2",
            [0],
            3,
            0,
            "The 'epochs' parameter of run_biasvar must be an int in [1, inf). Got 0",
        ),
    ],
)
def test_bad_requests_are_refused(
    technique: str, strengths: list[float], rounds: int, epochs: int, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        run_biasvar(DIGITS, technique, strengths, rounds, epochs, device="cpu")


def test_cli_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bv"
    args = ["biasvar", "--dataset", "digits", "--technique", "l2", "--strengths", "0,0.05"]
    args += ["--rounds", "2", "--epochs", "1", "--hidden", "16", "--device", "cpu"]
    assert main([*args, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err  # progress, as plain lines when not a terminal
    lines = captured.out.splitlines()
    head = ["strength", "loss", "bias", "variance", "net", "variance", "test_acc", "rounds"]
    assert lines[0].split() == head
    assert [line.split()[0] for line in lines[1:3]] == ["0", "0.05"]
    assert f"wrote {out / 'biasvar.json'}" in captured.out
    assert f"wrote {out / 'predictions.npz'}" in captured.out
    doc = _strict_json(out / "biasvar.json")
    assert doc["rounds"] == 2 and doc["model"]["hidden"] == [16]
    low = doc["lowest_loss"]
    assert low["rounds"] == 2 and 0 <= low["share"] <= 1 and low["strength"] in (0, 0.05)
    assert any(line.startswith("The expected test loss is lowest at l2 strength") for line in lines)
    with np.load(out / "predictions.npz") as npz:  # class probabilities saved and decomposed
        proba = npz["proba"].astype(np.float64)  # [S, R, N, C]
        y = npz["y"]
    assert proba.shape[:2] == (2, 2) and np.allclose(proba.sum(-1), 1, atol=1e-2)
    for p, point in zip(proba, doc["points"], strict=True):
        ref = decompose_probabilities(p, y)
        assert point["proba_loss"] == pytest.approx(ref.loss)
        assert point["proba_loss"] == pytest.approx(
            point["proba_bias_sq"] + point["proba_variance"]
        )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--technique", "bn"], "The 'technique' parameter of run_biasvar must be one of"),
        (["--strengths", "0,abc"], "The '--strengths' parameter of reglab biasvar must be"),
        (["--hidden", "32,x"], "The '--hidden' parameter of reglab biasvar must be"),
        (["--rounds", "1"], "The 'rounds' parameter of run_biasvar must be an int in [2, inf)"),
    ],
)
def test_cli_errors_are_one_line(
    flags: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["biasvar", "--dataset", "digits", "--device", "cpu", "--out", str(tmp_path), *flags]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not list(tmp_path.iterdir())  # nothing written
