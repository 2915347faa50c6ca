"""`reglab compare`, `reglab run` and `reglab techniques`: thin wrappers over reglab.api."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from reglab.arms import ARM_KEYS
from reglab.cli._app import FLAG
from reglab.cli.options import HELP, execute

if TYPE_CHECKING:
    from reglab.api.study import StudyResult

__all__ = ["compare_command", "run_command", "techniques_command"]


def compare_command(
    arms: str = typer.Option("none,dropout=0.5", "--arms", help=HELP["arms"]),
    seeds: int = typer.Option(5, "--seeds", help=HELP["seeds"]),
    epochs: int = typer.Option(10, "--epochs", help=HELP["epochs"]),
    dataset: str = typer.Option("mnist", "--dataset", help=HELP["dataset"]),
    data: Path | None = typer.Option(None, "--data", help=HELP["data"]),
    device: str = typer.Option("auto", "--device", help=HELP["device"]),
    out: Path | None = typer.Option(None, "--out", help=HELP["out"]),
    baseline: str | None = typer.Option(None, "--baseline", help=HELP["baseline"]),
    batch_size: int = typer.Option(32, "--batch-size", help=HELP["batch_size"]),
    hidden: str = typer.Option("512", "--hidden", help=HELP["hidden"]),
    train_subset: int | None = typer.Option(None, "--train-subset", help=HELP["train_subset"]),
    threads: int | None = typer.Option(None, "--threads", help=HELP["threads"]),
    as_json: bool = typer.Option(False, "--json", metavar=FLAG, help=HELP["json"]),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar=FLAG, help=HELP["quiet"]),
) -> None:
    """Run the classic experiment (MNIST, MLP 512 ReLU, Adam 1e-3, batch 32, 10 epochs)
    over several seeds and say whether each arm differs from the baseline.

    Examples:
      reglab compare                     # none vs dropout=0.5, 5 seeds
      reglab compare --arms none,l2=1e-4,bn --seeds 10 --epochs 20
      reglab compare --dataset digits --epochs 5 --out runs/digits --json
      reglab compare --data my_data.npz --device cuda:1
    """
    from reglab.api import Overrides, classic_spec, dataset_from_file  # heavy: import on use
    from reglab.api.overrides import parse_hidden

    name = dataset_from_file(data) if data is not None else dataset
    overrides = Overrides(
        arms=arms,
        baseline=baseline,
        seeds=seeds,
        epochs=epochs,
        device=device,
        batch_size=batch_size,
        hidden=parse_hidden(hidden, "compare"),
        train_subset=train_subset,
    )
    spec = overrides.apply(classic_spec(name), where="the compare options")
    execute(spec, out, threads=threads, quiet=quiet, as_json=as_json, show=_show)


def run_command(
    spec_file: Path = typer.Argument(..., help="A TOML study spec (see examples/)."),
    out: Path | None = typer.Option(None, "--out", help=HELP["out"]),
    arms: str | None = typer.Option(None, "--arms", help="Override the spec's arms."),
    baseline: str | None = typer.Option(None, "--baseline", help=HELP["baseline"]),
    seeds: int | None = typer.Option(None, "--seeds", help="Override the spec's seeds: 0..N-1."),
    epochs: int | None = typer.Option(None, "--epochs", help="Override the spec's epochs."),
    dataset: str | None = typer.Option(None, "--dataset", help="Override the spec's dataset."),
    data: Path | None = typer.Option(None, "--data", help=HELP["data"]),
    device: str | None = typer.Option(None, "--device", help=HELP["device"]),
    batch_size: int | None = typer.Option(None, "--batch-size", help=HELP["batch_size"]),
    hidden: str | None = typer.Option(None, "--hidden", help=HELP["hidden"]),
    train_subset: int | None = typer.Option(None, "--train-subset", help=HELP["train_subset"]),
    threads: int | None = typer.Option(None, "--threads", help=HELP["threads"]),
    as_json: bool = typer.Option(False, "--json", metavar=FLAG, help=HELP["json"]),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar=FLAG, help=HELP["quiet"]),
) -> None:
    """Run (or resume) the study a TOML spec describes, then summarize and report it.

    Options override the spec (the same overrides as `reglab compare` and run_study()).

    Examples:
      reglab run examples/ablation.toml
      reglab run examples/sweeps.toml --seeds 2 --epochs 1 --dataset digits
      reglab run examples/classic.toml --hidden 256,128 --batch-size 128 --json > summary.json
    """
    from reglab.api import Overrides, dataset_from_file  # heavy (torch): import on use
    from reglab.api.overrides import parse_hidden
    from reglab.study import load_spec

    spec = load_spec(spec_file)
    overrides = Overrides(
        arms=arms,
        baseline=baseline,
        seeds=seeds,
        epochs=epochs,
        dataset=dataset_from_file(data) if data is not None else dataset,
        device=device,
        batch_size=batch_size,
        hidden=None if hidden is None else parse_hidden(hidden, "run"),
        train_subset=train_subset,
    )
    execute(overrides.apply(spec), out, threads=threads, quiet=quiet, as_json=as_json, show=_show)


def techniques_command() -> None:
    """List the techniques of the arm syntax, what each does, and its source."""
    table = Table(title="Techniques (arm syntax; combine with '+')")
    for col in ("arm", "what it does", "reference"):
        table.add_column(col)
    table.add_row("none", "No regularization (the usual baseline).", "")
    for key in ARM_KEYS:
        example = key.key if key.kind is None else f"{key.key}={'3' if key.kind is int else 'X'}"
        table.add_row(example, key.summary, key.reference)
    Console().print(table)


def _show(result: StudyResult) -> None:
    """The verdict table (the report's numbers, formatted as the report writes them), the
    report's one-paragraph answer, and where the results are."""
    from reglab.report import answer, numbers  # heavy (matplotlib): import on use

    s = result.summary
    table = Table(
        title=f"Test accuracy over {s.n_seeds} paired seeds, baseline {s.baseline}: mean [95% CI]",
        box=box.SIMPLE_HEAD,
    )
    for col in ("arm", "n", "test acc [95% CI]", "gap", f"Δ vs {s.baseline} [95% CI]"):
        table.add_column(col, justify="left" if col == "arm" else "right", no_wrap=True)
    table.add_column("p (Holm)", justify="right", no_wrap=True)
    table.add_column("verdict", justify="left")
    for arm in s.arms:
        acc, vs = arm.test_acc, arm.vs_baseline
        delta = p = "—"
        if vs is not None and vs.delta is not None:
            delta = f"{numbers.pp(vs.delta)} {numbers.interval_pp(vs.ci95)}"
            p = f"{numbers.p_value(vs.p_value)} ({numbers.p_value(vs.p_holm)})"
        table.add_row(
            arm.name,
            str(arm.n),
            f"{numbers.pct(acc.mean)} {numbers.interval_pct(acc.ci95)}",
            numbers.plain_pp(arm.gap.mean),
            delta,
            p,
            "baseline" if vs is None else vs.verdict,
        )
    console = Console()
    if console.width < 130:  # the table needs ~125 columns; never squeeze the verdicts out
        console = Console(width=130)
    console.print(table)
    console.print(answer(s), markup=False, highlight=False)
    console.print(f"results: {result.directory}  (report: {result.report_path})")
