"""Progress of a study: a live bar on a terminal, plain per-epoch lines otherwise.

The runner reports through the small :class:`Progress` protocol, so a notebook can pass its
own (or ``QuietProgress``) and tests can record events::

    >>> progress = make_progress()          # RichProgress on a terminal, else LogProgress
    >>> progress.start(Outlook(packs=5, runs=50, epochs=10, done=(1, 2, 3), runs_done=30))
    resuming: packs 1–3 of 5 already done (30 of 50 runs)

On a terminal the bar moves within each epoch (training steps), and shows the runs finished,
the elapsed time and the time left for the whole study; a line is printed after each epoch.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichBar

from reglab.engine import EpochRecord

__all__ = [
    "LogProgress",
    "Outlook",
    "Progress",
    "QuietProgress",
    "RichProgress",
    "make_progress",
    "reused_packs",
]


@dataclass(frozen=True)
class Outlook:
    """What a study session has ahead: ``packs`` packs of ``runs`` runs in all, up to
    ``epochs`` epochs each; ``done`` are the 1-based positions of packs already finished
    (a resume) and ``runs_done`` the runs they hold."""

    packs: int
    runs: int
    epochs: int
    done: tuple[int, ...] = ()
    runs_done: int = 0


class Progress(Protocol):
    def start(self, outlook: Outlook) -> None: ...
    def pack(self, index: int, label: str, members: int) -> None: ...
    def steps(self, done: int, total: int) -> None: ...
    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


class QuietProgress:
    def start(self, outlook: Outlook) -> None: ...
    def pack(self, index: int, label: str, members: int) -> None: ...
    def steps(self, done: int, total: int) -> None: ...
    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


def reused_packs(outlook: Outlook) -> str:
    """'resuming: packs 1–3 of 5 already done (30 of 50 runs)', or '' for a fresh study."""
    if not outlook.done:
        return ""
    return (
        f"resuming: {_positions(outlook.done)} of {outlook.packs} already done "
        f"({outlook.runs_done} of {outlook.runs} runs)"
    )


def _positions(done: Sequence[int]) -> str:
    """(1, 2, 3, 5) -> 'packs 1–3, 5'; (2,) -> 'pack 2'."""
    spans: list[list[int]] = []
    for k in sorted(done):
        if spans and k == spans[-1][1] + 1:
            spans[-1][1] = k
        else:
            spans.append([k, k])
    text = ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in spans)
    return f"pack {text}" if len(done) == 1 else f"packs {text}"


def _best(records: list[EpochRecord | None]) -> str:
    live = [r for r in records if r is not None]
    if not live:
        return "all members stopped"
    best = max(r.val_acc for r in live)  # this epoch's, not the best so far
    return f"val acc {best:.4f} (best member), {len(live)} training"


class _Count:
    """Which pack of the study is running (numbered after the reused ones) and runs done."""

    def __init__(self) -> None:
        self.outlook = Outlook(0, 0, 1)
        self.position, self.members, self.runs_done = 0, 0, 0
        self.label = ""

    def start(self, outlook: Outlook) -> None:
        self.outlook, self.position = outlook, len(outlook.done)
        self.runs_done = outlook.runs_done

    def pack(self, label: str, members: int) -> None:
        self.runs_done += self.members  # the previous pack (if any) has finished
        self.position, self.members = self.position + 1, members
        self.label = f"pack {self.position}/{self.outlook.packs} [{label}, {members} runs]"


class LogProgress:
    """One line per epoch on stderr: for logs, CI and pipes."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.count = _Count()

    def start(self, outlook: Outlook) -> None:
        self.count.start(outlook)
        self._say(f"study: {outlook.runs} runs in {outlook.packs} packs, {outlook.epochs} epochs")
        if outlook.done:
            self._say(reused_packs(outlook))

    def pack(self, index: int, label: str, members: int) -> None:
        self.count.pack(label, members)

    def steps(self, done: int, total: int) -> None: ...

    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None:
        self._say(f"{self.count.label} epoch {epoch}: {_best(records)}")

    def note(self, text: str) -> None:
        self._say(text)

    def finish(self) -> None:
        self._say(f"study finished in {time.perf_counter() - self.t0:.1f} s")

    def _say(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.t0:7.1f}s] {text}", file=sys.stderr, flush=True)


class RichProgress:
    """A live bar on stderr: the pack, steps within the epoch, runs done, elapsed, time left.

    The bar counts pack-epochs (fractions within an epoch), so its time left is the study's.
    """

    def __init__(self, console: Console | None = None) -> None:
        self.bar = RichBar(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("step {task.fields[step]}"),
            TextColumn("runs {task.fields[runs]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=True,
        )
        self.count = _Count()
        self.task = self.bar.add_task("study", total=1, step="-", runs="-")
        self.base, self.epoch_no, self.steps_per_epoch = 0, 0, 0
        self.t0 = time.perf_counter()

    def start(self, outlook: Outlook) -> None:
        self.count.start(outlook)
        total = outlook.packs * outlook.epochs
        done = len(outlook.done) * outlook.epochs
        # a fresh task: its start counts as done, not as speed (the time left stays honest)
        self.bar.remove_task(self.task)
        self.task = self.bar.add_task(
            "study", total=total, completed=done, step="-", runs=self._runs()
        )
        self.bar.start()
        self.note(f"study: {outlook.runs} runs in {outlook.packs} packs, {outlook.epochs} epochs")
        if outlook.done:
            self.note(reused_packs(outlook))

    def pack(self, index: int, label: str, members: int) -> None:
        self.count.pack(label, members)
        self.base = (self.count.position - 1) * self.count.outlook.epochs  # early stops skip
        self.epoch_no = 0
        self.bar.update(
            self.task,
            description=self.count.label,
            completed=self.base,
            runs=self._runs(),
            step="-",
        )

    def steps(self, done: int, total: int) -> None:
        self.steps_per_epoch = total
        self.bar.update(
            self.task, completed=self.base + self.epoch_no + done / total, step=f"{done}/{total}"
        )

    def epoch(self, epoch: int, records: list[EpochRecord | None]) -> None:
        self.epoch_no, total = epoch, self.steps_per_epoch
        self.bar.update(self.task, completed=self.base + epoch, step=f"{total}/{total}")
        self.note(f"{self.count.label} epoch {epoch}: {_best(records)}")

    def note(self, text: str) -> None:
        self.bar.console.print(text, markup=False, highlight=False)

    def finish(self) -> None:
        self.count.pack("", 0)  # the last pack's runs are done
        self.bar.update(self.task, runs=self._runs())
        self.close()
        self.note(f"study finished in {time.perf_counter() - self.t0:.1f} s")

    def close(self) -> None:
        """Stop the live display (also after an interrupt); safe to call twice."""
        self.bar.stop()

    def _runs(self) -> str:
        return f"{self.count.runs_done}/{self.count.outlook.runs}"


def make_progress(quiet: bool = False) -> Progress:
    """Nothing (quiet), a live bar when stderr is a terminal, else one line per epoch."""
    if quiet:
        return QuietProgress()
    return RichProgress() if sys.stderr.isatty() else LogProgress()
