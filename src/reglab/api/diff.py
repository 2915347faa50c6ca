"""Compare the arms two studies share (``reglab diff A B``): mean test accuracy in each, and
the difference B - A with its 95% CI.

    >>> d = diff_studies("runs/adam", "runs/sgd")
    >>> d.paired, d.why
    (False, 'the studies used different seeds (0-4 vs 10-14)')
    >>> [(a.arm, a.delta, a.ci95) for a in d.arms]

Two studies are paired only when they trained on the same data (name, checksum and split)
with the same seeds: then run k of an arm in A and run k in B share data order and initial
weights, and the difference is a paired t-test over shared seeds. Otherwise the runs are
independent samples and the difference is Welch's t-test, which needs more seeds to see the
same effect.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from reglab.analysis.results import ArmSummary, Described, StudySummary
from reglab.analysis.stats import paired_comparison
from reglab.analysis.summary import load_summary
from reglab.errors import StudyError
from reglab.store import StudyDir

__all__ = ["ArmDiff", "StudyDiff", "diff_studies"]

Interval = tuple[float | None, float | None]


@dataclass(frozen=True)
class ArmDiff:
    """One arm in both studies: test accuracy in A and in B, and B - A (None: untestable)."""

    arm: str
    a: Described
    b: Described
    n_a: int
    n_b: int
    delta: float | None
    ci95: Interval
    p_value: float | None
    test: str  # "paired t over N shared seeds", "Welch t (unpaired)", or why there is none


@dataclass(frozen=True)
class StudyDiff:
    """Two studies' shared arms compared; ``why`` says why they are (not) paired."""

    a: Path
    b: Path
    paired: bool
    why: str
    arms: tuple[ArmDiff, ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]


def diff_studies(a: str | Path, b: str | Path) -> StudyDiff:
    """Compare the arms of study ``a`` and study ``b`` that have the same name."""
    sa, sb = _summary(Path(a)), _summary(Path(b))
    paired, why = _pairing(Path(a), Path(b), sa, sb)
    names_b = set(sb.names)
    shared = [n for n in sa.names if n in names_b]
    arms = tuple(_arm(sa.arm(n), sb.arm(n), paired) for n in shared)
    only_a = tuple(n for n in sa.names if n not in names_b)
    only_b = tuple(n for n in sb.names if n not in set(sa.names))
    return StudyDiff(Path(a), Path(b), paired, why, arms, only_a, only_b)


def _summary(path: Path) -> StudySummary:
    store = StudyDir(path)
    if not store.spec_path.is_file():
        raise StudyError(f"{str(path)!r} is not a reglab study (no spec.toml).")
    summary = load_summary(store)
    if summary is None:
        raise StudyError(
            f"{str(path)!r} has no summary.json yet: finish it (run its command again) or "
            f"summarize what is done with `reglab report {path}`."
        )
    return summary


def _pairing(a: Path, b: Path, sa: StudySummary, sb: StudySummary) -> tuple[bool, str]:
    """Paired only with the same data (name, checksum, split settings) and the same seeds."""
    da, db = sa.dataset, sb.dataset
    if (da.get("name"), da.get("checksum")) != (db.get("name"), db.get("checksum")):
        return False, f"the studies used different data ({da.get('name')} vs {db.get('name')})"
    if _data_section(a) != _data_section(b):
        return False, "the studies split or subset the data differently ([data] in spec.toml)"
    if sa.seeds is None or sb.seeds is None or list(sa.seeds) != list(sb.seeds):
        return False, f"the studies used different seeds ({_seeds(sa)} vs {_seeds(sb)})"
    return True, "same data and seeds: run k of an arm in A is paired with run k in B"


def _data_section(path: Path) -> Any:
    spec = tomllib.loads((path / "spec.toml").read_text(encoding="utf-8"))
    return spec.get("data")


def _seeds(s: StudySummary) -> str:
    if s.seeds is None:
        return "unknown"
    seeds = list(s.seeds)
    contiguous = seeds == list(range(seeds[0], seeds[0] + len(seeds))) if seeds else False
    return f"{seeds[0]}-{seeds[-1]}" if contiguous and len(seeds) > 1 else str(seeds)


def _accs(arm: ArmSummary) -> dict[int, float]:
    return {r.seed: r.test_acc for r in arm.runs if r.status == "ok" and r.test_acc is not None}


def _arm(a: ArmSummary, b: ArmSummary, paired: bool) -> ArmDiff:
    acc_a, acc_b = _accs(a), _accs(b)
    head = (a.name, a.test_acc, b.test_acc, len(acc_a), len(acc_b))
    if paired:
        seeds = sorted(set(acc_a) & set(acc_b))
        x = np.array([acc_a[s] for s in seeds])  # [n] A's accuracy per shared seed
        y = np.array([acc_b[s] for s in seeds])  # [n] B's
        if len(seeds) < 2:
            return ArmDiff(*head, None, (None, None), None, "too few shared seeds for a test")
        comp = paired_comparison(x, y, plan=False, secondary=False)
        if comp.too_few is not None:
            return ArmDiff(*head, comp.delta, (None, None), None, comp.too_few)
        test = f"paired t over {len(seeds)} shared seeds"
        return ArmDiff(*head, comp.delta, comp.ci95, comp.p_value, test)
    x, y = np.array(list(acc_a.values())), np.array(list(acc_b.values()))
    if len(x) < 2 or len(y) < 2 or (np.ptp(x) == 0 and np.ptp(y) == 0):
        return ArmDiff(*head, None, (None, None), None, "too few runs for a test")
    welch = stats.ttest_ind(y, x, equal_var=False)
    ci = welch.confidence_interval(0.95)
    delta = float(y.mean() - x.mean())
    interval = (float(ci.low), float(ci.high))
    return ArmDiff(*head, delta, interval, float(welch.pvalue), "Welch t (unpaired)")
