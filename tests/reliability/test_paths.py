"""Item 1: folders made from user text stay inside their parent (one rule: slugify), names
that cannot be shown are refused with one line, default folders are readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reglab.api.study import compare_spec, default_out
from reglab.cli import main
from reglab.store import inside, slug
from reglab.study import StudySpec
from tests.reliability.conftest import SPEC, write_spec


@given(st.text(max_size=400))
def test_any_text_becomes_one_folder_inside_its_parent(text: str) -> None:
    child = inside(Path("runs"), text)
    assert child.parent == Path("runs") and child.name not in ("", ".", "..")
    assert "/" not in child.name and "\0" not in child.name and len(child.name) <= 60
    assert not child.name.startswith(".")


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("../../etc", "etc-digits"),
        ("/abs/elsewhere", "abs-elsewhere-digits"),
        ("a/b/c", "a-b-c-digits"),
        ("my study", "my-study-digits"),
    ],
)
def test_default_folders_of_hostile_names_stay_in_runs(name: str, folder: str) -> None:
    spec = StudySpec.from_dict({"name": name, "data": {"name": "digits"}})
    assert default_out(spec) == Path("runs") / folder


def test_a_hostile_name_trains_inside_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path, SPEC.replace('"reliability"', '"../../etc"'))
    assert main(["run", str(spec), "--quiet", "--epochs", "1"]) == 0
    assert (tmp_path / "runs" / "etc-digits" / "runs.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "spec-in.toml"]


@pytest.mark.parametrize("name", ["a\\u0000b", "x" * 300, "tab\\there", " "])
def test_names_that_cannot_be_shown_are_one_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, SPEC.replace('"reliability"', f'"{name}"'))
    assert main(["run", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "The 'name' parameter of the study must be" in err
    assert not (tmp_path / "out").exists()


def test_default_folders_are_readable_with_a_suffix_only_when_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    classic = compare_spec("none,dropout=0.5", dataset="digits")
    assert default_out(classic) == Path("runs/none_dropout=0.5-digits")
    named = StudySpec.from_dict({"name": "ablation", "data": {"name": "digits"}})
    assert default_out(named) == Path("runs/ablation-digits")
    # that folder holds another study: the same readable name, plus a short stable suffix
    Path("runs/none_dropout=0.5-digits").mkdir(parents=True)
    Path("runs/none_dropout=0.5-digits/spec.toml").write_text(
        compare_spec("none,dropout=0.5", dataset="digits", seeds=3).to_toml()
    )
    other = default_out(classic)
    assert other.name.startswith("none_dropout=0.5-digits-") and len(other.name) == 30
    assert default_out(classic) == other  # the same command finds (and resumes) it
    same = compare_spec("none,dropout=0.5", dataset="digits", seeds=3)
    assert default_out(same) == Path("runs/none_dropout=0.5-digits")


def test_slug_keeps_arm_text_readable() -> None:
    assert slug("dropout=0.5+bn") == "dropout=0.5+bn"
    assert slug("\0\0") == "study"
