"""The shared overrides of `reglab compare`/`reglab run`/run_study(), --json, --device cuda:N,
--threads and --data, through the real entry point (reglab.cli.main)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from reglab.api import Overrides
from reglab.cli import main
from reglab.errors import ReglabError
from reglab.study import load_spec
from tests.study_helpers import tiny_spec

pytestmark = pytest.mark.xdist_group("studies")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SMALL = ["--dataset", "digits", "--epochs", "1", "--seeds", "2", "--hidden", "16"]


def test_overrides_change_only_what_they_name() -> None:
    spec = load_spec(EXAMPLES / "sweeps.toml")
    new = Overrides(
        epochs=1, seeds=2, dataset="digits", hidden=(32, 16), batch_size=64, train_subset=500
    ).apply(spec)
    assert (new.train.epochs, new.seeds, new.data.name) == (1, (0, 1), "digits")
    assert (new.model.hidden, new.train.batch_size, new.data.train_subset) == ((32, 16), 64, 500)
    assert new.data.val_size == 300  # digits' own validation size, not MNIST's 10,000
    assert new.sweeps == spec.sweeps and new.all_arms == spec.all_arms
    assert Overrides().apply(spec) == spec


def test_new_arms_drop_a_baseline_they_no_longer_hold() -> None:
    spec = tiny_spec(baseline="dropout=0.5")
    assert Overrides(arms="l2=1e-4,none").apply(spec).baseline_arm == "l2=1e-4"
    assert Overrides(arms="l2=1e-4,none", baseline="none").apply(spec).baseline_arm == "none"
    with pytest.raises(ReglabError, match="baseline"):
        Overrides(baseline="bn").apply(spec)


def test_run_takes_compare_options_and_json_is_all_of_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    argv = ["run", str(EXAMPLES / "classic.toml"), *SMALL, "--out", str(out), "--json"]
    argv += ["--arms", "none,l2=1e-4", "--baseline", "l2=1e-4", "--batch-size", "64"]
    assert main([*argv, "--train-subset", "600", "--threads", "1", "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # nothing but the JSON document on stdout
    assert doc["directory"] == str(out) and doc["baseline"] == "l2=1e-4"
    assert [a["name"] for a in doc["arms"]] == ["none", "l2=1e-4"]
    assert doc["arms"][0]["vs_baseline"]["verdict"] in (
        "better",
        "worse",
        "no detectable difference",
        "too few seeds",
    )
    assert f"study: {out}" in captured.err  # the path, at the start, on stderr
    spec = load_spec(out / "spec.toml")
    assert (spec.train.batch_size, spec.data.train_subset, spec.model.hidden) == (64, 600, (16,))
    assert json.loads((out / "manifest.json").read_text())["threads"] == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--threads", "0"], "The 'threads' parameter of reglab must be an int in [1, inf). Got 0"),
        (["--device", "gpu"], "The 'device' parameter of TrainConfig must be one of"),
        (["--hidden", "wide"], "The 'hidden' parameter of compare must be comma-separated"),
        (["--data", "no/such/file.npz"], "The 'data' parameter of the study must be an existing"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", *SMALL, "--out", str(tmp_path / "x"), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_device_cuda_n_is_checked_against_the_gpus_here() -> None:
    from reglab.engine import resolve_device

    if not torch.cuda.is_available():
        with pytest.raises(ReglabError, match=r"without a CUDA GPU\. Got 'cuda:1'"):
            resolve_device("cuda:1")
        return
    count = torch.cuda.device_count()
    assert resolve_device(f"cuda:{count - 1}") == torch.device(f"cuda:{count - 1}")
    with pytest.raises(ReglabError, match=rf"N in \[0, {count - 1}\] here. Got 'cuda:{count}'"):
        resolve_device(f"cuda:{count}")


def test_cuda_n_is_a_valid_spec_device() -> None:
    assert tiny_spec(train={"epochs": 1, "device": "cuda:3"}).train.device == "cuda:3"
    with pytest.raises(ReglabError, match="Got 'cuda:x'"):
        tiny_spec(train={"epochs": 1, "device": "cuda:x"})


def test_data_file_is_added_once_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + 2 * (x[:, 1] > 0)
    np.savez(tmp_path / "My Data.npz", x_train=x, y_train=y)
    argv = ["compare", "--data", str(tmp_path / "My Data.npz"), "--epochs", "1", "--seeds", "2"]
    for k in (1, 2):  # the second time reuses the dataset the first added
        assert (
            main([*argv, "--hidden", "8", "--device", "cpu", "--out", str(tmp_path / f"s{k}")]) == 0
        )
    names = [p.name for p in (tmp_path / "cache" / "user").iterdir() if not p.name.startswith(".")]
    assert len(names) == 1 and re.fullmatch(r"my-data-[0-9a-f]{8}", names[0])
    manifest = json.loads((tmp_path / "s2" / "manifest.json").read_text())
    assert manifest["dataset"]["name"] == names[0]


def test_flags_show_no_type_in_subcommand_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("compare", "run", "ls"):
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert "--json" in text and "<bool>" not in text and "BOOLEAN" not in text
