"""The Typer application and its command registrations (one module per command group)."""

from __future__ import annotations

from dataclasses import dataclass

import typer

__all__ = ["app", "state"]


@dataclass
class _State:
    debug: bool = False


state = _State()

app = typer.Typer(
    name="reglab",
    help="A lab for regularization in deep learning: many seeds, batched training, "
    "honest statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    state.debug = debug


from reglab.cli.data import data_app  # noqa: E402

app.add_typer(data_app, name="data")
