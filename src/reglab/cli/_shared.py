"""What every command module shares, kept apart from the app that registers them (so no
command imports the module that imports it): the run's state and the flag metavar."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FLAG", "state"]


@dataclass
class _State:
    debug: bool = False
    argv: list[str] = field(default_factory=list)  # the command line (for resume hints)


state = _State()

# A flag takes no value: an empty metavar keeps Typer from printing "<bool>" after it in --help.
FLAG = ""
