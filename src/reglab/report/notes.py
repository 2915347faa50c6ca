"""What each plot of the report shows, in sentences computed from the study's numbers.

>>> inputs = load_inputs("runs/quickstart")
>>> weights_note(inputs)
['Sparsest weights: l1=1e-4, 16.93% of kernel weights below 1e-3 ...']
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from reglab.report.inputs import ReportInputs, SweepPoint
from reglab.report.numbers import finite, pct, plain_pp, pp, ratio, seconds

__all__ = [
    "biasvar_note",
    "curves_note",
    "gap_note",
    "startup_caveat",
    "stopping_note",
    "sweep_note",
    "time_note",
    "weights_note",
]


def _mean(arm: dict[str, Any], metric: str) -> float | None:
    return finite(arm[metric]["mean"])


def _extremes(inputs: ReportInputs, metric: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    arms = [a for a in inputs.arms if _mean(a, metric) is not None]
    if not arms:
        return None
    return min(arms, key=lambda a: _mean(a, metric) or 0.0), max(
        arms, key=lambda a: _mean(a, metric) or 0.0
    )


def curves_note(inputs: ReportInputs) -> list[str]:
    """The train–validation accuracy gap at each run's last epoch: largest and smallest arm."""
    epochs = inputs.ok_epochs()
    if epochs.empty:
        return []
    last = epochs.sort_values("epoch").groupby("run_id").tail(1)
    gap = (last["train_acc"] - last["val_acc"]).groupby(last["arm"]).mean()
    if gap.empty:
        return []
    hi, lo = gap.idxmax(), gap.idxmin()
    return [
        f"At each run's last epoch, train accuracy exceeds validation accuracy most for {hi} "
        f"({pp(gap[hi])} on average) and least for {lo} ({pp(gap[lo])})."
    ]


def gap_note(inputs: ReportInputs) -> list[str]:
    """Smallest and largest gap, and the largest paired reduction against the baseline."""
    ends = _extremes(inputs, "gap")
    if ends is None:
        return []
    lo, hi = ends
    base = inputs.arm(inputs.baseline or lo["name"])
    text = (
        f"The smallest generalization gap is {lo['name']}'s ({plain_pp(_mean(lo, 'gap'))}), the "
        f"largest {hi['name']}'s ({plain_pp(_mean(hi, 'gap'))})"
    )
    if base is lo or base is hi:
        out = [text + "."]
    else:
        out = [text + f"; the baseline {base['name']} has {plain_pp(_mean(base, 'gap'))}."]
    paired = [
        a for a in inputs.arms if finite((a.get("vs_baseline") or {}).get("gap_delta")) is not None
    ]
    if paired:
        best = min(paired, key=lambda a: a["vs_baseline"]["gap_delta"])
        delta, vs = best["vs_baseline"]["gap_delta"], best["vs_baseline"]
        cost = f"its test accuracy changes by {pp(vs.get('delta'))} ({vs['verdict']})"
        if delta < 0:
            out.append(
                f"Paired by seed, {best['name']} narrows the gap most: {pp(delta)} against the "
                f"baseline, while {cost}."
            )
        else:
            out.append(
                f"Paired by seed, no arm narrows the gap; the least widening is {best['name']}'s ({pp(delta)})."
            )
    return out


def sweep_note(inputs: ReportInputs, technique: str, points: list[SweepPoint]) -> str:
    """Where test accuracy peaks along a sweep, and how the gap moves from end to end."""
    arms = [inputs.arm(p.arm) for p in points]
    best = max(zip(points, arms, strict=True), key=lambda pa: _mean(pa[1], "test_acc") or 0.0)
    first, last = arms[0], arms[-1]
    return (
        f"Over {len(points)} strengths of {technique}, test accuracy is highest at "
        f"{_strength(best[0].strength)} ({best[1]['name']}: {pct(_mean(best[1], 'test_acc'))}); "
        f"from {_strength(points[0].strength)} to {_strength(points[-1].strength)} the test accuracy goes from "
        f"{pct(_mean(first, 'test_acc'))} to {pct(_mean(last, 'test_acc'))} and the gap from "
        f"{plain_pp(_mean(first, 'gap'))} to {plain_pp(_mean(last, 'gap'))}."
    )


def _strength(value: float) -> str:
    return "off" if value == math.inf else f"{value:g}"


def _technique_arms(runs: pd.DataFrame, column: str) -> list[str]:
    if column not in runs:
        return []
    values = pd.to_numeric(runs[column], errors="coerce").fillna(0.0)
    return list(dict.fromkeys(runs.loc[values > 0, "arm"]))


