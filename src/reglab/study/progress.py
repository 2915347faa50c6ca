"""Progress of a study: a live rich display on a terminal, plain log lines otherwise.

The runner reports through the small :class:`Progress` protocol, so a notebook can pass its
own (or ``QuietProgress``) and tests can record events.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBar

from reglab.engine import EpochRecord

__all__ = ["LogProgress", "Progress", "QuietProgress", "RichProgress", "make_progress"]


class Progress(Protocol):
    def start(self, packs: int, runs: int, epochs: int, resumed: int) -> None: ...
    def pack(self, index: int, label: str, members: int) -> None: ...
    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


class QuietProgress:
    def start(self, packs: int, runs: int, epochs: int, resumed: int) -> None: ...
    def pack(self, index: int, label: str, members: int) -> None: ...
    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


def _best(records: list[EpochRecord | None]) -> str:
    live = [r for r in records if r is not None]
    if not live:
        return "all members stopped"
    best = max(r.val_acc for r in live)
    return f"best val acc {best:.4f}, {len(live)} training"


class LogProgress:
    """One line per epoch on stderr: for logs, CI and pipes."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.label, self.total, self.done = "", 0, 0

    def start(self, packs: int, runs: int, epochs: int, resumed: int) -> None:
        self.total = packs
        extra = f" ({resumed} already done, resuming)" if resumed else ""
        self._say(f"study: {runs} runs in {packs} packs, {epochs} epochs each{extra}")

    def pack(self, index: int, label: str, members: int) -> None:
        self.done += 1
        self.label = f"pack {self.done}/{self.total} [{label}, {members} runs]"

    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None:
        self._say(f"{self.label} epoch {epoch}: {_best(records)}")

    def note(self, text: str) -> None:
        self._say(text)

    def finish(self) -> None:
        self._say(f"study finished in {time.perf_counter() - self.t0:.1f} s")

    def _say(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.t0:7.1f}s] {text}", file=sys.stderr, flush=True)


class RichProgress:
    """A live display: packs and epochs done, elapsed and remaining time, best val so far."""

    def __init__(self) -> None:
        self.bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task("study", total=1)
        self.epochs, self.label, self.base, self.started = 1, "", 0, 0

    def start(self, packs: int, runs: int, epochs: int, resumed: int) -> None:
        self.epochs, self.started = epochs, resumed
        self.bar.update(self.task, total=packs * epochs, completed=resumed * epochs)
        self.bar.start()
        if resumed:
            self.note(f"resuming: {resumed} of {packs} packs already done")

    def pack(self, index: int, label: str, members: int) -> None:
        self.label = f"{label} ({members} runs)"
        self.base = self.started * self.epochs  # a pack that stops early skips its rest
        self.started += 1
        self.bar.update(self.task, description=self.label, completed=self.base)

    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None:
        self.bar.update(
            self.task,
            completed=self.base + epoch,
            description=f"{self.label} epoch {epoch}: {_best(records)}",
        )

    def note(self, text: str) -> None:
        self.bar.console.print(text)

    def finish(self) -> None:
        self.bar.stop()


def make_progress(quiet: bool = False) -> Progress:
    if quiet:
        return QuietProgress()
    return RichProgress() if sys.stderr.isatty() else LogProgress()
