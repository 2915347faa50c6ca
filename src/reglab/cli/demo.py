"""`reglab demo`: run a demonstration (a normal, resumable study with its report), list them,
or run them all and regenerate the guide."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from reglab.cli._shared import FLAG

__all__ = ["demo_command"]


def demo_command(
    name: str | None = typer.Argument(None, help="The demo to run (see --list)."),
    show_list: bool = typer.Option(
        False, "--list", metavar=FLAG, help="List the demos with their expected times."
    ),
    run_all: bool = typer.Option(False, "--all", metavar=FLAG, help="Run every demo."),
    guide: Path | None = typer.Option(
        None, "--guide", help="With --all: write the guide (e.g. docs/guide.md) from the results."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Demo folder (default runs/demos/NAME; with --all, the parent)."
    ),
    quick: bool = typer.Option(
        False, "--quick", metavar=FLAG, help="A tiny setting that runs in seconds (for CI)."
    ),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar=FLAG, help="No progress output."),
) -> None:
    """Run a demonstration: one homework question answered by a measurement.

    Examples:
      reglab demo --list
      reglab demo sparsity                       # runs/demos/sparsity/ and its reports
      reglab demo early-stopping --quick         # seconds: a tiny setting
      reglab demo --all --guide docs/guide.md    # every demo, then the guide
    """
    from reglab.demos import DEMOS, default_demo_out, get_demo, run_demo, write_guide
    from reglab.errors import ConfigError

    if show_list:
        _list()
        return
    if guide is not None and not run_all:
        raise ConfigError("--guide needs --all: the guide is made from every demo's results.")
    if run_all == (name is not None):
        raise ConfigError("Give one demo NAME, or --all, or --list (see `reglab demo --list`).")
    names = [d.name for d in DEMOS] if run_all else [get_demo(str(name)).name]
    results = {}
    console = Console()
    for n in names:
        where = out / n if (out is not None and run_all) else out
        where = where if where is not None else default_demo_out(get_demo(n), quick)
        console.print(f"demo {n}: {where}", highlight=False)
        result = run_demo(n, where, quick=quick, device=device, quiet=quiet)
        results[n] = result
        for check in result.checks:
            mark = "holds" if check.held else "does NOT hold"
            console.print(f"  {mark}: {check.claim} ({check.detail})", highlight=False)
        console.print(f"  {result.seconds:.0f} s; {where / 'demo.md'}", highlight=False)
    if guide is not None:
        console.print(f"guide: {write_guide(guide, results)}", highlight=False)


def _list() -> None:
    """One line per demo: number, name, expected time on 2 CPU cores and on a GPU, summary."""
    from reglab.demos import DEMOS
    from reglab.demos.base import duration

    typer.echo(f"{'#':>3}  {'name':<15} {'2 CPU cores':>11}  {'GPU':<12}  what it shows")
    for d in DEMOS:
        gpu = "not measured" if d.gpu_seconds is None else f"~{d.gpu_seconds:.0f} s"
        cpu = duration(d.cpu_seconds)
        typer.echo(f"{d.number:>3}  {d.name:<15} {cpu:>11}  {gpu:<12}  {d.summary}")
