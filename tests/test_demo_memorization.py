"""Demo 8 (memorization, Zhang et al. 2017), in its quick setting: without regularization an
MLP fits random labels (train accuracy > 90%) while its test accuracy stays at chance, and
the same images with true labels are fitted sooner and generalize."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reglab.demos import DEMOS, get_demo, run_demo
from reglab.demos.memorization import _chance_band, _epochs_to_fit, _train_curves
from reglab.store import StudyDir

pytestmark = pytest.mark.xdist_group("demos")


def test_memorization_is_demo_8_between_7_and_10() -> None:
    assert get_demo("8").name == "memorization"
    numbers = [d.number for d in DEMOS]
    assert numbers == sorted(numbers)


def test_epochs_to_fit_counts_the_first_epoch_at_90_percent() -> None:
    curves = np.array([[0.5, 0.91, 0.95], [0.2, 0.4, 0.95], [0.1, 0.2, 0.3]])  # [S, E]
    assert _epochs_to_fit(curves) == "2 (2/3 seeds)"  # seeds reach it at epochs 2 and 3
    assert _epochs_to_fit(curves[2:]) == "not within 3"
    lo, hi = _chance_band(297)
    assert lo == pytest.approx(0.1 - 1.96 * np.sqrt(0.09 / 297)) and hi > 0.13


def test_random_labels_are_memorized_and_test_accuracy_stays_at_chance(tmp_path: Path) -> None:
    out = tmp_path / "mem"
    result = run_demo("memorization", out, quick=True, device="cpu")
    random = _train_curves(out / "random", "none")  # [S, E] train acc on the random labels
    assert random.shape[0] == 3 and np.nanmean(random[:, -1]) > 0.9
    runs = [r for r in StudyDir(out / "random").run_records() if r.arm == "none"]
    lo, hi = _chance_band(297)
    test = float(np.mean([r.test_acc for r in runs]))
    assert lo <= test <= hi, test  # chance: the test labels are the true ones
    true_runs = [r for r in StudyDir(out / "true").run_records() if r.arm == "none"]
    assert np.mean([r.test_acc for r in true_runs]) > 0.8
    mid = random.shape[1] // 4
    dropout = _train_curves(out / "random", "dropout=0.5")
    assert np.nanmean(dropout[:, mid - 1]) < np.nanmean(random[:, mid - 1])  # slowed
    held = {c.claim.split(":")[0]: c.held for c in result.checks}
    assert held["Without regularization the network fits random labels (train accuracy > 90%)"]
    assert held["Test accuracy with random labels is at chance (10%) for every arm"]
    assert result.checks[-1].held and "sooner" in result.checks[-1].claim
    assert len(result.checks) == 7  # fits, chance, 3 x slows, does not prevent, true labels
    manifest = json.loads((out / "random" / "manifest.json").read_text())
    changed = manifest["dataset"]["labels_changed"]
    assert changed["rate"] == 1.0 and 150 < changed["train_changed"] <= 200
    assert (
        "labels_changed" not in json.loads((out / "true" / "manifest.json").read_text())["dataset"]
    )
    assert f"{changed['train_changed']} of 200 training labels" in result.body
    assert (out / "fig-memorization.png").stat().st_size > 1000
    assert "label_noise 1" in result.setting
