"""Demo 1: the homework's comparison (Dropout 0.5 vs none) with enough seeds, and where
Dropout's gain grows or vanishes as the training set shrinks (a learning curve over
``train_subset``: each size is an ordinary study in ``DIR/curve/n-<size>/``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from reglab.api.learning_curve import run_learning_curve
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.tables import markdown_table
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure

__all__ = ["HOMEWORK"]


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    spec = digits_spec(
        "demo-homework",
        ["none", "dropout=0.5"],
        ctx,
        seeds=ctx.size(5, 3),
        epochs=ctx.size(25, 3),
        hidden=(512,),
    )
    sizes = ctx.size([100, 300, 1200], [100, 300])
    curve = run_learning_curve(spec, sizes, ctx.out / "curve", quiet=ctx.quiet)
    table = curve.table
    drop = table[table["arm"] == "dropout=0.5"].set_index("train_size")
    none = table[table["arm"] == "none"].set_index("train_size")
    rows = [_row(n, none.loc[n], drop.loc[n]) for n in sizes]
    header = ["train images", "test acc none", "test acc dropout", "Δ [95% CI]", "verdict"]
    header += ["gap none", "gap dropout"]
    body = markdown_table(header, rows)
    small, large = sizes[0], sizes[-1]
    checks = [
        Check(
            f"Dropout 0.5 raises test accuracy with all {large} training images",
            drop.loc[large, "verdict"] == "better",
            f"Δ {numbers.pp(drop.loc[large, 'delta_vs_baseline'])}, "
            f"verdict '{drop.loc[large, 'verdict']}'",
        ),
        Check(
            f"Dropout shrinks the train–test gap on {small} training images",
            drop.loc[small, "gap_mean"] < none.loc[small, "gap_mean"],
            f"gap {numbers.plain_pp(none.loc[small, 'gap_mean'])} without, "
            f"{numbers.plain_pp(drop.loc[small, 'gap_mean'])} with Dropout",
        ),
        Check(
            "Dropout's gain is larger with fewer training images",
            drop.loc[small, "delta_vs_baseline"] > drop.loc[large, "delta_vs_baseline"],
            f"Δ {numbers.pp(drop.loc[small, 'delta_vs_baseline'])} at {small}, "
            f"{numbers.pp(drop.loc[large, 'delta_vs_baseline'])} at {large}",
        ),
    ]
    figure = ctx.figure("dropout-by-size", _plot(sizes, none, drop))
    setting = setting_line(spec).replace("all training images", f"{sizes} training images")
    return setting, body, [figure], checks


def _row(n: int, none: pd.Series, drop: pd.Series) -> list[str]:
    ci = (drop["delta_lo"], drop["delta_hi"])
    return [
        str(n),
        numbers.pct(none["test_acc_mean"]),
        numbers.pct(drop["test_acc_mean"]),
        f"{numbers.pp(drop['delta_vs_baseline'])} {numbers.interval_pp(ci)}",
        str(drop["verdict"]),
        numbers.plain_pp(none["gap_mean"]),
        numbers.plain_pp(drop["gap_mean"]),
    ]


def _plot(sizes: list[int], none: pd.DataFrame, drop: pd.DataFrame) -> Figure:
    fig = new_figure(7, 2.8)
    left, right = fig.subplots(1, 2)
    for frame, label, colour in ((none, "none", "black"), (drop, "dropout=0.5", "blue")):
        left.plot(
            sizes, frame.loc[sizes, "gap_mean"] * 100, "o-", label=label, color=OKABE_ITO[colour]
        )
    left.set(xscale="log", xlabel="training images", ylabel="train − test accuracy (pp)")
    left.legend(frameon=False)
    d = drop.loc[sizes]
    right.errorbar(
        sizes,
        d["delta_vs_baseline"] * 100,
        yerr=[
            (d["delta_vs_baseline"] - d["delta_lo"]) * 100,
            (d["delta_hi"] - d["delta_vs_baseline"]) * 100,
        ],
        fmt="o-",
        color=OKABE_ITO["blue"],
        capsize=3,
    )
    right.axhline(0, color=OKABE_ITO["grey"], lw=0.8)
    right.set(xscale="log", xlabel="training images", ylabel="Δ test acc, dropout − none (pp)")
    return fig


HOMEWORK = Demo(
    number=1,
    name="homework",
    title="Dropout vs none, with enough seeds, by training-set size",
    summary="Dropout 0.5 vs none, 5 paired seeds, 25 epochs, at 100/300/1200 digits images.",
    cpu_minutes=6.0,
    body=_body,
)
