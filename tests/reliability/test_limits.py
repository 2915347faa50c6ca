"""Item 5: a study's size is printed before training; the absurd is refused with one line
saying why and how to go ahead (allow_large), before anything is built or written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reglab.cli import main
from reglab.study import StudySpec
from reglab.study.budget import MAX_SEEDS
from tests.reliability.conftest import SPEC, write_spec


def _refused(capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    lines = capsys.readouterr().err.strip().splitlines()
    err = "\n".join(ln for ln in lines if not ln.startswith("study: "))  # the folder, at start
    assert err.count("\n") == 0 and err.startswith("error: "), err
    for needle in ("allow_large = true", "--allow-large", *needles):
        assert needle in err, err


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("seeds = 2", "seeds = 100000000"), "100,000,000 seeds"),
        (("epochs = 2", "epochs = 1000000000000"), "1,000,000,000,000 epochs"),
        (("hidden = [8]", "hidden = [100000000]"), "more than half the device's free memory"),
        (('arms = ["none", "dropout=0.5"]', 'arms = ["none", "bn"]\nseeds = 6000'), "runs"),
    ],
)
def test_the_absurd_is_refused_fast_with_one_line(
    change: tuple[str, str], why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SPEC.replace(*change)
    if "seeds = 6000" in text:
        text = text.replace("seeds = 2\n", "")
    spec = write_spec(tmp_path, text)
    start = time.monotonic()
    assert main(["run", str(spec), "--out", str(tmp_path / "out")]) == 2
    assert time.monotonic() - start < 20  # no 10 GB tuple, no 2 TB allocation
    _refused(capsys, why)
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_compare_refuses_too_many_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--dataset", "digits", "--seeds", "100000000"]) == 2
    _refused(capsys, "sanity limit of 10,000")


def test_allow_large_lifts_the_limits() -> None:
    spec = StudySpec.from_dict({"seeds": MAX_SEEDS + 1, "allow_large": True})
    assert len(spec.seeds) == MAX_SEEDS + 1 and "allow_large = true" in spec.to_toml()


def test_the_size_is_printed_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, SPEC.replace("epochs = 2", "epochs = 1"))
    assert main(["run", str(spec), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err  # progress lines, in order
    assert "4 runs in 4 packs; 610 parameters per run" in err, err
    assert err.index("4 runs in 4 packs") < err.index("pack 1/4")
