"""The Typer application and its command registrations (one module per command group)."""

from __future__ import annotations

from dataclasses import dataclass

import typer

__all__ = ["FLAG", "app", "state"]


@dataclass
class _State:
    debug: bool = False


state = _State()

app = typer.Typer(
    name="reglab",
    help="A lab for regularization in deep learning: many seeds, batched training, "
    "honest statistics.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

# A flag takes no value: an empty metavar keeps Typer from printing "<bool>" after it in --help.
FLAG = ""


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

from reglab.cli.demo import demo_command  # noqa: E402

app.command("demo")(demo_command)
