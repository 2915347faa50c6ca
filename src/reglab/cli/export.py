"""``reglab export``: a study's results in the format of another tool.

reglab export tensorboard runs/quickstart              # -> runs/quickstart/tensorboard/
reglab export tensorboard runs/quickstart --out logs   # then: tensorboard --logdir logs
"""

from __future__ import annotations

from pathlib import Path

import typer

# reglab.export (tensorboardX, pandas) is imported inside the command so that `reglab --help`
# and the other command groups start fast.

__all__ = ["export_app"]

export_app = typer.Typer(
    help="Export a study's results to other tools (TensorBoard).", no_args_is_help=True
)


@export_app.command("tensorboard")
def tensorboard_command(
    study_dir: Path = typer.Argument(..., help="A study directory (holds runs.csv, epochs.csv)."),
    out: Path | None = typer.Option(
        None, "--out", help="Log directory to write (default: STUDY_DIR/tensorboard)."
    ),
) -> None:
    """Write TensorBoard event files: per-epoch curves per run, and an HPARAMS table.

    Example: reglab export tensorboard runs/quickstart && tensorboard --logdir runs/quickstart/tensorboard
    """
    from reglab.export import export_tensorboard

    result = export_tensorboard(study_dir, out=out)
    typer.echo(f"wrote {len(result.run_dirs)} runs to {result.logdir}")
    typer.echo(f"view: tensorboard --logdir {result.logdir}")
