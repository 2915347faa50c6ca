"""Item 2: the data is part of a study's identity. A study whose dataset was replaced since
(`reglab data rm` + `reglab data add` with other content) is refused on resume with one line,
and its finished runs stay as they were; the manifest records checksum and split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reglab.cli import main
from reglab.data import dataset_identity, read_user_meta
from reglab.study.manifest import check_same_data


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _dataset(path: Path, shuffle: bool) -> Path:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + 2 * (x[:, 1] > 0)
    if shuffle:  # the same examples with shuffled labels: other data, same shapes
        y = rng.permutation(y)
    np.savez(path, x_train=x, y_train=y)
    return path


ARGS = ["compare", "--dataset", "mine", "--epochs", "1", "--seeds", "2", "--hidden", "8"]
ARGS += ["--device", "cpu", "--quiet"]


def test_resume_on_replaced_data_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "add", "mine", str(_dataset(tmp_path / "a.npz", False))]) == 0
    out = tmp_path / "study"
    assert main([*ARGS, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    first = read_user_meta("mine").sha256
    assert manifest["dataset"]["checksum"] == first
    assert manifest["dataset"]["val_size"] == 95 // 6 and "split" in manifest["dataset"]
    # an interrupted study (its last pack not finished), then the data replaced
    (out / "packs" / "pack-001.json").unlink()
    kept = (out / "packs" / "pack-000.json").read_bytes()
    assert main(["data", "rm", "mine"]) == 0
    assert main(["data", "add", "mine", str(_dataset(tmp_path / "b.npz", True))]) == 0
    capsys.readouterr()
    assert main([*ARGS, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "was trained on other data" in err, err
    assert f"checksum '{first}' -> '{read_user_meta('mine').sha256}'" in err
    assert (out / "packs" / "pack-000.json").read_bytes() == kept
    assert not (out / "packs" / "pack-001.json").exists()  # nothing trained on the new data


def test_the_split_is_part_of_the_identity(tmp_path: Path) -> None:
    from reglab.config import DataConfig

    before = dataset_identity(DataConfig("digits", val_size=300)).to_dict()
    check_same_data({"dataset": before}, before, tmp_path)  # the same data resumes
    for change in ({"val_size": 200}, {"train_subset": 500}, {"split": "other rule"}):
        with pytest.raises(Exception, match="was trained on other data"):
            check_same_data({"dataset": before}, {**before, **change}, tmp_path)
