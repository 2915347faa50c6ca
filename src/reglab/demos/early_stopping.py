"""Demo 4: early stopping on a run that overfits (a small subset, long training): the best
epoch, the train/validation curves, and what stopping with restore-best buys on the test set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import arm_test
from reglab.demos.curves import arm_curve, run_curves
from reglab.demos.tables import arm_table
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure

__all__ = ["EARLY_STOPPING"]


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    epochs = ctx.size(40, 30)
    spec = digits_spec(
        "demo-early-stopping",
        ["none", "es=5"],
        ctx,
        seeds=ctx.size(10, 3),
        epochs=epochs,
        train_subset=ctx.size(100, 100),
        batch_size=10,
        optimizer={"lr": 1e-2},
        early_stopping={"monitor": "val_loss", "restore_best": True},
    )
    s = ctx.study("study", spec)
    directory = ctx.out / "study"
    val = run_curves(directory, "none", "val_loss")  # [R, E]
    best = np.nanargmin(val, axis=1) + 1  # [R] epoch of the lowest validation loss
    es, none = s.arm("es=5"), s.arm("none")
    body = arm_table(
        s,
        [
            ("test loss (NLL)", lambda a: f"{a.test_loss.mean:.3f}" if a.test_loss.mean else "n/a"),
            ("stop epoch", lambda a: f"{a.stop_epoch.mean:.1f}" if a.stop_epoch.mean else "n/a"),
            ("best epoch", lambda a: f"{a.best_epoch.mean:.1f}" if a.best_epoch.mean else "n/a"),
            ("train s/run", lambda a: numbers.seconds(a.train_seconds.mean)),
        ],
    )
    body += (
        f"\nWithout early stopping the validation loss is lowest at epoch "
        f"{np.mean(best):.1f} on average (range {best.min()}–{best.max()}) of {epochs}.\n"
    )
    vs = es.vs_baseline
    nll = arm_test(directory, "es=5", "none", lambda r: r.test_loss)
    checks = [
        Check(
            "When a run overfits, its best validation epoch comes well before the last",
            bool(np.all(best < epochs)) and float(np.mean(best)) < 0.75 * epochs,
            f"best epoch {np.mean(best):.1f} of {epochs} (mean of {len(best)} seeds; 'well "
            f"before': under 3/4 of the way; latest {best.max()})",
        ),
        Check(
            "Early stopping (patience 5, restore best) saves most of the training time",
            (es.train_seconds.mean or 0) < 0.75 * (none.train_seconds.mean or 1),
            f"{numbers.seconds(es.train_seconds.mean)} vs "
            f"{numbers.seconds(none.train_seconds.mean)} per run",
        ),
        Check(
            "Early stopping improves test accuracy over training to the end",
            vs is not None and vs.verdict == "better",
            f"Δ {numbers.pp(vs.delta if vs else None)}, verdict '{vs.verdict if vs else 'n/a'}'",
        ),
        Check(
            "Stopping at the best validation loss gives a lower test loss (NLL)",
            nll.shows("lower"),
            f"test NLL {es.test_loss.mean or float('nan'):.3f} vs "
            f"{none.test_loss.mean or float('nan'):.3f} (mean over seeds); {nll.text()}",
        ),
    ]
    figure = ctx.figure("curves", _plot(directory, float(np.mean(best))))
    return setting_line(spec), body, [figure], checks


def _plot(directory: Path, best: float) -> Figure:
    fig = new_figure(7, 2.8)
    loss_ax, acc_ax = fig.subplots(1, 2)
    for field, style in (("train", "--"), ("val", "-")):
        x, loss = arm_curve(directory, "none", f"{field}_loss")
        loss_ax.plot(x, loss, style, color=OKABE_ITO["black"], label=f"{field} loss")
        x, acc = arm_curve(directory, "none", f"{field}_acc")
        acc_ax.plot(x, acc * 100, style, color=OKABE_ITO["black"], label=f"{field} acc")
    for ax in (loss_ax, acc_ax):
        ax.axvline(best, color=OKABE_ITO["vermillion"], ls=":", label="mean best epoch")
        ax.set_xlabel("epoch")
        ax.legend(frameon=False, fontsize=8)
    loss_ax.set_ylabel("loss (arm none)")
    acc_ax.set_ylabel("accuracy % (arm none)")
    return fig


EARLY_STOPPING = Demo(
    number=4,
    name="early-stopping",
    title="Early stopping on an overfitting run",
    summary="100 images, 40 epochs, Adam 1e-2: best epoch, train/val curves, none vs es=5.",
    cpu_seconds=2,
    body=_body,
)
