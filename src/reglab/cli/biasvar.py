"""``reglab biasvar``: does a technique trade variance for bias? Retrain on bootstraps, decompose.

reglab biasvar --technique l2 --strengths 0,1e-4,1e-3 --rounds 11 --epochs 10
reglab biasvar --dataset digits --val-size 300 --technique dropout --rounds 5 --epochs 5

The runs train through the study runner (reglab.study.run_plan), so OUT resumes after a kill.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from reglab.cli._executor import ADDRESS, EXECUTOR, WORKERS, executor_kind
from reglab.config import DataConfig, ModelConfig
from reglab.errors import invalid

DEFAULT_ROUNDS = 11  # = reglab.analysis.biasvar.DEFAULT_ROUNDS (odd); kept light for --help

if TYPE_CHECKING:
    from reglab.api import BiasVarianceProgress, BiasVarianceResult

# reglab.api (torch, numpy) is imported inside the command so that `reglab --help` and the
# other command groups start fast.

__all__ = ["biasvar_command"]

_OWNER = "reglab biasvar"
_N = TypeVar("_N", int, float)


def biasvar_command(
    dataset: str = typer.Option("mnist", "--dataset", help="Dataset: mnist, digits or synthetic."),
    technique: str = typer.Option(
        "l2", "--technique", help="One of dropout, indrop, l1, l2, wd, maxnorm."
    ),
    strengths: str | None = typer.Option(
        None,
        "--strengths",
        help="Comma-separated strengths; 0 means the technique off. Default per technique: "
        "l1/l2 0,1e-5,1e-4,1e-3; wd 0,1e-3,1e-2,1e-1; dropout 0,0.2,0.5,0.8; "
        "indrop 0,0.1,0.2,0.5; maxnorm 4,3,2,1.",
    ),
    rounds: int = typer.Option(
        DEFAULT_ROUNDS,
        "--rounds",
        help="Bootstrap models per strength (>= 2; odd avoids ties in the main prediction).",
    ),
    epochs: int = typer.Option(10, "--epochs", help="Epochs per model."),
    out: Path | None = typer.Option(
        None, "--out", help="Output folder (default: runs/biasvar-<technique>)."
    ),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    batch_size: int = typer.Option(32, "--batch-size", help="Minibatch size."),
    val_size: int | None = typer.Option(
        None,
        "--val-size",
        help="Validation examples held out of the training set "
        "(default: 10000 for mnist, 300 for digits, 500 for synthetic).",
    ),
    train_subset: int | None = typer.Option(
        None, "--train-subset", help="Train on only this many examples (shows overfitting)."
    ),
    hidden: str = typer.Option("512", "--hidden", help="Hidden widths, e.g. 512 or 256,128."),
    seed: int = typer.Option(0, "--seed", help="Round r uses seed SEED + r at every strength."),
    executor: str = EXECUTOR,
    address: str | None = ADDRESS,
    workers: int | None = WORKERS,
) -> None:
    """Measure bias and variance of the test error across a technique's strengths.

    Per strength, ROUNDS models train on bootstrap resamples of the training set.

    Test errors are decomposed: 0-1 loss per Domingos 2000 (as mlxtend); squared for regression.

    Writes OUT/biasvar.json (the numbers) and OUT/predictions.npz (pred [S, R, N], y).
    OUT is a resumable study folder (spec.toml, plan.json, packs/, manifest.json): running
    the same command again after an interruption finishes the runs; other settings there
    are refused.

    Example: reglab biasvar --technique l2 --strengths 0,1e-4,1e-3 --rounds 11 --epochs 10
    """
    from reglab.api import DEFAULT_STRENGTHS, run_biasvar
    from reglab.data import SUGGESTED_VAL_SIZE, check_name

    check_name(dataset)
    values = (
        list(DEFAULT_STRENGTHS.get(technique, ()))
        if strengths is None
        else _numbers(strengths, "strengths", float)
    )
    data = DataConfig(
        dataset,
        val_size=SUGGESTED_VAL_SIZE[dataset] if val_size is None else val_size,
        train_subset=train_subset,
    )
    model = ModelConfig(hidden=tuple(_numbers(hidden, "hidden", int)))
    where = out if out is not None else Path("runs") / f"biasvar-{technique}"
    with _progress() as report:
        result = run_biasvar(
            data,
            technique,
            values,
            rounds,
            epochs,
            model=model,
            batch_size=batch_size,
            device=device,
            base_seed=seed,
            progress=report,
            out=where,
            executor=executor_kind(executor),
            address=address,
            workers=workers,
        )
    for line in _table(result):
        typer.echo(line)
    typer.echo("")
    for name in ("biasvar.json", "predictions.npz"):
        typer.echo(f"wrote {where / name}")


def _numbers(text: str, param: str, kind: Callable[[str], _N]) -> list[_N]:
    """Parse a comma-separated flag value; a bad item names the flag and the text."""
    try:
        return [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        what = "numbers such as '0,1e-4,1e-3'" if kind is float else "ints such as '256,128'"
        raise invalid(f"--{param}", _OWNER, f"comma-separated {what}", text) from None


@contextmanager
def _progress() -> Iterator[Callable[[BiasVarianceProgress], None]]:
    """Progress on stderr: a rich bar on a terminal, plain lines otherwise."""
    if not sys.stderr.isatty():

        def plain(p: BiasVarianceProgress) -> None:
            typer.echo(f"biasvar: {_label(p)}", err=True)

        yield plain
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("training", total=None)

        def rich(p: BiasVarianceProgress) -> None:
            done = (p.pack - 1) * p.epochs + p.epoch
            bar.update(task, completed=done, total=p.packs * p.epochs, description=_label(p))

        yield rich


def _label(p: BiasVarianceProgress) -> str:
    return f"pack {p.pack}/{p.packs} ({p.members} models), epoch {p.epoch}/{p.epochs}"


def _table(result: BiasVarianceResult) -> list[str]:
    """Strength / loss / bias / variance (+ noise or test accuracy), aligned."""
    regression = result.metadata["task"] == "regression"
    extra = "noise" if regression else "test_acc"
    header = ["strength", "loss", "bias", "variance", "net variance", extra, "rounds"]
    rows = [header]
    for p in result.points:
        last = p.noise if regression else p.test_acc
        cells = [p.loss, p.bias, p.variance, p.net_variance, last]
        shown = ["-" if c is None else f"{c:.4f}" for c in cells]
        rows.append([f"{p.strength:g}", *shown, str(p.rounds_used)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    note = "bias is squared bias" if regression else "0-1 loss: loss != bias + variance"
    out = [*lines, f"({note}; {result.metadata['dataset']}, {result.metadata['technique']})"]
    return out + _sentences(result)


def _sentences(result: BiasVarianceResult) -> list[str]:
    """The report's sentences on net variance and the lowest loss (one source of wording)."""
    from reglab.report.sections.biasvar import biasvar_note

    return [t for t in biasvar_note(result.to_json())[:-1] if t]
