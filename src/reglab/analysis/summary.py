"""summary.json: per-arm statistics over seeds and paired comparisons with the baseline.

The contract (DESIGN.md): a top-level ``arms`` list; each arm has ``name``, ``n``,
``test_acc`` {mean, std, ci95}, ``gap``, ``sparsity``, ``runs``, and each non-baseline arm
``vs_baseline`` {delta, ci95, p_value, verdict} plus p_holm, p_wilcoxon, cohen_dz,
McNemar on pooled per-example predictions, and the power analysis. Diverged runs are left
out of every statistic and counted in ``n_diverged``::

    >>> summary = summarize(StudyDir("runs/quickstart"))
    >>> [(a["name"], a["vs_baseline"]["verdict"]) for a in summary["arms"][1:]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reglab.analysis.stats import (
    PairedComparison,
    describe,
    mcnemar,
    paired_comparison,
    with_holm,
)
from reglab.errors import StudyError
from reglab.store import StudyDir, write_text

__all__ = ["ALPHA", "comparisons_table", "summarize", "write_summary"]

ALPHA = 0.05
_DESCRIBED = (
    "test_acc",
    "test_loss",
    "train_acc",
    "gap",
    "loss_gap",
    "train_seconds",
    "best_epoch",
    "stop_epoch",
    "sparsity",
    "dead_units",
)


def summarize(store: StudyDir, alpha: float = ALPHA) -> dict[str, Any]:
    """Build the summary of a finished (or partly finished) study directory."""
    manifest = store.read_json("manifest.json") or {}
    runs = store.runs()
    runs["gap"] = runs["train_acc"] - runs["test_acc"]
    runs["loss_gap"] = runs["test_loss"] - runs["train_loss"]
    arms = manifest.get("arms") or list(dict.fromkeys(runs["arm"]))
    baseline = manifest.get("baseline", arms[0])
    if baseline not in set(runs["arm"]):
        raise StudyError(
            f"The baseline arm {baseline!r} has no finished runs in "
            f"{str(store.root)!r}; run the study to the end first."
        )
    preds, y = store.arrays("pred"), store.targets()
    entries = [_arm(runs[runs["arm"] == arm], arm) for arm in arms if arm in set(runs["arm"])]
    base = runs[(runs["arm"] == baseline) & (runs["status"] == "ok")]
    tested: list[tuple[dict[str, Any], PairedComparison, dict[str, Any]]] = []
    for entry in entries:
        if entry["name"] == baseline:
            continue
        pairs = _pairs(base, runs[runs["arm"] == entry["name"]])
        if len(pairs) < 2:
            entry["vs_baseline"] = _untestable(len(pairs))
            continue
        comp = paired_comparison(
            pairs["test_acc_b"].to_numpy(), pairs["test_acc_t"].to_numpy(), alpha=alpha
        )
        tested.append((entry, comp, _extras(pairs, preds, y)))
    adjusted = with_holm([comp for _, comp, _ in tested], alpha)
    for (entry, _, extras), comp in zip(tested, adjusted, strict=True):
        entry["vs_baseline"] = {**_comparison(comp), **extras}
    base_time = next(e for e in entries if e["name"] == baseline)["train_seconds"]["mean"]
    for entry in entries:
        t = entry["train_seconds"]["mean"]
        entry["time_vs_baseline"] = t / base_time if base_time and t is not None else None
    return {
        "dataset": manifest.get("dataset", {}),
        "baseline": baseline,
        "alpha": alpha,
        "metric": "test_acc",
        "seeds": manifest.get("seeds"),
        "arms": entries,
        "caveats": _caveats(entries),
    }


def _arm(rows: pd.DataFrame, name: str) -> dict[str, Any]:
    ok = rows[rows["status"] == "ok"]
    out: dict[str, Any] = {"name": name, "n": len(ok), "n_diverged": int(len(rows) - len(ok))}
    for col in _DESCRIBED:
        values = ok[col].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if len(values) == 0:
            out[col] = {"mean": None, "std": None, "ci95": [None, None]}
            continue
        s = describe(values)
        out[col] = {"mean": s.mean, "std": s.std, "ci95": list(s.ci95)}
    for kind in ("weight_l1", "weight_l2"):
        cols = sorted(c for c in ok.columns if c.startswith(kind + "_"))
        out[kind] = [float(ok[c].mean()) for c in cols]
    out["runs"] = [
        {
            "seed": int(r.seed),
            "status": r.status,
            "test_acc": r.test_acc,
            "test_loss": r.test_loss,
            "best_epoch": int(r.best_epoch),
            "stop_epoch": int(r.stop_epoch),
            "train_seconds": r.train_seconds,
        }
        for r in rows.sort_values("seed").itertuples()
    ]
    return out


def _pairs(base: pd.DataFrame, arm: pd.DataFrame) -> pd.DataFrame:
    """Baseline and treatment runs side by side, over seeds finished in both."""
    arm = arm[arm["status"] == "ok"]
    return base.merge(arm, on="seed", suffixes=("_b", "_t")).sort_values("seed")


def _untestable(n_pairs: int) -> dict[str, Any]:
    return {
        "n_pairs": n_pairs,
        "delta": None,
        "ci95": [None, None],
        "p_value": None,
        "p_holm": None,
        "verdict": "no detectable difference",
        "note": "fewer than 2 seeds finished in both arms: no test is possible",
    }


def _extras(
    pairs: pd.DataFrame, preds: dict[str, np.ndarray], y: np.ndarray | None
) -> dict[str, Any]:
    """McNemar on per-example correctness pooled over the paired seeds; the gap's change."""
    gap_t = pairs["train_acc_t"] - pairs["test_acc_t"]
    gap_b = pairs["train_acc_b"] - pairs["test_acc_b"]
    out: dict[str, Any] = {"gap_delta": float((gap_t - gap_b).mean()), "mcnemar": None}
    ids = [*pairs["run_id_b"], *pairs["run_id_t"]]
    if y is not None and all(r in preds for r in ids):
        right_b = np.concatenate([preds[r] == y for r in pairs["run_id_b"]])
        right_t = np.concatenate([preds[r] == y for r in pairs["run_id_t"]])
        mc = mcnemar(right_b, right_t)
        out["mcnemar"] = {
            "n01": mc.n01,
            "n10": mc.n10,
            "statistic": mc.statistic,
            "p_value": mc.p_value,
        }
    return out


