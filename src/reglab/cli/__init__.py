"""The `reglab` command line: thin typed commands over the library.

    reglab compare --seeds 5                 # the classic Dropout-vs-none experiment
    reglab data info mnist                   # split sizes, class counts, checksum
    reglab --debug ...                       # show tracebacks for errors

Exit codes (stable): 0 ok; 2 bad input (a :class:`reglab.errors.ReglabError` or a usage
error, printed as one line on stderr; ``--debug`` shows the traceback); 130 interrupted
(Ctrl-C; a study prints the command that resumes it); 1 a bug (the traceback is printed).
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
    # --debug may stand anywhere (`reglab compare --debug ...`): it is taken out before Typer
    # parses the line, so every subcommand accepts it without declaring it.
    state.debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    state.argv = list(args)
    try:
        # standalone mode: typer itself reports usage errors (exit 2) and --help (exit 0)
        app(args=args, prog_name="reglab", standalone_mode=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except ReglabError as err:
        if state.debug:
            raise
        typer.secho(f"error: {err}", err=True, fg=typer.colors.RED)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted: finished runs are saved; run the same command to resume", err=True)
        return 130
    return 0
