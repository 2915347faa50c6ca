"""`reglab compare`, `reglab run` and `reglab techniques`: thin wrappers over reglab.api."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reglab.arms import ARM_KEYS
from reglab.cli._executor import ADDRESS, EXECUTOR, WORKERS, executor_kind
from reglab.cli._shared import FLAG
from reglab.cli.options import HELP, Run, execute

if TYPE_CHECKING:
    from rich.table import Table

    from reglab.analysis.results import StudySummary
    from reglab.api.study import StudyResult

__all__ = ["compare_command", "run_command", "techniques_command"]

_MARGIN_HELP = (
    "Equivalence margin in percentage points (default 0.5): an arm is called 'equivalent "
    "within ±m pp' only when a paired TOST shows it. For regression studies (test MSE) the "
    "value / 100 is in MSE units."
)

_TF32_HELP = (
    "TF32 matmuls on a CUDA GPU (faster; ~1e-3 relative rounding in products). Recorded in "
    "manifest.json; no effect on the CPU."
)


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
    label_noise: float | None = typer.Option(None, "--label-noise", help=HELP["label_noise"]),
    mc_samples: int | None = typer.Option(None, "--mc-samples", help=HELP["mc_samples"]),
    margin: float | None = typer.Option(None, "--margin", help=_MARGIN_HELP),
    allow_large: bool = typer.Option(
        False, "--allow-large", metavar=FLAG, help="Lift the sanity limits on a study's size."
    ),
    tf32: bool = typer.Option(False, "--tf32", metavar=FLAG, help=_TF32_HELP),
    threads: int | None = typer.Option(None, "--threads", help=HELP["threads"]),
    as_json: bool = typer.Option(False, "--json", metavar=FLAG, help=HELP["json"]),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar=FLAG, help=HELP["quiet"]),
    executor: str = EXECUTOR,
    address: str | None = ADDRESS,
    workers: int | None = WORKERS,
) -> None:
    """Run the classic experiment (MNIST, MLP 512 ReLU, Adam 1e-3, batch 32, 10 epochs)
    over several seeds and say whether each arm differs from the baseline.

    Examples:
      reglab compare                     # none vs dropout=0.5, 5 seeds
      reglab compare --arms none,l2=1e-4,bn --seeds 10 --epochs 20
      reglab compare --dataset digits --epochs 5 --out runs/digits --json
      reglab compare --data my_data.npz --device cuda:1
      reglab compare --seeds 20 --executor ray --address 10.0.0.5:6379
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
        label_noise=label_noise,
        mc_samples=mc_samples,
        margin=_margin(margin),
        allow_large=allow_large or None,
        tf32=tf32 or None,
    )
    spec = overrides.apply(classic_spec(name), where="the compare options")
    run = Run(executor_kind(executor), address, workers)
    execute(spec, out, threads=threads, quiet=quiet, as_json=as_json, show=_show, run=run)


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
    label_noise: float | None = typer.Option(None, "--label-noise", help=HELP["label_noise"]),
    mc_samples: int | None = typer.Option(None, "--mc-samples", help=HELP["mc_samples"]),
    margin: float | None = typer.Option(None, "--margin", help=_MARGIN_HELP),
    allow_large: bool = typer.Option(
        False, "--allow-large", metavar=FLAG, help="Lift the sanity limits on a study's size."
    ),
    tf32: bool = typer.Option(False, "--tf32", metavar=FLAG, help=_TF32_HELP),
    threads: int | None = typer.Option(None, "--threads", help=HELP["threads"]),
    as_json: bool = typer.Option(False, "--json", metavar=FLAG, help=HELP["json"]),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar=FLAG, help=HELP["quiet"]),
    executor: str = EXECUTOR,
    address: str | None = ADDRESS,
    workers: int | None = WORKERS,
) -> None:
    """Run (or resume) the study a TOML spec describes, then summarize and report it.

    Options override the spec (the same overrides as `reglab compare` and run_study()).

    Examples:
      reglab run examples/ablation.toml
      reglab run examples/sweeps.toml --seeds 2 --epochs 1 --dataset digits
      reglab run examples/classic.toml --hidden 256,128 --batch-size 128 --json > summary.json
      reglab run examples/ablation.toml --executor ray --address auto
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
        label_noise=label_noise,
        mc_samples=mc_samples,
        margin=_margin(margin),
        allow_large=allow_large or None,
        tf32=tf32 or None,
    )
    run = Run(executor_kind(executor), address, workers)
    execute(
        overrides.apply(spec),
        out,
        threads=threads,
        quiet=quiet,
        as_json=as_json,
        show=_show,
        run=run,
    )


def _margin(pp: float | None) -> float | None:
    """--margin in pp as the spec's margin (metric units: 0.5 pp -> 0.005)."""
    from reglab.errors import invalid

    if pp is None:
        return None
    if not 0 < pp < float("inf"):
        raise invalid("margin", "compare", "a number of percentage points in (0, inf)", pp)
    return pp / 100


