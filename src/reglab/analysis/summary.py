"""A study's summary: computed from its directory, written once, read back typed.

``summarize`` builds a :class:`~reglab.analysis.results.StudySummary` (per-arm statistics
over seeds, each non-baseline arm compared with the baseline on paired seeds, Holm-corrected,
with McNemar on pooled per-example predictions and the power analysis); diverged runs are
left out of every statistic and counted in ``n_diverged``. ``write_summary`` writes it to
summary.json and comparisons.csv, the only place these files are written; ``load_summary``
reads summary.json back into the same type::

    >>> store = StudyDir("runs/quickstart")
    >>> summary = write_summary(store)            # the analysis step, when a study finishes
    >>> load_summary(store) == summary            # what the report and the CLI read
    >>> [(a.name, a.vs_baseline.verdict) for a in summary.others]
    >>> comparisons_table(summary)                # comparisons.csv as a DataFrame

``summary_is_current(store)`` says whether summary.json exists and is not older than
runs.csv (a resumed study has newer runs than its old summary).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from reglab.analysis.results import (
    DESCRIBED,
    ArmRun,
    ArmSummary,
    Comparison,
    Described,
    StudySummary,
)
from reglab.analysis.stats import (
    McNemarResult,
    PairedComparison,
    describe,
    mcnemar,
    paired_comparison,
    with_holm,
)
from reglab.errors import StudyError
from reglab.store import StudyDir, write_text

__all__ = [
    "ALPHA",
    "comparisons_table",
    "load_summary",
    "summarize",
    "summary_is_current",
    "write_summary",
]

ALPHA = 0.05
SUMMARY_FILE = "summary.json"
COMPARISONS_FILE = "comparisons.csv"


def summarize(store: StudyDir, alpha: float = ALPHA) -> StudySummary:
    """Build the summary of a finished (or partly finished) study directory."""
    manifest = store.read_json("manifest.json") or {}
    runs = store.runs()
    runs["gap"] = runs["train_acc"] - runs["test_acc"]
    runs["loss_gap"] = runs["test_loss"] - runs["train_loss"]
    arms = manifest.get("arms") or list(dict.fromkeys(runs["arm"]))
    baseline = manifest.get("baseline", arms[0])
    present = set(runs["arm"])
    if baseline not in present:
        raise StudyError(
            f"The baseline arm {baseline!r} has no finished runs in "
            f"{str(store.root)!r}; run the study to the end first."
        )
    comparisons = _comparisons(store, runs, baseline, [a for a in arms if a in present], alpha)
    entries = [_arm(runs[runs["arm"] == a], a, comparisons.get(a)) for a in arms if a in present]
    base_time = next(e for e in entries if e.name == baseline).train_seconds.mean
    entries = [_with_time(e, base_time) for e in entries]
    seeds = manifest.get("seeds")
    return StudySummary(
        baseline=baseline,
        arms=tuple(entries),
        alpha=alpha,
        metric="test_acc",
        seeds=None if seeds is None else tuple(seeds),
        dataset=dict(manifest.get("dataset", {})),
        caveats=tuple(_caveats(entries)),
    )


def _comparisons(
    store: StudyDir, runs: pd.DataFrame, baseline: str, arms: list[str], alpha: float
) -> dict[str, Comparison]:
    """Every arm but the baseline against it on paired seeds, Holm across the family."""
    preds, y = store.arrays("pred"), store.targets()
    base = runs[(runs["arm"] == baseline) & (runs["status"] == "ok")]
    out: dict[str, Comparison] = {}
    tested: list[tuple[str, PairedComparison, float, McNemarResult | None]] = []
    for name in arms:
        if name == baseline:
            continue
        pairs = _pairs(base, runs[runs["arm"] == name])
        if len(pairs) < 2:
            out[name] = Comparison.untestable(len(pairs))
            continue
        comp = paired_comparison(
            pairs["test_acc_b"].to_numpy(), pairs["test_acc_t"].to_numpy(), alpha=alpha
        )
        tested.append((name, comp, _gap_delta(pairs), _mcnemar(pairs, preds, y)))
    adjusted = with_holm([comp for _, comp, _, _ in tested], alpha)
    for (name, _, gap_delta, mc), comp in zip(tested, adjusted, strict=True):
        out[name] = Comparison.paired(comp, gap_delta, mc)
    return out


def _arm(rows: pd.DataFrame, name: str, vs: Comparison | None) -> ArmSummary:
    ok = rows[rows["status"] == "ok"]
    described = {}
    for col in DESCRIBED:
        values = ok[col].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        described[col] = Described.of(describe(values)) if len(values) else Described()

    def weights(kind: str) -> tuple[float, ...]:
        cols = sorted(c for c in ok.columns if c.startswith(kind + "_"))
        return tuple(float(ok[c].mean()) for c in cols)

    return ArmSummary(
        name=name,
        n=len(ok),
        n_diverged=int(len(rows) - len(ok)),
        **described,  # type: ignore[arg-type]  # one Described per DESCRIBED metric
        weight_l1=weights("weight_l1"),
        weight_l2=weights("weight_l2"),
        runs=tuple(_run(r) for r in rows.sort_values("seed").to_dict("records")),
        vs_baseline=vs,
    )


def _run(row: dict[str, Any]) -> ArmRun:
    def num(key: str) -> float | None:
        v = float(row[key])
        return v if math.isfinite(v) else None

    return ArmRun(
        seed=int(row["seed"]),
        status=str(row["status"]),
        test_acc=num("test_acc"),
        test_loss=num("test_loss"),
        best_epoch=int(row["best_epoch"]),
        stop_epoch=int(row["stop_epoch"]),
        train_seconds=num("train_seconds"),
    )


def _with_time(arm: ArmSummary, base_time: float | None) -> ArmSummary:
    t = arm.train_seconds.mean
    ratio = t / base_time if base_time and t is not None else None
    return dataclasses.replace(arm, time_vs_baseline=ratio)


def _pairs(base: pd.DataFrame, arm: pd.DataFrame) -> pd.DataFrame:
    """Baseline and treatment runs side by side, over seeds finished in both."""
    arm = arm[arm["status"] == "ok"]
    return base.merge(arm, on="seed", suffixes=("_b", "_t")).sort_values("seed")


def _gap_delta(pairs: pd.DataFrame) -> float:
    """The mean paired change of the generalization gap (treatment minus baseline)."""
    gap_t = pairs["train_acc_t"] - pairs["test_acc_t"]
    gap_b = pairs["train_acc_b"] - pairs["test_acc_b"]
    return float((gap_t - gap_b).mean())


def _mcnemar(
    pairs: pd.DataFrame, preds: dict[str, np.ndarray], y: np.ndarray | None
) -> McNemarResult | None:
    """McNemar on per-example correctness pooled over the paired seeds (None without preds)."""
    ids = [*pairs["run_id_b"], *pairs["run_id_t"]]
    if y is None or not all(r in preds for r in ids):
        return None
    right_b = np.concatenate([preds[r] == y for r in pairs["run_id_b"]])
    right_t = np.concatenate([preds[r] == y for r in pairs["run_id_t"]])
    return mcnemar(right_b, right_t)


def _caveats(entries: list[ArmSummary]) -> list[str]:
    notes = []
    n = min((e.n for e in entries), default=0)
    if n < 5:
        notes.append(f"Only {n} seeds per arm: small effects cannot be told from noise.")
    for e in entries:
        if e.n_diverged:
            notes.append(f"{e.name}: {e.n_diverged} run(s) diverged and are left out.")
    return notes


# ---- files: summary.json and comparisons.csv are written here and nowhere else ------------
def write_summary(store: StudyDir, alpha: float = ALPHA) -> StudySummary:
    """Compute the summary, write summary.json and comparisons.csv; return the summary."""
    summary = summarize(store, alpha)
    store.write_json(SUMMARY_FILE, summary.to_json())
    csv = comparisons_table(summary).to_csv(index=False)
    write_text(store.root / COMPARISONS_FILE, csv)
    return summary


def load_summary(store: StudyDir) -> StudySummary | None:
    """summary.json read back as a StudySummary; None when the study has none yet."""
    data = store.read_json(SUMMARY_FILE)
    return None if data is None else StudySummary.from_json(data)


def summary_is_current(store: StudyDir) -> bool:
    """True when summary.json exists and is not older than runs.csv."""
    summary, runs = store.root / SUMMARY_FILE, store.root / "runs.csv"
    if not summary.exists():
        return False
    return not runs.exists() or summary.stat().st_mtime_ns >= runs.stat().st_mtime_ns


def comparisons_table(summary: StudySummary) -> pd.DataFrame:
    """One row per arm: its mean and, vs the baseline, delta, CI, p values, verdict."""
    rows = []
    for arm in summary.arms:
        vs = arm.vs_baseline
        mc = None if vs is None else vs.mcnemar
        rows.append(
            {
                "arm": arm.name,
                "n": arm.n,
                "test_acc_mean": arm.test_acc.mean,
                "gap_mean": arm.gap.mean,
                "delta": None if vs is None else vs.delta,
                "ci95_lo": None if vs is None else vs.ci95[0],
                "ci95_hi": None if vs is None else vs.ci95[1],
                "p_value": None if vs is None else vs.p_value,
                "p_holm": None if vs is None else vs.p_holm,
                "p_wilcoxon": None if vs is None else vs.p_wilcoxon,
                "cohen_dz": None if vs is None else vs.cohen_dz,
                "mcnemar_p": None if mc is None else mc.p_value,
                "verdict": "baseline" if vs is None else vs.verdict,
            }
        )
    return pd.DataFrame(rows)
