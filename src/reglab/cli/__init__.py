"""The `reglab` command line: thin typed commands over the library.

    reglab compare --seeds 5                 # the classic Dropout-vs-none experiment
    reglab data info mnist                   # split sizes, class counts, checksum
    reglab --debug ...                       # show tracebacks for errors

Errors that reglab raises on purpose (:class:`reglab.errors.ReglabError`) print as one line
on stderr with exit status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys

import typer

from reglab.cli._app import app, state
from reglab.errors import ReglabError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and ``python -m reglab``."""
    args = sys.argv[1:] if argv is None else argv
    state.debug = "--debug" in args
    try:
        app(args=args, prog_name="reglab", standalone_mode=False)
    except ReglabError as err:
        if state.debug:
            raise
        typer.secho(f"error: {err}", err=True, fg=typer.colors.RED)
        return 2
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("interrupted: finished runs are saved; run the same command to resume", err=True)
        return 130
    except Exception as err:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(err, click.exceptions.Exit):
            return err.exit_code
        if isinstance(err, click.ClickException):
            err.show()
            return err.exit_code
        raise
    return 0
