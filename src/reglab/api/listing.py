"""The studies in a folder (``reglab ls``): kind, arms, seeds, verdicts and whether finished.

    >>> for entry in list_studies("runs"):
    ...     print(entry.path, entry.status, entry.verdicts)

A folder is listed when it holds a reglab experiment (``spec.toml``, or
``learning_curve_spec.toml`` for a learning curve). Its status is ``finished`` (every pack
done and the manifest closed), ``partial`` with ``packs_done`` of ``packs`` (interrupted: run
its command again to resume), or ``not started``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reglab.analysis.summary import load_summary
from reglab.errors import StudyError, invalid
from reglab.store import StudyDir

__all__ = ["StudyEntry", "StudyStatus", "list_studies"]

StudyStatus = Literal["finished", "partial", "not started"]
_SPECS = ("spec.toml", "learning_curve_spec.toml")


@dataclass(frozen=True)
class StudyEntry:
    """One experiment folder: ``verdicts`` maps each non-baseline arm to its verdict (empty
    until summary.json exists); ``n`` is the paired seeds per arm (0 without a summary)."""

    path: Path
    kind: str
    dataset: str | None
    arms: tuple[str, ...]
    baseline: str | None
    n: int
    verdicts: tuple[tuple[str, str], ...]
    status: StudyStatus
    packs_done: int
    packs: int


def list_studies(root: str | Path = "runs") -> list[StudyEntry]:
    """Every experiment folder directly under ``root`` (and ``root`` itself), by name."""
    root = Path(root)
    if not root.is_dir():
        raise invalid("DIR", "reglab ls", "an existing folder", str(root))
    folders = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    return [_entry(p) for p in folders if any((p / s).is_file() for s in _SPECS)]


def _entry(path: Path) -> StudyEntry:
    store = StudyDir(path)
    try:
        manifest = store.read_json("manifest.json") or {}
        plan = store.read_json("plan.json") or []
        summary = load_summary(store) if (path / "summary.json").is_file() else None
    except (StudyError, KeyError, TypeError, ValueError):  # a damaged folder is still listed
        manifest, plan, summary = {}, [], None
    packs = len(plan)
    done = sum(store.pack_done(int(p["index"])) for p in plan if "index" in p)
    status: StudyStatus = "not started"
    if packs and done == packs and "finished" in manifest:
        status = "finished"
    elif done or manifest:
        status = "partial"
    kind = str(manifest.get("experiment", "learning-curve" if not plan else "study"))
    dataset = (manifest.get("dataset") or {}).get("name")
    verdicts: tuple[tuple[str, str], ...] = ()
    if summary is not None:
        verdicts = tuple(
            (a.name, a.vs_baseline.verdict) for a in summary.others if a.vs_baseline is not None
        )
    return StudyEntry(
        path=path,
        kind=kind,
        dataset=dataset,
        arms=tuple(summary.names if summary else manifest.get("arms", ())),
        baseline=summary.baseline if summary else manifest.get("baseline"),
        n=summary.n_seeds if summary else 0,
        verdicts=verdicts,
        status=status,
        packs_done=done,
        packs=packs,
    )
