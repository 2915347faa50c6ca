"""The report's tables: provenance, verdicts, stopping epochs, bias–variance, the ranking.

Cells are formatted strings (see :mod:`reglab.report.numbers`)::

    >>> verdict_table(summary).rows[0][:3]
    ['none', '4', '83.67% [81.89, 85.45]%']
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from reglab.report.blocks import Table
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import (
    NA,
    finite,
    interval_pct,
    interval_pp,
    p_value,
    pct,
    plain_pp,
    pp,
    seconds,
)

__all__ = [
    "biasvar_setup_table",
    "biasvar_table",
    "ranking_table",
    "setup_table",
    "stopping_table",
    "verdict_table",
]


def _options(table: dict[str, Any], skip: tuple[str, ...] = ()) -> str:
    return ", ".join(
        f"{k}={v}" for k, v in table.items() if k not in skip and not isinstance(v, dict)
    )


def _wall_time(manifest: dict[str, Any]) -> str:
    try:
        start = datetime.strptime(manifest["started"], "%Y-%m-%dT%H:%M:%S%z")
        end = datetime.strptime(manifest["finished"], "%Y-%m-%dT%H:%M:%S%z")
    except (KeyError, TypeError, ValueError):
        return NA
    packs = manifest.get("packs") or {}
    training = sum(finite(p.get("seconds")) or 0.0 for p in packs.values())
    return f"{(end - start).total_seconds():.0f} s from start to finish; {training:.1f} s training {len(packs)} packs"


def setup_table(inputs: ReportInputs) -> Table:
    """Dataset, model, optimizer, schedule, seeds, device, versions, revision, wall time."""
    spec, man = inputs.spec, inputs.manifest
    data = man.get("dataset") or (inputs.summary or {}).get("dataset", {})
    model, opt, train = spec.get("model", {}), spec.get("optimizer", {}), spec.get("train", {})
    sizes = " / ".join(f"{k} {data[k]}" for k in ("train", "val", "test") if k in data)
    devices = sorted({s.get("device", "?") for s in man.get("sessions", [])})
    rows = [
        ["study", f"{spec.get('name', '?')} ({inputs.root})"],
        ["dataset", f"{data.get('name', '?')}: {sizes}"],
        ["data source", str(data.get("source", NA))],
        ["data checksum (sha256)", str(data.get("checksum", NA))],
        ["model", f"MLP, {_options(model)}"],
        ["optimizer", f"{opt.get('name', '?')} ({_options(opt, ('name',))})"],
        ["training", _options(train)],
        ["early stopping (for es=N arms)", _options(spec.get("early_stopping", {}))],
        [
            "seeds",
            ", ".join(map(str, man.get("seeds") or (inputs.summary or {}).get("seeds") or [])),
        ],
        ["arms", ", ".join(man.get("arms") or [a["name"] for a in inputs.arms])],
        ["baseline", str(inputs.baseline)],
        ["device", "; ".join(devices) or NA],
        [
            "versions",
            _options({k: man[k] for k in ("reglab", "python", "torch", "numpy") if k in man}),
        ],
        [
            "platform",
            f"{man.get('platform', NA)}, cpu {man.get('cpu', NA)}, {man.get('threads', NA)} threads",
        ],
        ["git revision", str(man.get("git_revision") or NA)],
        ["started / finished", f"{man.get('started', NA)} / {man.get('finished', NA)}"],
        ["wall time", _wall_time(man)],
    ]
    return Table(["setting", "value"], rows)


def verdict_table(summary: dict[str, Any]) -> Table:
    """One row per arm: accuracy and gap with CIs, the paired comparison, the verdict."""
    base = summary["baseline"]
    headers = [
        "arm",
        "n",
        "test acc, mean [95% CI]",
        "gap (pp), mean [95% CI]",
        f"Δ vs {base} [95% CI]",
        "p",
        "p (Holm)",
        "McNemar p",
        "verdict",
    ]
    rows = []
    for arm in summary["arms"]:
        vs = arm.get("vs_baseline") or {}
        gap = arm["gap"]
        n = str(arm["n"]) + (f" ({arm['n_diverged']} diverged)" if arm.get("n_diverged") else "")
        rows.append(
            [
                arm["name"],
                n,
                f"{pct(arm['test_acc']['mean'])} {interval_pct(arm['test_acc']['ci95'])}",
                f"{plain_pp(gap['mean'])} {interval_pp(gap['ci95'], signed=False)}"
                if finite(gap["mean"]) is not None
                else NA,
                "—"
                if arm["name"] == base
                else f"{pp(vs.get('delta'))} {interval_pp(vs.get('ci95'))}",
                p_value(vs.get("p_value")) if vs else "—",
                p_value(vs.get("p_holm")) if vs else "—",
                p_value((vs.get("mcnemar") or {}).get("p_value")) if vs else "—",
                "baseline" if arm["name"] == base else str(vs.get("verdict", NA)),
            ]
        )
    return Table(headers, rows, frozenset(range(1, 8)))


def stopping_table(runs: pd.DataFrame, arms: list[str]) -> Table:
    """Per arm: mean best and stop epoch, and the stop reasons with their counts."""
    rows = []
    for arm in arms:
        r = runs[runs["arm"] == arm]
        if r.empty:
            continue
        reasons = r["stop_reason"].fillna("?").value_counts()
        rows.append(
            [
                arm,
                f"{r['best_epoch'].mean():.1f}",
                f"{r['stop_epoch'].mean():.1f}",
                "; ".join(f"{reason} ({count})" for reason, count in reasons.items()),
            ]
        )
    return Table(
        ["arm", "best epoch (mean)", "stop epoch (mean)", "stop reasons (runs)"],
        rows,
        frozenset({1, 2}),
    )


def biasvar_table(biasvar: dict[str, Any]) -> Table:
    """Strength, arm, loss, bias, variance (and noise or test accuracy), rounds used."""
    regression = biasvar.get("task") == "regression"
    last = "noise" if regression else "test acc"
    headers = [
        "strength",
        "arm",
        "loss",
        "bias²" if regression else "bias",
        "variance",
        last,
        "rounds",
    ]
    rows = []
    for p in sorted(biasvar["points"], key=lambda p: p["strength"]):
        shown = [
            NA if finite(p.get(k)) is None else f"{p[k]:.4f}" for k in ("loss", "bias", "variance")
        ]
        shown.append(f"{p.get('noise', NA)}" if regression else pct(p.get("test_acc")))
        rows.append(
            [f"{p['strength']:g}", str(p.get("arm", "")), *shown, str(p.get("rounds_used", NA))]
        )
    return Table(headers, rows, frozenset({0, 2, 3, 4, 5, 6}))


def biasvar_setup_table(biasvar: dict[str, Any]) -> Table:
    """Provenance of a bias–variance run, from the metadata of biasvar.json."""
    keys = ("dataset", "dataset_checksum", "task", "technique", "strengths", "rounds", "epochs")
    rows = [[k, str(biasvar[k])] for k in keys if k in biasvar]
    for k in ("model", "optimizer", "data"):
        if isinstance(biasvar.get(k), dict):
            rows.append([k, _options(biasvar[k])])
    for k in ("batch_size", "device", "seeds", "reglab_version"):
        if k in biasvar:
            rows.append([k, str(biasvar[k])])
    if "train_seconds" in biasvar:
        rows.append(["training time (all models)", seconds(biasvar["train_seconds"])])
    return Table(["setting", "value"], rows)


def ranking_table(ranking: list[dict[str, Any]]) -> Table:
    """The contenders of "What to choose", best mean test accuracy first."""
    headers = ["rank", "arm", "test acc", "gap", "time vs baseline", "sparsity", "vs baseline"]
    rows = [
        [str(i), r["arm"], r["test_acc"], r["gap"], r["time"], r["sparsity"], r["verdict"]]
        for i, r in enumerate(ranking, start=1)
    ]
    return Table(headers, rows, frozenset({0, 2, 3, 4, 5}))
