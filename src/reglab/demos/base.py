"""What a demonstration is: a question, a setting sized for 2 CPU cores, and checked claims.

A demo runs ordinary experiments (studies, learning curves, bias–variance runs) through the
same runner as ``reglab run``, each in its own resumable folder under the demo's directory,
then turns their typed results into a Markdown section, figures, and :class:`Check` s — the
claim the demo tests, stated in the direction a textbook states it, and whether it held::

    >>> ctx = DemoContext(Path("runs/demos/sparsity"), quick=True)
    >>> result = SPARSITY.run(ctx)           # trains (or resumes), returns a DemoResult
    >>> [(c.claim, c.held) for c in result.checks]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from matplotlib.figure import Figure

from reglab.analysis.results import StudySummary
from reglab.api.study import run_study
from reglab.atomic import write_bytes
from reglab.config import OptimizerConfig
from reglab.report.plotting import png
from reglab.study import StudySpec

__all__ = [
    "Check",
    "Demo",
    "DemoContext",
    "DemoResult",
    "digits_spec",
    "duration",
    "setting_line",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Check:
    """A claim a demo tests, and whether the measurement bore it out (``detail``: the numbers)."""

    claim: str
    held: bool
    detail: str


@dataclass(frozen=True)
class DemoResult:
    """A finished demo: its folder, setting, Markdown body (tables), figures and checks."""

    name: str
    directory: Path
    setting: str
    body: str
    figures: tuple[Path, ...]
    checks: tuple[Check, ...]
    seconds: float

    def markdown(self, figure_prefix: str = "") -> str:
        """The result as Markdown: setting, body, figures (``figure_prefix`` + file name)."""
        lines = [f"*Setting:* {self.setting}", "", self.body.rstrip(), ""]
        lines += [f"![{f.stem}]({figure_prefix}{f.name})" for f in self.figures]
        if self.figures:
            lines.append("")
        for c in self.checks:
            mark = "holds here" if c.held else "**does not hold here**"
            lines.append(f"- *Claim:* {c.claim} — {mark} ({c.detail}).")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DemoContext:
    """Where and how a demo runs. ``quick``: a tiny setting (seconds) for tests and CI."""

    out: Path
    quick: bool = False
    device: str = "auto"
    quiet: bool = True

    def size(self, full: T, quick: T) -> T:
        """``quick`` in a quick run, else ``full``."""
        return quick if self.quick else full

    def study(self, part: str, spec: StudySpec) -> StudySummary:
        """Train (or resume) ``spec`` in ``out/part``, with its summary and report."""
        return run_study(spec, self.out / part, quiet=self.quiet, report=True).summary

    def figure(self, name: str, fig: Figure) -> Path:
        """Write ``fig`` to ``out/fig-<name>.png`` and return the path."""
        path = self.out / f"fig-{name}.png"
        write_bytes(path, png(fig))
        return path


@dataclass(frozen=True)
class Demo:
    """One demonstration. ``body(ctx)`` trains and returns (setting, body, figures, checks).

    ``cpu_seconds``: wall time of the full demo (training and analysis; the process's
    start-up adds a few seconds) on this project's 2-core CPU machine with nothing else
    running (2026-11-27; all ten from scratch take about 9 minutes);
    ``gpu_seconds``: on a GPU, None where not measured (no GPU was available).
    """

    number: int
    name: str
    title: str
    summary: str
    cpu_seconds: float
    body: Callable[[DemoContext], tuple[str, str, list[Path], list[Check]]]
    gpu_seconds: float | None = None

    def run(self, ctx: DemoContext) -> DemoResult:
        """Train (or resume) the demo's experiments in ``ctx.out`` and collect the result."""
        start = time.perf_counter()
        setting, body, figures, checks = self.body(ctx)
        seconds = time.perf_counter() - start
        return DemoResult(self.name, ctx.out, setting, body, tuple(figures), tuple(checks), seconds)


def duration(seconds: float) -> str:
    """'~45 s' under a minute and a half, else '~3.5 min'."""
    return f"~{seconds:.0f} s" if seconds < 90 else f"~{seconds / 60:.1f} min"


def digits_spec(
    name: str,
    arms: list[str],
    ctx: DemoContext,
    *,
    seeds: int,
    epochs: int,
    hidden: tuple[int, ...] = (128,),
    train_subset: int | None = None,
    batch_size: int = 32,
    optimizer: dict[str, Any] | None = None,
    early_stopping: dict[str, Any] | None = None,
) -> StudySpec:
    """A study on scikit-learn's digits (real 8×8 handwritten digits: 1,200 train, 300
    validation, 297 test), an MLP, Adam 1e-3 unless ``optimizer`` says otherwise."""
    table: dict[str, Any] = {
        "name": name,
        "arms": arms,
        "seeds": seeds,
        "data": {"name": "digits", "val_size": 300, "train_subset": train_subset},
        "model": {"hidden": list(hidden)},
        "optimizer": optimizer or {},
        "train": {"epochs": epochs, "batch_size": batch_size, "device": ctx.device},
    }
    if early_stopping:
        table["early_stopping"] = early_stopping
    if train_subset is None:
        del table["data"]["train_subset"]
    return StudySpec.from_dict(table, where=f"the demo {name!r}")


def setting_line(spec: StudySpec) -> str:
    """One line: data, model, optimizer, epochs, seeds — what a reader needs to rerun it."""
    d, o = spec.data, spec.optimizer
    size = f"{d.train_subset} training images" if d.train_subset else "all training images"
    opt = f"{o.name} lr {o.lr:g}" + _lr_schedule(o)
    if o.momentum_final is not None:
        opt += f" momentum {o.momentum:g}→{o.momentum_final:g} over {o.momentum_epochs} epochs"
    elif o.momentum:
        opt += f" momentum {o.momentum:g}"
    widths = "-".join(str(h) for h in spec.model.hidden)
    return (
        f"{d.name}, {size}; MLP {widths} {spec.model.activation}; {opt}, batch "
        f"{spec.train.batch_size}, {spec.train.epochs} epochs; {len(spec.seeds)} paired seeds"
    )


def _lr_schedule(o: OptimizerConfig) -> str:
    """The learning-rate schedule in a few words ("" for a constant one)."""
    if o.schedule == "exponential":
        return f" ×{o.lr_decay:g} per epoch"
    if o.schedule == "step":
        return f" ×{o.lr_decay:g} every {o.lr_step} epochs"
    if o.schedule == "cosine":
        return f" cosine to {o.lr_min:g}"
    return ""
