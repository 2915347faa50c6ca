"""The `reglab` command line: thin typed commands over the library.

    reglab compare --seeds 5                 # the classic Dropout-vs-none experiment
    reglab data info mnist                   # split sizes, class counts, checksum
    reglab --debug ...                       # show tracebacks for errors

Exit codes (stable): 0 ok; 2 bad input or a fault of the machine (a
:class:`reglab.errors.ReglabError`, a usage error, or any ``OSError``: a full disk, a read-only
folder, no permission), printed as one line on stderr (``--debug`` shows the traceback); 130
interrupted (Ctrl-C; a study prints the command that resumes it); 1 a bug (the traceback is
printed). Files are written atomically, so a fault loses nothing already saved.
"""

from __future__ import annotations

import errno
import os
import sys

import typer

from reglab.cli._app import app, state
from reglab.errors import ReglabError

__all__ = ["app", "main", "os_error_line"]

_HINTS = {
    errno.ENOSPC: "free some space and run the same command again: finished work is kept",
    errno.EDQUOT: "free some space and run the same command again: finished work is kept",
    errno.EROFS: "the folder is read-only; its files are intact (copy it somewhere writable "
    "to write into it, or give --out a writable folder)",
    errno.EACCES: "choose a folder you may write to (--out), or fix its permissions",
    errno.EPERM: "choose a folder you may write to (--out), or fix its permissions",
}


def os_error_line(err: OSError) -> str:
    """One line for an OSError: what failed, on which path, the errno's meaning, what to do.

    >>> os_error_line(OSError(errno.ENOSPC, "No space left on device", "runs/x/runs.csv"))
    "cannot use 'runs/x/runs.csv': No space left on device (ENOSPC); free some space ..."
    """
    code = err.errno if isinstance(err.errno, int) else None
    meaning = err.strerror or (os.strerror(code) if code is not None else str(err))
    name = errno.errorcode.get(code, "") if code is not None else ""
    paths = [p for p in (err.filename, err.filename2) if p is not None]
    where = " -> ".join(repr(os.fsdecode(p)) for p in paths) or "a file"
    line = f"cannot use {where}: {meaning}" + (f" ({name})" if name else "")
    hint = _HINTS.get(code) if code is not None else None
    return f"{line}; {hint}." if hint else f"{line}."


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
    except OSError as err:  # a fault of the machine (disk full, read-only, no permission)
        if state.debug:
            raise
        typer.secho(f"error: {os_error_line(err)}", err=True, fg=typer.colors.RED)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted: finished runs are saved; run the same command to resume", err=True)
        return 130
    return 0
