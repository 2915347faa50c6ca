"""A study's summary: computed from its directory, written once, read back typed.

``summarize`` builds a :class:`~reglab.analysis.results.StudySummary`: per-arm statistics
over seeds, and each non-baseline arm compared with the baseline on paired seeds on the
study's metric (test accuracy, or test MSE for regression: lower is better). The verdict is
the paired t-test, Holm-corrected over the arms ("too few seeds" below 3 pairs or with sd 0;
"diverged" for an arm with no finished run); beside it Wilcoxon, the sign-flip test, a seed
bootstrap interval, P(improvement), d_av, the power analysis at the verdict's level, a TOST
against the study's margin, and paired tests of the gap, sparsity and time per step (Holm
within each metric). Diverged runs are left out of every statistic and counted in
``n_diverged``. ``write_summary`` writes summary.json and comparisons.csv, the only place
these files are written; ``load_summary`` reads summary.json back into the same type::

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
import tomllib
from typing import Any

import numpy as np
import pandas as pd

from reglab.analysis._checks import margin_arg
from reglab.analysis.equivalence import DEFAULT_MARGIN, tost_paired
from reglab.analysis.results import (
    CALIBRATION,
    DESCRIBED,
    ArmRun,
    ArmSummary,
    Comparison,
    Described,
    Equivalent,
    StudySummary,
)
from reglab.analysis.secondary import paired_metric_tests, step_range, step_seconds
from reglab.analysis.stats import PairedComparison, describe, paired_comparison, with_holm
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
_SECONDARY = ("gap", "sparsity", "step_seconds")  # paired tests beside the verdict


def summarize(store: StudyDir, alpha: float = ALPHA, margin: float | None = None) -> StudySummary:
    """Build the summary of a finished (or partly finished) study directory.

    ``margin`` (the metric's units) defaults to spec.toml's ``[analysis] margin``, else
    :data:`~reglab.analysis.equivalence.DEFAULT_MARGIN`.
    """
    manifest = store.read_json("manifest.json") or {}
    spec = _spec(store)
    margin = margin_arg(_margin(spec) if margin is None else margin, "summarize")
    runs = store.runs()
    runs["gap"] = runs["train_acc"] - runs["test_acc"]
    runs["loss_gap"] = runs["test_loss"] - runs["train_loss"]
    epochs = store.epochs() if (store.root / "epochs.csv").exists() else pd.DataFrame()
    steps = _steps_per_epoch(spec, manifest)
    runs["step_seconds"] = runs["run_id"].map(step_seconds(epochs, steps)).astype(float)
    arms = manifest.get("arms") or list(dict.fromkeys(runs["arm"]))
    baseline = manifest.get("baseline", arms[0])
    present = [a for a in arms if a in set(runs["arm"])]
    if baseline not in present:
        raise StudyError(
            f"The baseline arm {baseline!r} has no finished runs in "
            f"{str(store.root)!r}; run the study to the end first."
        )
    metric = _metric(store, runs)
    comparisons = _comparisons(runs, baseline, present, alpha, margin, metric)
    entries = [_arm(runs[runs["arm"] == a], a, comparisons.get(a), epochs, steps) for a in present]
    base_time = next(e for e in entries if e.name == baseline).train_seconds.mean
    entries = [_with_time(e, base_time) for e in entries]
    seeds = manifest.get("seeds")
    return StudySummary(
        baseline=baseline,
        arms=tuple(entries),
        alpha=alpha,
        metric=metric,
        seeds=None if seeds is None else tuple(seeds),
        dataset=dict(manifest.get("dataset", {})),
        caveats=tuple(_caveats(entries, baseline)),
        margin=margin,
    )


def _spec(store: StudyDir) -> dict[str, Any]:
    try:
        return tomllib.loads(store.spec_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _margin(spec: dict[str, Any]) -> float:
    value = (spec.get("analysis") or {}).get("margin", DEFAULT_MARGIN)
    return float(value) if isinstance(value, int | float) else DEFAULT_MARGIN


def _steps_per_epoch(spec: dict[str, Any], manifest: dict[str, Any]) -> int:
    """Training steps per epoch: ceil(training examples / batch size)."""
    batch = int((spec.get("train") or {}).get("batch_size", 32))
    n = int((manifest.get("dataset") or {}).get("train", 0))
    subset = (spec.get("data") or {}).get("train_subset")
    n = min(n, int(subset)) if subset else n
    return max(1, math.ceil(n / max(1, batch)))


def _metric(store: StudyDir, runs: pd.DataFrame) -> str:
    """ "test_acc" for classification, "test_loss" (test MSE) for regression targets."""
    y = store.targets()
    if y is not None:
        return "test_loss" if np.issubdtype(np.asarray(y).dtype, np.floating) else "test_acc"
    ok = runs[runs["status"] == "ok"]
    return "test_acc" if ok.empty or ok["test_acc"].notna().any() else "test_loss"


def _comparisons(
    runs: pd.DataFrame, baseline: str, arms: list[str], alpha: float, margin: float, metric: str
) -> dict[str, Comparison]:
    """Every arm but the baseline against it on paired seeds, Holm across the family.

    Nothing when every baseline run diverged (no arm can be compared with it)."""
    base = runs[(runs["arm"] == baseline) & (runs["status"] == "ok")]
    if base.empty:
        return {}
    out: dict[str, Comparison] = {}
    tested: list[tuple[str, PairedComparison, pd.DataFrame]] = []
    for name in (a for a in arms if a != baseline):
        rows = runs[runs["arm"] == name]
        pairs = _pairs(base, rows, metric)
        if (rows["status"] == "ok").sum() == 0:
            out[name] = Comparison.untestable(0, "diverged")
        elif pairs.empty:
            out[name] = Comparison.untestable(0)
        else:
            b, t = pairs[f"{metric}_b"].to_numpy(), pairs[f"{metric}_t"].to_numpy()
            tested.append((name, paired_comparison(b, t, alpha=alpha), pairs))
    adjusted = with_holm([c for _, c, _ in tested], alpha) if tested else []
    families = {
        m: paired_metric_tests({n: (p[f"{m}_b"].to_numpy(), p[f"{m}_t"].to_numpy())
                                for n, _, p in tested}, alpha)
        for m in _SECONDARY
    }  # fmt: skip
    for (name, _, pairs), comp in zip(tested, adjusted, strict=True):
        b, t = pairs[f"{metric}_b"].to_numpy(), pairs[f"{metric}_t"].to_numpy()
        out[name] = Comparison.paired(
            comp,
            _gap_delta(pairs),
            None,
            **_direction(comp, metric),
            equivalence=_equivalence(b, t, margin, alpha),
            **{m: families[m][name] for m in _SECONDARY},
        )
    return out


def _direction(comp: PairedComparison, metric: str) -> dict[str, Any]:
    """The verdict and P(improvement) read for the metric: for a loss, lower is better."""
    if metric != "test_loss":
        return {}
    flip = {"better": "worse", "worse": "better"}
    p_imp = comp.prob_improvement
    return {
        "verdict": flip.get(comp.verdict, comp.verdict),
        "prob_improvement": None if not math.isfinite(p_imp) else 1.0 - p_imp,
    }


def _equivalence(b: np.ndarray, t: np.ndarray, margin: float, alpha: float) -> Equivalent:
    e = tost_paired(b, t, margin, alpha)
    p = e.p_value if math.isfinite(e.p_value) else None
    ci = tuple(v if math.isfinite(v) else None for v in e.ci)
    return Equivalent(margin, p, (ci[0], ci[1]), e.verdict)


def _arm(
    rows: pd.DataFrame, name: str, vs: Comparison | None, epochs: pd.DataFrame, steps: int
) -> ArmSummary:
    ok = rows[rows["status"] == "ok"]
    described = {}
    for col in (*DESCRIBED, "step_seconds", *CALIBRATION):
        if col not in ok:  # a calibration column of an older runs.csv
            continue
        values = ok[col].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        described[col] = Described.of(describe(values)) if len(values) else Described()

    def weights(kind: str) -> tuple[float, ...]:
        cols = sorted(c for c in ok.columns if c.startswith(kind + "_"))
        return tuple(float(ok[c].mean()) for c in cols)

    spread = step_range(epochs, list(ok["run_id"]), steps) if not epochs.empty else (None, None)
    return ArmSummary(
        name=name,
        n=len(ok),
        n_diverged=int(len(rows) - len(ok)),
        **described,  # type: ignore[arg-type]  # one Described per DESCRIBED metric
        weight_l1=weights("weight_l1"),
        weight_l2=weights("weight_l2"),
        runs=tuple(_run(r) for r in rows.sort_values("seed").to_dict("records")),
        vs_baseline=vs,
        step_seconds_range=spread,
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


def _pairs(base: pd.DataFrame, arm: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Baseline and treatment runs side by side, over seeds finished in both with a finite
    value of the metric."""
    arm = arm[arm["status"] == "ok"]
    pairs = base.merge(arm, on="seed", suffixes=("_b", "_t")).sort_values("seed")
    finite = np.isfinite(pairs[f"{metric}_b"]) & np.isfinite(pairs[f"{metric}_t"])
    return pairs[finite]


def _gap_delta(pairs: pd.DataFrame) -> float | None:
    """The mean paired change of the generalization gap (treatment minus baseline)."""
    gap_t = pairs["train_acc_t"] - pairs["test_acc_t"]
    gap_b = pairs["train_acc_b"] - pairs["test_acc_b"]
    value = float((gap_t - gap_b).mean())
    return value if math.isfinite(value) else None


def _caveats(entries: list[ArmSummary], baseline: str) -> list[str]:
    notes = []
    n = min((e.n for e in entries if not e.diverged), default=0)
    if n < 5:
        notes.append(
            f"Only {n} seed{'s' * (n != 1)} per arm: small effects cannot be told from noise."
        )
    for e in entries:
        if e.diverged:
            role = "the baseline " if e.name == baseline else ""
            notes.append(
                f"{role}{e.name}: every run ({e.n_diverged}) diverged; it has no statistics"
                + (" and no arm is compared with it." if role else " and no verdict.")
            )
        elif e.n_diverged:
            runs = "run diverged and is" if e.n_diverged == 1 else "runs diverged and are"
            notes.append(f"{e.name}: {e.n_diverged} {runs} left out.")
    return notes


# ---- files: summary.json and comparisons.csv are written here and nowhere else ------------
def write_summary(
    store: StudyDir, alpha: float = ALPHA, margin: float | None = None
) -> StudySummary:
    """Compute the summary, write summary.json and comparisons.csv; return the summary."""
    summary = summarize(store, alpha, margin)
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
        eq = None if vs is None else vs.equivalence

        def get(key: str, vs: Comparison | None = vs) -> Any:
            return None if vs is None else getattr(vs, key)

        rows.append(
            {
                "arm": arm.name,
                "n": arm.n,
                "metric": summary.metric,
                "mean": arm.stat(summary.metric).mean,
                "test_acc_mean": arm.test_acc.mean,
                "gap_mean": arm.gap.mean,
                "delta": get("delta"),
                "ci95_lo": get("ci95") and get("ci95")[0],
                "ci95_hi": get("ci95") and get("ci95")[1],
                "p_value": get("p_value"),
                "p_holm": get("p_holm"),
                "p_wilcoxon": get("p_wilcoxon"),
                "p_wilcoxon_holm": get("p_wilcoxon_holm"),
                "disagree": get("disagree"),
                "p_sign_flip": get("p_sign_flip"),
                "prob_improvement": get("prob_improvement"),
                "d_av": get("d_av"),
                "cohen_dz": get("cohen_dz"),
                "equivalence": None if eq is None else eq.verdict,
                "verdict": _table_verdict(arm, summary),
            }
        )
    return pd.DataFrame(rows)


def _table_verdict(arm: ArmSummary, summary: StudySummary) -> str:
    if arm.name == summary.baseline:
        return "baseline (diverged)" if arm.diverged else "baseline"
    if arm.vs_baseline is None:
        return "diverged" if arm.diverged else "no baseline to compare with"
    return arm.vs_baseline.verdict
