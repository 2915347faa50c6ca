"""`reglab diff A B`: the arms two studies share, side by side, with B - A and its 95% CI."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.table import Table

__all__ = ["diff_command"]


def diff_command(
    a: Path = typer.Argument(..., help="The first study's folder."),
    b: Path = typer.Argument(..., help="The second study's folder."),
) -> None:
    """Compare the arms of study A and study B that have the same name: mean test accuracy
    in each, and B - A with its 95% CI and p.

    Runs of two studies are paired only when both used the same data and the same seeds;
    otherwise they are independent samples (Welch's t-test), and the command says so.

    Examples:
      reglab diff runs/adam runs/sgd
    """
    from reglab.api.diff import diff_studies  # heavy (torch, scipy): import on use
    from reglab.report import numbers

    d = diff_studies(a, b)
    table = Table(box=box.SIMPLE_HEAD, title=f"Test accuracy: A = {a}, B = {b}")
    for col in ("arm", "A [95% CI]", "B [95% CI]", "B - A [95% CI]", "p", "test"):
        table.add_column(
            col, justify="left" if col in ("arm", "test") else "right", no_wrap=col != "test"
        )
    for arm in d.arms:
        delta = "—" if arm.delta is None else numbers.pp(arm.delta)
        if arm.ci95[0] is not None:
            delta += f" {numbers.interval_pp(arm.ci95)}"
        table.add_row(
            arm.arm,
            f"{numbers.pct(arm.a.mean)} {numbers.interval_pct(arm.a.ci95)} (n={arm.n_a})",
            f"{numbers.pct(arm.b.mean)} {numbers.interval_pct(arm.b.ci95)} (n={arm.n_b})",
            delta,
            numbers.p_value(arm.p_value) if arm.p_value is not None else "—",
            arm.test,
        )
    console = Console(width=max(Console().width, 120))
    if not d.arms:
        console.print("The studies share no arm name: nothing to compare.")
    else:
        console.print(table)
    pairing = "paired" if d.paired else "NOT paired (independent samples)"
    console.print(f"Runs are {pairing}: {d.why}.", markup=False, highlight=False)
    for label, names in (("only in A", d.only_a), ("only in B", d.only_b)):
        if names:
            console.print(f"{label}: {', '.join(names)}", markup=False, highlight=False)
