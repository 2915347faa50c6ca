"""``reglab learning-curve``: each arm's test accuracy (and edge over the baseline) versus
the number of training examples; a thin wrapper over :func:`reglab.api.run_learning_curve`.

    reglab learning-curve --sizes 1000,5000,20000,50000 --seeds 5
    reglab learning-curve examples/classic.toml --sizes 500,5000 --out runs/lc
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reglab.cli._executor import ADDRESS, EXECUTOR, WORKERS, executor_kind
from reglab.errors import ConfigError, invalid

if TYPE_CHECKING:
    from reglab.api import LearningCurveResult
    from reglab.study import StudySpec

# reglab.api (torch) is imported inside the command so that `reglab --help` starts fast.

__all__ = ["learning_curve_command"]

_OWNER = "reglab learning-curve"
_DEFAULT_SIZES = {"mnist": (1000, 5000, 20000, 50000), "digits": (100, 300, 1000)}
_ARMS_HELP = (
    "Comma-separated arms (see `reglab techniques`), e.g. none,dropout=0.5,l2=1e-4. "
    "The first is the baseline. Default: none,dropout=0.5 (or the spec's)."
)


def learning_curve_command(
    spec_file: Path | None = typer.Argument(
        None, help="A TOML study spec (optional; without one the options below build one)."
    ),
    sizes: str | None = typer.Option(
        None,
        "--sizes",
        help="Comma-separated training-set sizes (ints >= 10). "
        "Default: 1000,5000,20000,50000 for mnist, 100,300,1000 for digits.",
    ),
    arms: str | None = typer.Option(None, "--arms", help=_ARMS_HELP),
    seeds: int | None = typer.Option(None, "--seeds", help="Seeds per arm and size (default 5)."),
    epochs: int | None = typer.Option(None, "--epochs", help="Epochs per run (default 10)."),
    dataset: str | None = typer.Option(
        None, "--dataset", help="mnist, digits or synthetic (default mnist)."
    ),
    device: str | None = typer.Option(None, "--device", help="auto, cpu or cuda."),
    hidden: str | None = typer.Option(
        None, "--hidden", help="Hidden widths, e.g. 512 or 256,128 (without a spec; default 512)."
    ),
    batch_size: int | None = typer.Option(
        None, "--batch-size", help="Minibatch size (without a spec; default 32)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Output folder (default: runs/learning-curve-<dataset>). Running the same "
        "command again resumes every size.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
    executor: str = EXECUTOR,
    address: str | None = ADDRESS,
    workers: int | None = WORKERS,
) -> None:
    """Train every arm at several training-set sizes (a fixed, nested, class-balanced
    subset each) and show how accuracy, gap and the edge over the baseline change.

    Each size is a resumable study in OUT/n-SIZE/; the curve is in OUT/learning_curve.csv.

    Examples:
      reglab learning-curve --sizes 1000,5000,20000,50000 --seeds 5
      reglab learning-curve --dataset digits --sizes 100,300,1000 --epochs 5
      reglab learning-curve examples/classic.toml --sizes 500,5000 --out runs/lc
    """
    from reglab.api import compare_spec, run_learning_curve, with_overrides
    from reglab.study import load_spec

    spec: StudySpec
    if spec_file is None:
        spec = compare_spec(
            arms or "none,dropout=0.5",
            seeds=5 if seeds is None else seeds,
            epochs=10 if epochs is None else epochs,
            dataset=dataset or "mnist",
            device=device or "auto",
            batch_size=32 if batch_size is None else batch_size,
            hidden=_ints(hidden or "512", "hidden"),
        )
    else:
        if hidden is not None or batch_size is not None:
            raise ConfigError(
                "--hidden and --batch-size build a spec without a SPEC file; with "
                f"{str(spec_file)!r}, set [model] hidden and [train] batch_size in it instead."
            )
        spec = with_overrides(
            load_spec(spec_file),
            seeds=seeds,
            epochs=epochs,
            arms=arms,
            dataset=dataset,
            device=device,
        )
    name = spec.data.name
    chosen = _ints(sizes, "sizes") if sizes is not None else _default_sizes(name)
    where = out if out is not None else Path("runs") / f"learning-curve-{name}"
    kind = executor_kind(executor)
    result = run_learning_curve(
        spec, chosen, where, quiet=quiet, executor=kind, address=address, workers=workers
    )
    _show(result)


def _ints(text: str, param: str) -> list[int]:
    """A comma-separated flag value as ints; a bad item names the flag and the text."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise invalid(
            f"--{param}", _OWNER, "comma-separated ints such as 1000,5000", text
        ) from None


def _default_sizes(dataset: str) -> list[int]:
    if dataset not in _DEFAULT_SIZES:
        raise invalid(
            "--sizes", _OWNER, f"given for dataset {dataset!r} (e.g. --sizes 100,300,1000)", None
        )
    return list(_DEFAULT_SIZES[dataset])


def _show(result: LearningCurveResult) -> None:
    """Size, arm, n, accuracy ± CI half-width, gap, delta vs baseline [CI], p, verdict."""
    from rich import box
    from rich.console import Console  # rich: on use (`reglab --help` skips it)
    from rich.table import Table

    table = Table(
        title="Test accuracy (%) by training-set size; Δ, CI and gap in percentage points",
        box=box.SIMPLE_HEAD,
    )
    for col in ("size", "arm", "n", "acc ± CI", "gap", "Δ [95% CI]", "p (Holm)", "verdict"):
        left = col in ("arm", "verdict")
        table.add_column(col, justify="left" if left else "right", no_wrap=col != "verdict")
    previous = None
    for row in result.table.itertuples(index=False):
        size = "" if row.train_size == previous else str(row.train_size)
        previous = row.train_size
        table.add_row(
            size,
            str(row.arm),
            str(row.n),
            f"{_pc(row.test_acc_mean)} ± {_pc(row.test_acc_hi - row.test_acc_mean)}",
            _pc(row.gap_mean),
            _delta(row.delta_vs_baseline, row.delta_lo, row.delta_hi),
            "—" if math.isnan(row.p_holm) else f"{row.p_holm:.2g}",
            str(row.verdict),
        )
    console = Console()
    if console.width < 110:  # the table needs ~105 columns; never squeeze the verdicts out
        console = Console(width=110)
    console.print(table)
    root = result.directory
    console.print(f"curve: {root / 'learning_curve.csv'}  {root / 'learning_curve.json'}")
    if (root / "report.html").is_file():
        console.print(f"report: {root / 'report.html'}  {root / 'report.md'}")
    console.print(f"studies: {', '.join(str(p) for p in result.studies.values())}")


def _pc(x: float) -> str:
    return "—" if math.isnan(x) else f"{x * 100:.2f}"


def _delta(delta: float, lo: float, hi: float) -> str:
    if math.isnan(delta):
        return "—"
    return f"{_pp(delta)} [{_pp(lo)}, {_pp(hi)}]"


def _pp(x: float) -> str:
    return "—" if math.isnan(x) else f"{x * 100:+.2f}"
