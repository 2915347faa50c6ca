"""What a learning curve's report reads: each training-set size's study summary, side by side.

A curve's root (``reglab learning-curve``) holds ``learning_curve_spec.toml`` (its identity)
and one study per size in ``n-<size>/``; the report reads each size's summary.json as a
:class:`~reglab.analysis.results.StudySummary` (sizes without one yet are left out and named)
and never writes it::

    >>> curve = load_curve("runs/lc")
    >>> curve.sizes, curve.arms, curve.baseline
    ((100, 300, 1000), ('none', 'dropout=0.5'), 'none')
    >>> curve.summaries[1000].arm("dropout=0.5").test_acc.mean
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reglab.analysis.results import ArmSummary, StudySummary
from reglab.analysis.summary import load_summary, summary_is_current
from reglab.errors import StudyError
from reglab.store import StudyDir
from reglab.study.experiments.learning_curve import SPEC_FILE

__all__ = ["CurveInputs", "is_curve", "load_curve", "size_dirs"]

_SIZE_DIR = re.compile(r"n-(\d+)")


@dataclass(frozen=True, eq=False)
class CurveInputs:
    """A curve's spec (without train_subset) and the summaries of its finished sizes."""

    root: Path
    spec: dict[str, Any]
    summaries: dict[int, StudySummary]  # ascending sizes
    pending: tuple[int, ...] = field(default=())  # sizes whose study has no summary yet

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(self.summaries)

    @property
    def largest(self) -> StudySummary:
        return self.summaries[self.sizes[-1]]

    @property
    def arms(self) -> tuple[str, ...]:
        """Arm names in study order (the largest size's)."""
        return tuple(a.name for a in self.largest.arms)

    @property
    def baseline(self) -> str:
        return self.largest.baseline

    def arm_at(self, size: int, arm: str) -> ArmSummary | None:
        """The arm's summary at one size, None where that size's study lacks it."""
        return next((a for a in self.summaries[size].arms if a.name == arm), None)


def is_curve(root: str | Path) -> bool:
    """True for a learning curve's root (it holds learning_curve_spec.toml)."""
    return (Path(root) / SPEC_FILE).is_file()


def size_dirs(root: str | Path) -> dict[int, Path]:
    """Each size's study directory (``n-<size>``) under a curve's root, by ascending size."""
    found = {}
    for path in Path(root).iterdir():
        match = _SIZE_DIR.fullmatch(path.name)
        if match and path.is_dir():
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))


def load_curve(root: str | Path) -> CurveInputs:
    """Read a curve's root; refuse one with no finished size (nothing to show yet)."""
    path = Path(root)
    if not is_curve(path):
        raise StudyError(f"{str(path)!r} is not a reglab learning curve: it has no {SPEC_FILE}.")
    spec = tomllib.loads((path / SPEC_FILE).read_text(encoding="utf-8"))
    summaries: dict[int, StudySummary] = {}
    pending: list[int] = []
    for size, study in size_dirs(path).items():
        store = StudyDir(study)
        summary = load_summary(store) if summary_is_current(store) else None
        if summary is None or not summary.arms:
            pending.append(size)
        else:
            summaries[size] = summary
    if not summaries:
        raise StudyError(
            f"{str(path)!r} is a learning curve with no finished size yet: run "
            "`reglab learning-curve` again with the same options to resume it."
        )
    return CurveInputs(path, spec, summaries, tuple(pending))
