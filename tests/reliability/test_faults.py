"""Item 4: faults of the machine give one line (exit 2) and lose nothing.

Real faults where the test may make them (root in a container: a tiny tmpfs that fills up,
then the same tmpfs remounted read-only); the same faults simulated at the atomic-write
layer everywhere (PermissionError, EROFS, ENOSPC), so every machine runs the mechanism."""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import reglab.atomic
from reglab.cli import main, os_error_line
from reglab.store import StudyDir
from tests.reliability.conftest import run_args, table


def _one_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: ") and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _intact(root: Path) -> None:
    """No half-written file: every finished pack reads back, no temporary file is left."""
    store = StudyDir(root)
    for path in (root / "packs").glob("pack-*.json"):
        assert store.pack_damage(int(path.stem.split("-")[1])) is None
    assert not [p for p in root.rglob(".*.tmp")]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs at tmp_path/fs (needs mount rights: root in a container)."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({made.stderr.decode().strip()}); "
            "the simulated faults below cover the mechanism"
        )
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fail_writes(monkeypatch: pytest.MonkeyPatch, code: int, after: int = 0) -> list[Path]:
    """Make the atomic-write layer fail with ``code`` after ``after`` successful writes."""
    real, tried = reglab.atomic.temp_beside, []

    def temp_beside(path: Path) -> tuple[int, str]:
        tried.append(path)
        if len(tried) > after:
            raise OSError(code, __import__("os").strerror(code))
        return real(path)

    monkeypatch.setattr(reglab.atomic, "temp_beside", temp_beside)
    return tried


# ---- --out that cannot be a study folder ---------------------------------------------------
def test_out_that_is_a_regular_file(
    spec_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a-file"
    out.write_text("keep me")
    assert main(run_args(spec_file, out)) == 2
    _one_line(capsys, "is a file, not a folder")
    assert out.read_text() == "keep me"


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_a_write_fault_is_one_line_naming_path_and_errno(
    spec_file: Path,
    tmp_path: Path,
    code: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fail_writes(monkeypatch, code)
    assert main(run_args(spec_file, tmp_path / "out")) == 2
    _one_line(capsys, str(tmp_path / "out" / "spec.toml"), f"({errno.errorcode[code]})")


def test_debug_shows_the_traceback(
    spec_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_writes(monkeypatch, errno.EACCES)
    with pytest.raises(PermissionError):
        main([*run_args(spec_file, tmp_path / "out"), "--debug"])


def test_error_line_says_what_to_do() -> None:
    line = os_error_line(OSError(errno.ENOSPC, "No space left on device", "runs/x/a.npz"))
    assert line.startswith("cannot use 'runs/x/a.npz': No space left on device (ENOSPC); free")


def test_a_full_disk_mid_study_loses_nothing_simulated(
    spec_file: Path,
    tmp_path: Path,
    finished: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    _fail_writes(monkeypatch, errno.ENOSPC, after=12)  # a few packs in
    assert main(run_args(spec_file, out)) == 2
    _one_line(capsys, "(ENOSPC)")
    _intact(out)
    monkeypatch.undo()
    assert main(run_args(spec_file, out)) == 0
    assert table(out / "runs.csv").equals(table(finished / "runs.csv"))


# ---- real faults on a tmpfs ------------------------------------------------------------------
def test_a_full_disk_mid_study_loses_nothing(
    tmpfs: Path, spec_file: Path, finished: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filler = tmpfs / "filler"
    filler.write_bytes(b"\0" * (2 * 2**20 - 160 * 2**10))  # ~160 kB left: the study needs more
    out = tmpfs / "study"
    assert main(run_args(spec_file, out)) == 2
    _one_line(capsys, "No space left on device (ENOSPC)")
    _intact(out)
    filler.unlink()
    assert main(run_args(spec_file, out)) == 0
    assert table(out / "runs.csv").equals(table(finished / "runs.csv"))
    _intact(out)


def test_a_finished_study_on_a_read_only_disk_stays_readable(
    tmpfs: Path, spec_file: Path, finished: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = Path(shutil.copytree(finished, tmpfs / "study"))
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    before = _files(study)
    assert main(run_args(spec_file, study)) == 0  # a no-op run writes nothing
    assert "Test accuracy" in capsys.readouterr().out
    assert main(["report", str(study)]) == 2
    _one_line(capsys, "Read-only file system (EROFS)", "read-only; its files are intact")
    assert _files(study) == before


def test_a_finished_study_run_again_writes_nothing(
    study: Path, spec_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = _fail_writes(monkeypatch, errno.EROFS)
    before = _files(study)
    assert main(run_args(spec_file, study)) == 0
    assert tried == [] and _files(study) == before