def _comparison(comp: PairedComparison) -> dict[str, Any]:
    return {
        "n_pairs": comp.n,
        "delta": comp.delta,
        "ci95": list(comp.ci95),
        "p_value": comp.p_value,
        "p_holm": comp.p_holm,
        "p_wilcoxon": comp.p_wilcoxon,
        "cohen_dz": comp.cohen_dz,
        "verdict": comp.verdict,
        "min_detectable_effect": comp.min_detectable_effect,
        "seeds_needed": comp.seeds_needed,
    }


def _caveats(entries: list[dict[str, Any]]) -> list[str]:
    notes = []
    n = min((e["n"] for e in entries), default=0)
    if n < 5:
        notes.append(f"Only {n} seeds per arm: small effects cannot be told from noise.")
    for e in entries:
        if e["n_diverged"]:
            notes.append(f"{e['name']}: {e['n_diverged']} run(s) diverged and are left out.")
    return notes


def write_summary(store: StudyDir, alpha: float = ALPHA) -> dict[str, Any]:
    """Compute the summary, write summary.json and comparisons.csv; return the summary."""
    summary = summarize(store, alpha)
    store.write_json("summary.json", summary)
    write_text(store.root / "comparisons.csv", comparisons_table(summary).to_csv(index=False))
    return summary


def comparisons_table(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per arm: its mean and, vs the baseline, delta, CI, p values, verdict."""
    rows = []
    for arm in summary["arms"]:
        vs = arm.get("vs_baseline", {})
        mc = vs.get("mcnemar") or {}
        rows.append(
            {
                "arm": arm["name"],
                "n": arm["n"],
                "test_acc_mean": arm["test_acc"]["mean"],
                "gap_mean": arm["gap"]["mean"],
                "delta": vs.get("delta"),
                "ci95_lo": (vs.get("ci95") or [None, None])[0],
                "ci95_hi": (vs.get("ci95") or [None, None])[1],
                "p_value": vs.get("p_value"),
                "p_holm": vs.get("p_holm"),
                "p_wilcoxon": vs.get("p_wilcoxon"),
                "cohen_dz": vs.get("cohen_dz"),
                "mcnemar_p": mc.get("p_value"),
                "verdict": vs.get("verdict", "baseline"),
            }
        )
    return pd.DataFrame(rows)
