"""Progress within the epoch, pack numbers after a resume, and Ctrl-C's resume command."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from reglab.cli import main
from reglab.engine import PackTrainer
from reglab.study import LogProgress, Outlook, RichProgress
from reglab.study.progress import reused_packs

pytestmark = pytest.mark.xdist_group("studies")
SMALL = ["--dataset", "digits", "--epochs", "2", "--seeds", "2", "--hidden", "16"]


def test_resume_names_the_reused_packs_and_numbers_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    outlook = Outlook(packs=5, runs=50, epochs=3, done=(1, 2, 3), runs_done=30)
    assert reused_packs(outlook) == "resuming: packs 1–3 of 5 already done (30 of 50 runs)"
    assert reused_packs(Outlook(5, 50, 3, (2,), 10)).startswith("resuming: pack 2 of 5")
    assert reused_packs(Outlook(5, 50, 3, (1, 2, 4), 30)).startswith("resuming: packs 1–2, 4 of")
    assert reused_packs(Outlook(5, 50, 3)) == ""
    log = LogProgress()
    log.start(outlook)
    log.pack(3, "l2=1e-4", 10)
    log.epoch(1, [])
    err = capsys.readouterr().err
    assert "resuming: packs 1–3 of 5" in err and "pack 4/5 [l2=1e-4, 10 runs] epoch 1" in err


def test_the_bar_moves_within_an_epoch_and_counts_runs() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=200)
    bar = RichProgress(console)
    bar.start(Outlook(packs=2, runs=6, epochs=4, done=(1,), runs_done=3))
    bar.pack(1, "dropout=0.5", 3)
    bar.steps(25, 100)
    task = bar.bar.tasks[0]
    assert task.total == 8 and task.completed == pytest.approx(4.25)  # 1 pack done + 1/4 epoch
    assert task.fields["step"] == "25/100" and task.fields["runs"] == "3/6"
    assert task.description == "pack 2/2 [dropout=0.5, 3 runs]"
    bar.epoch(1, [])
    bar.finish()
    assert bar.bar.tasks[0].fields["runs"] == "6/6"
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "resuming: pack 1 of 2 already done" in text and "epoch 1" in text


def test_trainer_reports_steps_every_few_without_changing_results() -> None:
    from reglab.config import ModelConfig, OptimizerConfig, TrainConfig
    from reglab.data import load_dataset
    from reglab.engine import Member
    from reglab.engine.trainer import STEPS_EVERY
    from tests.study_helpers import tiny_spec

    spec = tiny_spec()
    data = load_dataset(spec.data)
    members = [Member(0, spec.regularization("none"))]
    setup = (ModelConfig(hidden=(16,)), OptimizerConfig(), TrainConfig(epochs=1, device="cpu"))
    seen: list[tuple[int, int]] = []
    plain = PackTrainer(data, *setup, members).train_epoch()
    hooked = PackTrainer(data, *setup, members).train_epoch(lambda d, t: seen.append((d, t)))
    steps = len(PackTrainer(data, *setup, members).batches(0))
    assert seen == [(k, steps) for k in range(STEPS_EVERY, steps + 1, STEPS_EVERY)]
    untimed = [[dataclasses.replace(r, seconds=0.0) for r in rs if r] for rs in (plain, hooked)]
    assert untimed[0] == untimed[1]


def test_a_resumed_study_says_which_packs_it_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s"
    argv = ["compare", *SMALL, "--arms", "none,l2=1e-4,dropout=0.5", "--out", str(out)]
    assert main([*argv, "--device", "cpu"]) == 0
    for name in ("pack-002.json", "pack-002.npz"):  # as if stopped before the last pack
        (out / "packs" / name).unlink()
    capsys.readouterr()
    assert main([*argv, "--device", "cpu"]) == 0
    err = capsys.readouterr().err
    assert "resuming: packs 1–2 of 3 already done (4 of 6 runs)" in err
    assert "pack 3/3 [dropout=0.5, 2 runs] epoch 2" in err and "pack 1/3" not in err


def test_ctrl_c_exits_130_with_the_command_that_resumes(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    cwd = tmp_path  # the default folder (runs/...) lands here
    args = ["compare", "--dataset", "digits", "--epochs", "2000", "--seeds", "2", "--hidden", "16"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "reglab", *args, "--device", "cpu"],
        cwd=cwd,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        # a pytest-xdist worker ignores SIGINT, and a child inherits an ignored signal (then
        # Python installs no KeyboardInterrupt handler): give the child a terminal's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # wait for training to start
        seen.append(line)
        if "epoch 1:" in line:
            break
    assert proc.poll() is None, f"finished before the interrupt; stderr began {seen[:8]}"
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert "interrupted:" in rest
    command = rest.strip().splitlines()[-1].strip()
    words = shlex.split(command)
    assert words[0] == "reglab" and words[1:-2] == [*args, "--device", "cpu"]
    folder = cwd / words[-1]
    assert words[-2] == "--out" and (folder / "spec.toml").is_file()
    assert (folder / "checkpoints").is_dir()  # the interrupted pack's last epoch is kept
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "finished" not in manifest
