"""What a report reads from a study directory, loaded once and held together.

A study directory (``reglab run`` / ``reglab compare``) has runs.csv, epochs.csv, packs and
summary.json; a bias–variance directory (``reglab biasvar``) has biasvar.json; a directory
may hold both. The report reads summary.json as the analysis step wrote it and never writes
it: a study without a current summary.json is refused (``reglab report`` computes it first
through :func:`reglab.analysis.summary.write_summary`)::

    >>> inputs = load_inputs("runs/quickstart")
    >>> [a.name for a in inputs.arms], inputs.biasvar is None
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reglab.analysis.results import ArmSummary, StudySummary
from reglab.analysis.summary import load_summary, summary_is_current
from reglab.errors import StudyError
from reglab.store import StudyDir

__all__ = ["ReportInputs", "load_inputs"]


@dataclass(frozen=True, eq=False)
class ReportInputs:
    """Everything one report shows. ``summary`` is None for a bias–variance-only folder."""

    root: Path
    summary: StudySummary | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    epochs: pd.DataFrame = field(default_factory=pd.DataFrame)
    hist: dict[str, np.ndarray] = field(default_factory=dict)
    biasvar: dict[str, Any] | None = None

    @property
    def arms(self) -> tuple[ArmSummary, ...]:
        """The summary's arms, in study order (empty without a study)."""
        return () if self.summary is None else self.summary.arms

    @property
    def baseline(self) -> str | None:
        return None if self.summary is None else self.summary.baseline

    def arm(self, name: str) -> ArmSummary:
        assert self.summary is not None, "only a study has arms"
        return self.summary.arm(name)

    def ok_epochs(self) -> pd.DataFrame:
        """epochs.csv without the runs that diverged (their curves hold NaN or inf)."""
        if self.epochs.empty or self.runs.empty:
            return self.epochs
        ok = set(self.runs.loc[self.runs["status"] == "ok", "run_id"])
        return self.epochs[self.epochs["run_id"].isin(ok)]


def load_inputs(root: str | Path) -> ReportInputs:
    """Read a study and/or bias–variance directory (summary.json must be current)."""
    path = Path(root)
    if not path.exists():
        raise StudyError(f"{str(path)!r} does not exist: give a reglab study directory.")
    if not path.is_dir():
        raise StudyError(f"{str(path)!r} is not a directory: give a reglab study directory.")
    store = StudyDir(path)
    biasvar = store.read_json("biasvar.json")
    if not (path / "runs.csv").exists():
        if biasvar is None:
            raise StudyError(
                f"{str(path)!r} is not a reglab study: it has neither runs.csv nor biasvar.json."
            )
        return ReportInputs(root=path, biasvar=biasvar)
    summary = load_summary(store) if summary_is_current(store) else None
    if summary is None:
        raise StudyError(
            f"{str(path)!r} has no summary.json newer than its runs.csv: summarize it first "
            "(`reglab report` does; in Python, reglab.analysis.summary.write_summary)."
        )
    return ReportInputs(
        root=path,
        summary=summary,
        manifest=store.read_json("manifest.json") or {},
        spec=_spec(path / "spec.toml"),
        runs=store.runs(),
        epochs=_epochs(path, store),
        hist=store.arrays("hist"),
        biasvar=biasvar,
    )


def _spec(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise StudyError(f"{str(path)!r} is not valid TOML ({err}).") from None


def _epochs(path: Path, store: StudyDir) -> pd.DataFrame:
    return store.epochs() if (path / "epochs.csv").exists() else pd.DataFrame()