def techniques_command() -> None:
    """List the techniques of the arm syntax, what each does, and its source."""
    from rich.console import Console  # rich: on use (`reglab --help` skips it)
    from rich.table import Table

    table = Table(title="Techniques (arm syntax; combine with '+')")
    for col in ("arm", "what it does", "reference"):
        table.add_column(col)
    table.add_row("none", "No regularization (the usual baseline).", "")
    for key in ARM_KEYS:
        value = {int: "3", str: "shift2"}.get(key.kind, "X") if key.kind else ""
        example = f"{key.key}={value}" if value else key.key
        table.add_row(example, key.summary, key.reference)
    Console().print(table)


def _show(result: StudyResult) -> None:
    """The verdict table (the report's numbers, formatted as the report writes them), the
    report's one-paragraph answer, and where the results are."""
    from rich.console import Console  # rich: on use (`reglab --help` skips it)

    from reglab.report import answer  # heavy (matplotlib): import on use

    console = Console()
    if console.width < 130:  # the table needs ~125 columns; never squeeze the verdicts out
        console = Console(width=130)
    console.print(_verdict_table(result.summary))
    console.print(answer(result.summary), markup=False, highlight=False)
    console.print(f"results: {result.directory}  (report: {result.report_path})")


def _verdict_table(s: StudySummary) -> Table:
    """One row per arm: n (diverged), the metric with its CI, Δ with its CI, the verdict's
    p (Holm), Wilcoxon's Holm p (marked when it disagrees), the verdict."""
    from rich import box
    from rich.table import Table

    from reglab.report import numbers
    from reglab.report.sections import _metric as m

    table = Table(
        title=f"{m.name(s)[0].upper()}{m.name(s)[1:]} over {m.many(s.n_seeds, 'paired seed')}, baseline "
        f"{s.baseline}: mean [95% CI]",
        box=box.SIMPLE_HEAD,
    )
    for col in ("arm", "n", f"{m.short(s)} [95% CI]", "gap", f"Δ vs {s.baseline} [95% CI]"):
        table.add_column(col, justify="left" if col == "arm" else "right", no_wrap=True)
    table.add_column("p (Holm)", justify="right", no_wrap=True)
    table.add_column("Wilcoxon (Holm)", justify="right", no_wrap=True)
    table.add_column("verdict", justify="left", no_wrap=True)
    for arm in s.arms:
        stat, vs = arm.stat(s.metric), arm.vs_baseline
        n = str(arm.n) + (f" ({arm.n_diverged} diverged)" if arm.n_diverged else "")
        value = (
            "diverged" if arm.diverged else f"{m.value(s, stat.mean)} {m.interval(s, stat.ci95)}"
        )
        delta = p = w = "—"
        if vs is not None and vs.delta is not None:
            delta = f"{m.delta(s, vs.delta)} {m.interval_delta(s, vs.ci95)}"
        if vs is not None and vs.p_value is not None:
            p = f"{numbers.p_value(vs.p_value)} ({numbers.p_value(vs.p_holm)})"
            w = numbers.p_value(vs.p_wilcoxon_holm) + (" disagrees" if vs.disagree else "")
        verdict = vs.verdict if vs is not None else (
            "baseline" if arm.name == s.baseline else "not compared"
        )  # fmt: skip
        shown = "baseline (diverged)" if arm.name == s.baseline and arm.diverged else verdict
        table.add_row(arm.name, n, value, numbers.plain_pp(arm.gap.mean), delta, p, w, shown)
    return table
