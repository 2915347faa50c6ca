"""Items 6-8: one default rule for val_size; duplicate arms refused once canonicalized;
a `reglab biasvar` folder keeps its identity (other settings refused, nothing stale) and
its files read like every study file (mode 0666 & ~umask, not mkstemp's 0600)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reglab.api.study import compare_spec, with_overrides
from reglab.arms import parse_arms
from reglab.cli import main
from reglab.data import SUGGESTED_VAL_SIZE
from reglab.errors import ConfigError
from reglab.study import StudySpec, load_spec
from tests.reliability.conftest import SPEC, write_spec


# ---- item 6: val_size --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["digits", "mnist", "mnist1d", "synthetic"])
def test_a_spec_and_the_command_line_share_the_val_size_default(name: str) -> None:
    from_spec = StudySpec.from_dict({"data": {"name": name}}).data.val_size
    assert from_spec == compare_spec(dataset=name).data.val_size == SUGGESTED_VAL_SIZE[name]
    switched = with_overrides(StudySpec(), dataset=name).data.val_size
    assert switched == from_spec


def test_a_digits_spec_file_without_val_size_loads(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path, SPEC.replace("\nval_size = 300\n", "\n")))
    assert spec.data.val_size == 300
    explicit = load_spec(write_spec(tmp_path, SPEC.replace("\nval_size = 300", "\nval_size = 200")))
    assert explicit.data.val_size == 200


# ---- item 7: duplicate arms -------------------------------------------------------------
@pytest.mark.parametrize(
    "arms",
    [
        "l2=1e-4,l2=0.0001",
        "none,dropout=0.5+bn,bn+dropout=0.5",
        "none,l2=0",
        "dropout=0.5,dropout=0.50",
    ],
)
def test_the_same_arm_written_twice_is_one_line(
    arms: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="are the same arm"):
        parse_arms(arms)
    assert main(["compare", "--dataset", "digits", "--arms", arms, "--out", "/nonexistent"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "are the same arm" in err and "once" in err


def test_an_arm_and_a_sweep_of_the_same_value_are_refused() -> None:
    table = {"arms": ["none", "l2=1e-4"], "sweeps": [{"technique": "l2", "values": [1e-4]}]}
    with pytest.raises(ConfigError, match=r"'l2=0.0001' and 'l2=1e-4' are the same arm"):
        StudySpec.from_dict(table)
    base = {"arms": ["dropout=0.5"], "sweeps": [{"technique": "l2", "values": [0.0]}]}
    with pytest.raises(ConfigError, match="same arm"):  # a sweep value of 0 is the arm none
        StudySpec.from_dict({**base, "arms": ["none"]})


# ---- item 8: biasvar ----------------------------------------------------------------------
BIASVAR = ["biasvar", "--dataset", "digits", "--technique", "l2", "--strengths", "0,1e-3"]
BIASVAR += ["--rounds", "2", "--epochs", "1", "--hidden", "8", "--device", "cpu"]


def test_biasvar_default_folder_keeps_its_identity_and_modes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(BIASVAR) == 0
    folder = tmp_path / "runs" / "biasvar-l2"
    files = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert folder / "biasvar.json" in files and folder / "predictions.npz" in files
    umask = os.umask(0)
    os.umask(umask)
    for path in files:  # every file, packs and report included
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    capsys.readouterr()
    other = [a if a != "0,1e-3" else "0,1e-2" for a in BIASVAR]
    assert main(other) == 2  # other settings, same default folder: refused, nothing stale
    assert "holds a different study" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == files
