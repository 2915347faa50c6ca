"""The Typer application and its command registrations (one module per command group)."""

from __future__ import annotations

from typing import Any

import typer
import typer.core

from reglab.cli._shared import FLAG, state

__all__ = ["FLAG", "app", "state"]


app = typer.Typer(
    name="reglab",
    help="A lab for regularization in deep learning: many seeds, batched training, "
    "honest statistics.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _flag_type(self: typer.core.TyperOption, ctx: Any) -> str | None:
    """Typer's own flags (--help, --install-completion) have no metavar to set: show none."""
    if self.is_flag and self.metavar is None:
        return ""
    return _typer_type(self, ctx)


_typer_type = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]


def _version(show: bool) -> None:
    if show:
        from importlib.metadata import version

        typer.echo(f"reglab {version('reglab')}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(
        False, "--debug", metavar=FLAG, help="Show tracebacks for errors (anywhere on the line)."
    ),
    show_version: bool = typer.Option(
        False,
        "--version",
        metavar=FLAG,
        is_eager=True,
        callback=_version,
        help="Print reglab's version and exit.",
    ),
) -> None:
    state.debug = state.debug or debug  # main() already saw a --debug anywhere on the line


from reglab.cli.data import data_app  # noqa: E402

app.add_typer(data_app, name="data")

from reglab.cli.biasvar import biasvar_command  # noqa: E402

app.command("biasvar")(biasvar_command)

from reglab.cli.study import compare_command, run_command, techniques_command  # noqa: E402

app.command("compare")(compare_command)
app.command("run")(run_command)
app.command("techniques")(techniques_command)

from reglab.cli.export import export_app  # noqa: E402

app.add_typer(export_app, name="export")

from reglab.cli.report import report_command  # noqa: E402

app.command("report")(report_command)

from reglab.cli.learning_curve import learning_curve_command  # noqa: E402

app.command("learning-curve")(learning_curve_command)

from reglab.cli.ls import ls_command  # noqa: E402

app.command("ls")(ls_command)

from reglab.cli.diff import diff_command  # noqa: E402

app.command("diff")(diff_command)

from reglab.cli.demo import demo_command  # noqa: E402

app.command("demo")(demo_command)
