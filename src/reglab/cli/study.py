"""`reglab compare`, `reglab run` and `reglab techniques`: thin wrappers over reglab.api."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from reglab.arms import ARM_KEYS

if TYPE_CHECKING:
    from reglab.api.study import StudyResult

__all__ = ["compare_command", "run_command", "techniques_command"]

_ARMS_HELP = (
    "Comma-separated arms: none, dropout=0.5, indrop=0.2, l1=1e-5, l2=1e-4, wd=1e-4, "
    "maxnorm=3, bn, es=3; combine with '+', e.g. dropout=0.5+bn. The first arm is the "
    "baseline unless --baseline names another."
)


def compare_command(
    arms: str = typer.Option("none,dropout=0.5", "--arms", help=_ARMS_HELP),
    seeds: int = typer.Option(5, "--seeds", help="Seeds per arm (paired across arms)."),
    epochs: int = typer.Option(10, "--epochs", help="Training epochs per run."),
    dataset: str = typer.Option("mnist", "--dataset", help="mnist, digits or synthetic."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Study directory (default: runs/...). Running the same command again resumes it.",
    ),
    baseline: str | None = typer.Option(
        None, "--baseline", help="The arm others are compared with (default: the first)."
    ),
    batch_size: int = typer.Option(32, "--batch-size", help="Minibatch size."),
    hidden: str = typer.Option("512", "--hidden", help="Hidden widths, e.g. 512 or 256,128."),
    train_subset: int | None = typer.Option(
        None, "--train-subset", help="Train on only this many examples (overfitting studies)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Run the classic experiment (MNIST, MLP 512 ReLU, Adam 1e-3, batch 32, 10 epochs)
    over several seeds and say whether each arm differs from the baseline.

    Examples:
      reglab compare                     # none vs dropout=0.5, 5 seeds
      reglab compare --arms none,l2=1e-4,bn --seeds 10 --epochs 20
      reglab compare --dataset digits --epochs 5 --out runs/digits
    """
    from reglab.api.study import compare_spec, run_study  # heavy (torch): import on use

    spec = compare_spec(
        arms,
        seeds=seeds,
        epochs=epochs,
        dataset=dataset,
        device=device,
        batch_size=batch_size,
        hidden=_widths(hidden),
        baseline=baseline,
        train_subset=train_subset,
    )
    _show(run_study(spec, out, quiet=quiet))


def run_command(
    spec_file: Path = typer.Argument(..., help="A TOML study spec (see examples/)."),
    out: Path | None = typer.Option(None, "--out", help="Study directory (default: runs/...)."),
    seeds: int | None = typer.Option(None, "--seeds", help="Override the spec's seed count."),
    epochs: int | None = typer.Option(None, "--epochs", help="Override the spec's epochs."),
    arms: str | None = typer.Option(None, "--arms", help="Override the spec's arms."),
    dataset: str | None = typer.Option(None, "--dataset", help="Override the spec's dataset."),
    train_subset: int | None = typer.Option(
        None, "--train-subset", help="Train on this many examples (a fixed subset)."
    ),
    device: str | None = typer.Option(None, "--device", help="auto, cpu or cuda."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Run (or resume) the study a TOML spec describes, then summarize and report it.

    Examples:
      reglab run examples/ablation.toml
      reglab run examples/ablation.toml --seeds 3 --epochs 2 --dataset digits
    """
    from reglab.api.study import run_study, with_overrides
    from reglab.study import load_spec

    spec = with_overrides(
        load_spec(spec_file),
        seeds=seeds,
        epochs=epochs,
        arms=arms,
        dataset=dataset,
        device=device,
        train_subset=train_subset,
    )
    _show(run_study(spec, out, quiet=quiet))


def techniques_command() -> None:
    """List the techniques of the arm syntax, what each does, and its source."""
    table = Table(title="Techniques (arm syntax; combine with '+')")
    for col in ("arm", "what it does", "reference"):
        table.add_column(col)
    table.add_row("none", "No regularization (the usual baseline).", "")
    for key in ARM_KEYS:
        value = {int: "3", str: "shift2"}.get(key.kind, "X") if key.kind else ""
        example = f"{key.key}={value}" if value else key.key
        table.add_row(example, key.summary, key.reference)
    Console().print(table)


def _widths(text: str) -> tuple[int, ...]:
    from reglab.errors import invalid

    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise invalid(
            "hidden", "compare", "comma-separated integers such as 512 or 256,128", text
        ) from None
    return widths


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
    console.print(f"results: {result.directory}  (report: {result.report})")
