"""`reglab ls [DIR]`: the studies in a folder, with their arms, seeds, verdicts and status."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from reglab.cli._shared import FLAG

__all__ = ["ls_command"]


def ls_command(
    root: Path = typer.Argument(Path("runs"), help="A folder of studies (default: runs/)."),
    as_json: bool = typer.Option(False, "--json", metavar=FLAG, help="Print JSON on stdout."),
) -> None:
    """List the studies in DIR: kind, dataset, arms, seeds per arm, verdicts vs the baseline,
    and status (finished, or partial with packs done k/n: run its command again to resume).

    Examples:
      reglab ls
      reglab ls runs/ablations --json
    """
    from reglab.api.listing import list_studies  # heavy (torch): import on use

    entries = list_studies(root)
    if as_json:
        rows = [
            {
                "path": str(e.path),
                "kind": e.kind,
                "dataset": e.dataset,
                "arms": list(e.arms),
                "baseline": e.baseline,
                "n": e.n,
                "verdicts": dict(e.verdicts),
                "status": e.status,
                "packs_done": e.packs_done,
                "packs": e.packs,
            }
            for e in entries
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not entries:
        typer.echo(f"no reglab studies in {root}")
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"Studies in {root}")
    for col in ("study", "kind", "data", "arms", "n", "verdicts vs baseline", "status"):
        table.add_column(col, overflow="fold", no_wrap=col in ("study", "status"))
    for e in entries:
        status = e.status if e.status != "partial" else f"partial: packs {e.packs_done}/{e.packs}"
        verdicts = "; ".join(f"{arm}: {v}" for arm, v in e.verdicts) or "—"
        arms = ", ".join(e.arms) if len(e.arms) <= 6 else f"{len(e.arms)} arms"
        table.add_row(
            str(e.path), e.kind, e.dataset or "—", arms, str(e.n or "—"), verdicts, status
        )
    Console(width=max(Console().width, 120)).print(table)
