"""What `reglab compare` and `reglab run` share: option help, the overrides they build, and
running a spec with a live progress display, --json output and a resume hint on Ctrl-C.

Exit codes of every reglab command (stable; scripts may rely on them):
  0 ok · 1 a bug in reglab (traceback printed) · 2 bad input (one-line error) · 130 interrupted
"""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reglab.cli._shared import state

if TYPE_CHECKING:
    from reglab.api.study import StudyResult
    from reglab.study import StudySpec
    from reglab.study.executors import ExecutorKind

__all__ = ["HELP", "Run", "execute", "resume_command"]

HELP: dict[str, str] = {
    "arms": "Comma-separated arms: none, dropout=0.5, indrop=0.2, l1=1e-5, l2=1e-4, wd=1e-4, "
    "maxnorm=3, bn, es=3; combine with '+', e.g. dropout=0.5+bn. The first arm is the "
    "baseline unless --baseline names another.",
    "baseline": "The arm others are compared with (default: the first).",
    "seeds": "Seeds per arm (paired across arms): seeds 0..N-1.",
    "epochs": "Training epochs per run.",
    "dataset": "mnist, digits, mnist1d, synthetic, or a dataset added with `reglab data add`.",
    "data": "A data file (NPZ, CSV with a 'label' column, or a folder of IDX files) to add "
    "as a dataset (once; named after the file and its checksum) and train on.",
    "device": "auto, cpu, cuda or cuda:N (the N-th GPU).",
    "batch_size": "Minibatch size.",
    "hidden": "Hidden widths, e.g. 512 or 256,128.",
    "train_subset": "Train on only this many examples (overfitting studies).",
    "label_noise": "Replace this fraction (0 to 1) of the training and validation labels by a "
    "random class, the same for every arm and seed (1: random labels); test labels untouched.",
    "mc_samples": "Also test runs with dropout by Monte-Carlo dropout: dropout on, the softmax "
    "of this many seeded passes averaged (test_acc_mc, test_nll_mc, test_ece_mc; 0: off).",
    "threads": "CPU threads for torch (default: half the cores, at least 1; 2 threads on a "
    "busy 2-core machine made a training step 7-17x slower than 1). Recorded in manifest.json.",
    "json": "Print the summary as JSON on stdout (and nothing else there; progress goes to "
    "stderr).",
    "quiet": "No progress output.",
    "out": "Study directory (default: runs/<name>). Running the same command again resumes it.",
}


def resume_command(directory: Path, out_given: bool) -> str:
    """The command line that resumes this study: the same one, with --out when it had none."""
    words = ["reglab", *state.argv]
    if not out_given:
        words += ["--out", str(directory)]
    return shlex.join(words)


@dataclass(frozen=True)
class Run:
    """Where a study's packs train: ``executor`` "local" (this process) or "ray" (a Ray
    cluster at ``address``, a local one when None, with ``workers`` actors)."""

    executor: ExecutorKind = "local"
    address: str | None = None
    workers: int | None = None


def execute(
    spec: StudySpec,
    out: Path | None,
    *,
    threads: int | None,
    quiet: bool,
    as_json: bool,
    show: Callable[[StudyResult], None],
    run: Run | None = None,
) -> None:
    """Run ``spec`` in ``out`` (default: its default folder) and show or print the result;
    ``run`` says where its packs train (in this process, or on Ray)."""
    from reglab.api.study import default_out, run_spec
    from reglab.engine import resolve_device, set_threads
    from reglab.study import QuietProgress, make_progress

    set_threads(threads)  # a bad value fails here, before anything is printed or written
    resolve_device(spec.train.device)  # so does a GPU this machine does not have
    directory = out if out is not None else default_out(spec)
    progress = QuietProgress() if quiet else make_progress()
    if not quiet:
        typer.echo(f"study: {directory}", err=True)
    # stdout carries only the JSON summary: anything a library prints goes to stderr
    quiet_stdout = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    try:
        with quiet_stdout:
            where = run or Run()
            result = run_spec(
                spec,
                directory,
                threads=threads,
                progress=progress,
                executor=where.executor,
                address=where.address,
                workers=where.workers,
            )
    except KeyboardInterrupt:  # run_spec has closed the live display
        typer.echo(
            "interrupted: finished packs and the last epoch's checkpoint are saved; resume with\n"
            f"  {resume_command(directory, out is not None)}",
            err=True,
        )
        raise typer.Exit(130) from None
    if as_json:
        doc = {"directory": str(result.directory), "report": str(result.report_path)}
        typer.echo(json.dumps({**doc, **result.summary.to_json()}, indent=2))
    else:
        show(result)