def weights_note(inputs: ReportInputs) -> list[str]:
    """The sparsest arm, and L1's sparsity beside L2's when the study has both."""
    ends = _extremes(inputs, "sparsity")
    if ends is None:
        return []
    base = inputs.arm(inputs.baseline or ends[0]["name"])
    out = [
        f"Sparsest weights: {ends[1]['name']}, {pct(_mean(ends[1], 'sparsity'))} of kernel "
        f"weights below 1e-3 in magnitude (baseline {base['name']}: "
        f"{pct(_mean(base, 'sparsity'))})."
    ]
    groups = {c: _technique_arms(inputs.runs, c) for c in ("l1", "l2")}
    if groups["l1"] and groups["l2"]:
        top = {
            c: max((inputs.arm(n) for n in names), key=lambda a: _mean(a, "sparsity") or 0.0)
            for c, names in groups.items()
        }
        s1, s2 = _mean(top["l1"], "sparsity") or 0.0, _mean(top["l2"], "sparsity") or 0.0
        verdict = (
            "L1 gives the sparser weights here: it drives weights to zero, L2 only shrinks them"
            if s1 > s2
            else "here L1 did not give sparser weights than L2 (at these strengths and epochs)"
        )
        out.append(
            f"The sparsest L1 arm ({top['l1']['name']}: {pct(s1)}) against the sparsest L2 arm "
            f"({top['l2']['name']}: {pct(s2)}): {verdict}."
        )
    return out


def stopping_note(inputs: ReportInputs, epochs: int | None) -> list[str]:
    """Per early-stopping arm: best and stop epoch, and how many runs stopped early."""
    runs = inputs.runs
    patience = pd.to_numeric(runs.get("es_patience"), errors="coerce")
    es_arms = list(dict.fromkeys(runs.loc[patience.notna(), "arm"])) if patience is not None else []
    budget = epochs if epochs is not None else int(runs["stop_epoch"].max())
    if not es_arms:
        return [
            f"No arm uses early stopping; every run's stop epoch is its last trained epoch (budget {budget})."
        ]
    out = []
    for arm in es_arms:
        rows = runs[runs["arm"] == arm]
        early = int((rows["stop_epoch"] < budget).sum())
        out.append(
            f"{arm}: best epoch {rows['best_epoch'].mean():.1f} and stop epoch "
            f"{rows['stop_epoch'].mean():.1f} on average (of {budget}); {early} of {len(rows)} "
            "runs stopped before the budget."
        )
    return out


def time_note(inputs: ReportInputs) -> list[str]:
    """Cheapest and dearest arm per run, with their ratio to the baseline."""
    ends = _extremes(inputs, "train_seconds")
    if ends is None:
        return []
    lo, hi = ends
    return [
        "Time per run is the wall time of the pack the run trained in, divided by the runs in "
        "that pack (runs of a pack train together as one batched network): it is a share of a "
        "batched pack, not the time of a standalone run.",
        f"Cheapest: {lo['name']} ({seconds(_mean(lo, 'train_seconds'))} per run, "
        f"{ratio(lo.get('time_vs_baseline'))} the baseline); dearest: {hi['name']} "
        f"({seconds(_mean(hi, 'train_seconds'))}, {ratio(hi.get('time_vs_baseline'))}).",
    ]


def startup_caveat(inputs: ReportInputs) -> str | None:
    """A warning when the first pack ran much longer per run than the rest (start-up cost)."""
    packs = inputs.manifest.get("packs") or {}
    per_run = {
        int(k): v["seconds"] / v["runs"]
        for k, v in packs.items()
        if v.get("runs") and finite(v.get("seconds"))
    }
    if len(per_run) < 3:
        return None
    first = min(per_run)
    rest = sorted(v for k, v in per_run.items() if k != first)
    median = rest[len(rest) // 2]
    if per_run[first] <= 3 * median:
        return None
    arms = sorted(set(inputs.runs.loc[inputs.runs["pack"] == first, "arm"]))
    return (
        f"The first pack (arms {', '.join(arms)}) took {per_run[first] / median:.1f}× the median "
        "time per run of the other packs; it likely includes one-time start-up costs, so time "
        "ratios against the arms in it are understated. Compare times among the other arms."
    )


def biasvar_note(biasvar: dict[str, Any]) -> list[str]:
    """Where the loss is lowest, and how bias and variance move over the strengths."""
    points = sorted(
        (p for p in biasvar["points"] if finite(p.get("loss")) is not None),
        key=lambda p: p["strength"],
    )
    if not points:
        return ["No strength had two finished rounds: nothing could be decomposed."]
    best = min(points, key=lambda p: p["loss"])
    first, last = points[0], points[-1]
    return [
        f"The expected test loss is lowest at {biasvar.get('technique', '')} strength "
        f"{best['strength']:g} ({best['loss']:.4f}). From strength {first['strength']:g} to "
        f"{last['strength']:g}, the bias goes from {first['bias']:.4f} to {last['bias']:.4f} and "
        f"the variance from {first['variance']:.4f} to {last['variance']:.4f}.",
        str(biasvar.get("definition", "")),
    ]
