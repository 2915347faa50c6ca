"""What a report reads from a study directory, loaded once and held together.

A study directory (``reglab run`` / ``reglab compare``) has runs.csv, epochs.csv, packs and
summary.json (computed here when missing); a bias–variance directory (``reglab biasvar``)
has biasvar.json; a directory may hold both::

    >>> inputs = load_inputs("runs/quickstart")
    >>> [a["name"] for a in inputs.arms], inputs.biasvar is None
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reglab.analysis.summary import write_summary
from reglab.arms import ARM_KEYS, parse_arm
from reglab.config import Regularization
from reglab.errors import ConfigError, StudyError
from reglab.store import StudyDir

__all__ = ["ReportInputs", "SweepPoint", "load_inputs", "sweep_points"]


@dataclass(frozen=True, eq=False)
class ReportInputs:
    """Everything one report shows. ``summary`` is None for a bias–variance-only folder."""

    root: Path
    summary: dict[str, Any] | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    epochs: pd.DataFrame = field(default_factory=pd.DataFrame)
    hist: dict[str, np.ndarray] = field(default_factory=dict)
    biasvar: dict[str, Any] | None = None

    @property
    def arms(self) -> list[dict[str, Any]]:
        """The summary's arm entries, in study order (empty without a study)."""
        return [] if self.summary is None else list(self.summary["arms"])

    @property
    def baseline(self) -> str | None:
        return None if self.summary is None else self.summary["baseline"]

    def arm(self, name: str) -> dict[str, Any]:
        return next(a for a in self.arms if a["name"] == name)

    def ok_epochs(self) -> pd.DataFrame:
        """epochs.csv without the runs that diverged (their curves hold NaN or inf)."""
        if self.epochs.empty or self.runs.empty:
            return self.epochs
        ok = set(self.runs.loc[self.runs["status"] == "ok", "run_id"])
        return self.epochs[self.epochs["run_id"].isin(ok)]


def load_inputs(root: str | Path) -> ReportInputs:
    """Read a study and/or bias–variance directory; (re)write summary.json if it is missing
    or older than runs.csv."""
    path = Path(root)
    if not path.exists():
        raise StudyError(f"{str(path)!r} does not exist: give a reglab study directory.")
    if not path.is_dir():
        raise StudyError(f"{str(path)!r} is not a directory: give a reglab study directory.")
    store = StudyDir(path)
    biasvar = store.read_json("biasvar.json")
    is_study = (path / "runs.csv").exists()
    if not is_study:
        if biasvar is None:
            raise StudyError(
                f"{str(path)!r} is not a reglab study: it has neither runs.csv nor biasvar.json."
            )
        return ReportInputs(root=path, biasvar=biasvar)
    summary = store.read_json("summary.json")
    stale = summary is not None and (
        (path / "summary.json").stat().st_mtime_ns < (path / "runs.csv").stat().st_mtime_ns
    )
    if summary is None or stale:  # a resumed study has newer runs than its old summary
        summary = write_summary(store)
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


# ---- sweeps: arms that differ from a base arm only in one technique's strength -----------
@dataclass(frozen=True)
class SweepPoint:
    """One arm of a sweep: its strength (0 or inf: the technique off, i.e. the base arm)."""

    arm: str
    strength: float


_FIELDS = {k.key: k.field for k in ARM_KEYS}


def sweep_points(inputs: ReportInputs, technique: str, base: str) -> list[SweepPoint]:
    """The study's arms on one sweep's line, the base arm included, sorted by strength.

    Any arm equal to ``base`` but for ``technique`` counts, so an arm listed outside the
    sweep (``l2=1e-3`` beside a sweep over l2) lands on the curve too.
    """
    name = _FIELDS.get(technique)
    base_reg = _parse(base)
    if name is None or base_reg is None:
        return []
    off = _strength(base_reg, name)
    points = []
    for arm in inputs.arms:
        reg = _parse(arm["name"])
        if reg is None or _without(reg, name) != _without(base_reg, name):
            continue
        value = _strength(reg, name)
        if arm["name"] == base or value != off:
            points.append(SweepPoint(arm["name"], value))
    return sorted(points, key=lambda p: (p.strength, p.arm))


def _parse(arm: str) -> Regularization | None:
    try:
        return parse_arm(arm)
    except ConfigError:
        return None


def _without(reg: Regularization, name: str) -> Regularization:
    off: Any = {"maxnorm": None, "early_stopping": None, "bn": False}.get(name, 0.0)
    return dataclasses.replace(reg, **{name: off})


def _strength(reg: Regularization, name: str) -> float:
    """The technique's strength; inf for max-norm / early stopping switched off."""
    value = getattr(reg, name)
    if name == "early_stopping":
        return math.inf if value is None else float(value.patience)
    if name == "maxnorm":
        return math.inf if value is None else float(value)
    return float(value)
