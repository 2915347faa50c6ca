"""Demo 3: Dropout in training vs inference. A network trained with dropout is usually tested
without it, its weights in effect scaled by the keep probability (inverted dropout does the
scaling during training); Monte-Carlo dropout keeps dropout on at test time and averages
many passes (Gal & Ghahramani 2016); a seed ensemble averages independently trained
networks (Lakshminarayanan et al. 2017). Accuracy, NLL and calibration (ECE) of each, with a
reliability diagram.

One study (arms none and dropout=0.5, ``[eval] mc_samples``) gives every number: weight
scaling and MC dropout are runs.csv's test_* and test_*_mc columns, the ensembles come from
the stored test probabilities (reglab.analysis.ensemble)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reglab.analysis.ensemble import ArmEnsemble, Scores, ensemble_scores, study_ensembles
from reglab.config import EvalConfig
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import TTest, paired_test, value_test
from reglab.demos.tables import markdown_table
from reglab.engine.calibration import ECE_BINS
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure
from reglab.store import StudyDir
from reglab.study import StudySpec

__all__ = ["INFERENCE"]

DROP = "dropout=0.5"


def _spec(ctx: DemoContext) -> StudySpec:
    """MNIST, 5,000 training images, MLP 512, 20 epochs, 30 MC passes (3 min on 2 cores).

    Quick (about 10 s): digits, MLP 256, Adam 1e-2 for 20 epochs, 20 MC passes; trained
    that hard the networks are overconfident, as the full setting's are, so the claims
    are tested in the regime they speak of (tests/test_demo_inference.py)."""
    if ctx.quick:
        spec = digits_spec(
            "demo-inference", ["none", DROP], ctx, seeds=5, epochs=20, hidden=(256,),
            optimizer={"lr": 1e-2},
        )  # fmt: skip
        return dataclasses.replace(spec, eval=EvalConfig(mc_samples=20))
    table = {
        "name": "demo-inference",
        "arms": ["none", DROP],
        "seeds": 5,
        "data": {"name": "mnist", "val_size": 5000, "train_subset": 5000},
        "model": {"hidden": [512]},
        "train": {"epochs": 20, "train_eval_size": 2000, "device": ctx.device},
        "eval": {"mc_samples": 30},
    }
    return StudySpec.from_dict(table, where="the demo 'inference'")


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    spec = _spec(ctx)
    ctx.study("study", spec)
    store = StudyDir(ctx.out / "study")
    runs = store.runs()
    ens = {e.arm: e for e in study_ensembles(store)}
    mc_ens = {e.arm: e for e in study_ensembles(store, mc=True)}
    k, samples = len(spec.seeds), spec.eval.mc_samples

    def mean(arm: str, suffix: str = "") -> Scores:
        rows = runs[(runs["arm"] == arm) & (runs["status"] == "ok")]
        cols = (f"test_acc{suffix}", "test_loss" if not suffix else "test_nll_mc")
        acc, nll = (float(rows[c].mean()) for c in cols)
        return Scores(acc, nll, float(rows[f"test_ece{suffix}"].mean()))

    ws, mc = mean(DROP), mean(DROP, "_mc")
    table = [
        ("no dropout: one network (mean of seeds)", mean("none"), "1 pass"),
        (f"no dropout: {k}-seed ensemble", ens["none"].ensemble, f"{k} passes"),
        ("dropout 0.5, weight scaling (the default)", ws, "1 pass"),
        (f"dropout 0.5, MC dropout ({samples} passes)", mc, f"{samples} passes"),
        (f"dropout 0.5: {k}-seed ensemble (weight scaling)", ens[DROP].ensemble, f"{k} passes"),
        (f"dropout 0.5: {k}-seed ensemble of MC dropout", mc_ens[DROP].ensemble,
         f"{k * samples} passes"),
    ]  # fmt: skip
    header = ["inference", "test acc", "NLL", f"ECE ({ECE_BINS} bins)", "cost per prediction"]
    body = markdown_table(header, [[t, *_cells(s), cost] for t, s, cost in table])
    body += (
        "\nSingle-network rows are means over the seeds' runs; an ensemble averages the seeds' "
        "class probabilities. NLL: mean negative log-likelihood of the test labels.\n"
    )
    figure = ctx.figure("reliability", _plot(store, runs))
    return (
        setting_line(spec),
        body,
        [figure],
        _checks(runs, ens, _member_scores(store, runs), (ws, mc), k),
    )


def _cells(s: Scores) -> list[str]:
    return [numbers.pct(s.acc), f"{s.nll:.3f}", f"{s.ece:.4f}"]


def _checks(
    runs: pd.DataFrame,
    ens: dict[str, ArmEnsemble],
    members: dict[str, list[Scores]],
    scores: tuple[Scores, Scores],
    k: int,
) -> list[Check]:
    ws, mc = scores
    drop = runs[(runs["arm"] == DROP) & (runs["status"] == "ok")]
    nll = paired_test(list(drop["test_nll_mc"]), list(drop["test_loss"]))  # rows: same runs
    ece = paired_test(list(drop["test_ece_mc"]), list(drop["test_ece"]))
    nll_wins = int((drop["test_nll_mc"] < drop["test_loss"]).sum())
    ece_wins = int((drop["test_ece_mc"] < drop["test_ece"]).sum())
    n = len(drop)
    return [
        Check(
            "MC dropout's test NLL is lower than weight scaling's (the same dropout networks)",
            nll.shows("lower"),
            f"{mc.nll:.3f} vs {ws.nll:.3f}; lower in {nll_wins} of {n} seeds; {nll.text()}",
        ),
        Check(
            "MC dropout is better calibrated than weight scaling (lower ECE)",
            ece.shows("lower"),
            f"ECE {mc.ece:.4f} vs {ws.ece:.4f}; lower in {ece_wins} of {n} seeds; {ece.text()}",
        ),
        *_ensemble_checks(ens, members, k),
    ]


def _member_scores(store: StudyDir, runs: pd.DataFrame) -> dict[str, list[Scores]]:
    """Each finished member's own scores, from the same stored probabilities as the ensemble
    (an ensemble of one is its member), per arm."""
    y, proba = store.targets(), store.arrays("proba")
    assert y is not None
    ok = runs[runs["status"] == "ok"]
    return {
        arm: [ensemble_scores(proba[i][None], y)[0] for i in ok.loc[ok["arm"] == arm, "run_id"]]
        for arm in ("none", DROP)
    }


def _versus(ens: ArmEnsemble, members: list[Scores], field: str) -> TTest:
    """The ensemble's ``field`` against its members' (one-sample t-test over the members)."""
    return value_test(getattr(ens.ensemble, field), [getattr(m, field) for m in members])


def _ensemble_checks(
    ens: dict[str, ArmEnsemble], members: dict[str, list[Scores]], k: int
) -> list[Check]:
    """The ensemble's one score against its k members' own: a one-sample t-test of the
    members' scores against the ensemble's. The spread that matters is the seeds'; the test
    set is the same fixed one for both, as in every paired comparison of a study (a
    bootstrap over test images would leave out the seeds' spread)."""
    none, dropped = ens["none"], ens[DROP]
    acc, nll, ece = (_versus(none, members["none"], f) for f in ("acc", "nll", "ece"))
    d_acc, d_nll = (_versus(dropped, members[DROP], f) for f in ("acc", "nll"))
    return [
        Check(
            f"A {k}-seed ensemble is more accurate than its members (no dropout)",
            acc.shows("higher"),
            f"{numbers.pct(none.ensemble.acc)} vs {numbers.pct(none.members.acc)} on average; "
            f"members against the ensemble: {acc.text()}",
        ),
        Check(
            f"A {k}-seed ensemble is better calibrated than its members: lower NLL and ECE "
            "(no dropout)",
            nll.shows("lower") and ece.shows("lower"),
            f"NLL {none.ensemble.nll:.3f} vs {none.members.nll:.3f} ({nll.text()}), ECE "
            f"{none.ensemble.ece:.4f} vs {none.members.ece:.4f} ({ece.text()}); members "
            "against the ensemble",
        ),
        Check(
            f"Ensembling helps a dropout network too ({k} seeds: higher accuracy, lower NLL)",
            d_acc.shows("higher") and d_nll.shows("lower"),
            f"{numbers.pct(dropped.ensemble.acc)} vs {numbers.pct(dropped.members.acc)} "
            f"({d_acc.text()}), NLL {dropped.ensemble.nll:.3f} vs {dropped.members.nll:.3f} "
            f"({d_nll.text()}); members against the ensemble",
        ),
    ]


def _reliability(proba: list[np.ndarray], y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean confidence, accuracy) per non-empty bin, pooled over the given [N, C] arrays."""
    p = np.concatenate([q.astype(np.float64) for q in proba])  # [R*N, C]
    labels = np.tile(y, len(proba))
    conf, correct = p.max(1), p.argmax(1) == labels
    index = np.clip(np.ceil(conf * ECE_BINS).astype(int) - 1, 0, ECE_BINS - 1)
    bins = [b for b in range(ECE_BINS) if (index == b).sum() >= 20]  # skip near-empty bins
    return (
        np.array([conf[index == b].mean() for b in bins]),
        np.array([correct[index == b].mean() for b in bins]),
    )


def _plot(store: StudyDir, runs: pd.DataFrame) -> Figure:
    y = store.targets()
    assert y is not None
    proba, proba_mc = store.arrays("proba"), store.arrays("proba_mc")
    ids = {a: list(runs.loc[runs["arm"] == a, "run_id"]) for a in ("none", DROP)}
    curves = [
        ("no dropout (single networks)", [proba[i] for i in ids["none"]], "black", "-"),
        ("no dropout, seed ensemble", [np.mean([proba[i] for i in ids["none"]], 0)], "black", "--"),
        ("dropout, weight scaling", [proba[i] for i in ids[DROP]], "vermillion", "-"),
        ("dropout, MC dropout", [proba_mc[i] for i in ids[DROP] if i in proba_mc], "blue", "-"),
    ]  # fmt: skip
    fig = new_figure(5, 4.2)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color=OKABE_ITO["grey"], lw=0.8, ls=":", label="perfect calibration")
    for label, arrays, colour, style in curves:
        if arrays:
            conf, acc = _reliability(arrays, y)
            ax.plot(conf, acc, style, marker="o", ms=3, label=label, color=OKABE_ITO[colour])
    ax.set(xlabel="confidence (top class probability)", ylabel="accuracy")
    ax.set(title=f"Reliability diagram ({ECE_BINS} bins, test set)")
    ax.legend(frameon=False, fontsize=8)
    return fig


INFERENCE = Demo(
    number=3,
    name="inference",
    title="Dropout in training vs inference: weight scaling, MC dropout, seed ensembles",
    summary="none vs dropout=0.5 on MNIST 5k: weight scaling vs MC dropout vs 5-seed "
    "ensembles; accuracy, NLL, ECE, reliability diagram.",
    cpu_seconds=93,
    body=_body,
)
