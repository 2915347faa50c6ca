"""Item 3: derived tables and damaged files. packs/ are the source of truth: a truncated or
empty runs.csv / epochs.csv is rebuilt from them (report, resume), never reported from; a
damaged pack or targets.npz is trained again on resume and refused with one line in a
report; a damaged spec.toml stops a resume with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reglab.cli import main
from tests.reliability.conftest import run_args, table


def _cut(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _one_error_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.mark.parametrize("name", ["runs.csv", "epochs.csv"])
@pytest.mark.parametrize("keep", [0.0, 0.5])
def test_report_rebuilds_a_truncated_table_from_packs(
    study: Path, finished: Path, name: str, keep: float, capsys: pytest.CaptureFixture[str]
) -> None:
    _cut(study / name, keep)
    assert main(["report", str(study)]) == 0
    assert "rebuilt" in capsys.readouterr().out
    assert (study / name).read_bytes() == (finished / name).read_bytes()
    summary = json.loads((study / "summary.json").read_text())
    assert [a["n"] for a in summary["arms"]] == [2, 2]  # not "only the baseline ran"


def test_summary_never_reads_a_partial_table(study: Path, finished: Path) -> None:
    from reglab.analysis.summary import write_summary
    from reglab.store import StudyDir

    _cut(study / "runs.csv", 0.6)  # cut inside the second arm's rows
    summary = write_summary(StudyDir(study))
    assert [a.n for a in summary.arms] == [2, 2]


def test_resume_rebuilds_an_empty_table(
    study: Path, finished: Path, spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (study / "runs.csv").write_bytes(b"")
    assert main(run_args(spec_file, study)) == 0
    assert table(study / "runs.csv").equals(table(finished / "runs.csv"))


def test_a_report_of_an_unfinished_study_is_refused(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (study / "packs" / "pack-003.json").unlink()
    (study / "runs.csv").write_text((study / "runs.csv").read_text().splitlines()[0] + "\n")
    assert main(["report", str(study)]) == 2
    _one_error_line(capsys, "unfinished: 1 of 4 packs")


@pytest.mark.parametrize("ext", ["npz", "json"])
def test_a_damaged_pack_is_trained_again_on_resume(
    study: Path, finished: Path, spec_file: Path, ext: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _cut(study / "packs" / f"pack-001.{ext}")
    (study / "summary.json").unlink()  # so the report must read the packs
    assert main(["report", str(study)]) == 2
    _one_error_line(capsys, f"pack-001.{ext}", "damaged", "run the study's command again")
    assert main(run_args(spec_file, study)) == 0
    assert table(study / "runs.csv").equals(table(finished / "runs.csv"))
    assert table(study / "epochs.csv").equals(table(finished / "epochs.csv"))


def test_damaged_targets_are_refused_in_a_report_and_rewritten_on_resume(
    study: Path, finished: Path, spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _cut(study / "targets.npz")
    (study / "summary.json").unlink()
    assert main(["report", str(study)]) == 2
    _one_error_line(capsys, "targets.npz", "damaged")
    assert main(run_args(spec_file, study)) == 0
    assert (study / "targets.npz").read_bytes() == (finished / "targets.npz").read_bytes()


def test_a_truncated_spec_stops_a_resume_with_one_line(
    study: Path, spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (study / "runs.csv").read_bytes()
    text = (study / "spec.toml").read_text()
    (study / "spec.toml").write_text(text[: text.index("[data]") + 3])  # mid-header
    assert main(run_args(spec_file, study)) == 2
    _one_error_line(capsys, "spec.toml", "damaged")
    assert (study / "runs.csv").read_bytes() == before  # nothing lost
