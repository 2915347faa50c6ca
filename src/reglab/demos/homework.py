"""Demo 1: the homework's comparison (Dropout 0.5 vs none) with enough seeds, then where
Dropout's gain grows or vanishes: training-set size, epochs, width.

Each setting is an ordinary study (resumable, with its report) in its own folder:

    DIR/mnist/            the homework's own setup on MNIST (784-512-10, Adam, batch 32)
    DIR/curve/n-<size>/   a learning curve over ``train_subset`` on digits
    DIR/epochs/e-<E>/     E epochs on a small digits subset
    DIR/width/h-<H>/      hidden width H on the same subset

``--quick`` replaces MNIST by digits (seconds, and no download) and shrinks every axis.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reglab.analysis.results import ArmSummary, Comparison, StudySummary
from reglab.analysis.summary import load_summary
from reglab.api.learning_curve import run_learning_curve
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import arm_test, larger_gain, seed_gains, train_test_gap
from reglab.demos.tables import arm_table, markdown_table
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure
from reglab.store import StudyDir
from reglab.study import StudySpec

__all__ = ["HOMEWORK", "HOMEWORK_ONE_RUN"]

# The homework's numbers: one Keras run per arm, 10 epochs on MNIST.
HOMEWORK_ONE_RUN = {"none": 0.9797, "dropout=0.5": 0.9807}
ARMS = ["none", "dropout=0.5"]
ROW_HEADER = ["test acc none", "test acc dropout", "Δ [95% CI]", "verdict"]
ROW_HEADER += ["gap none", "gap dropout"]

Part = tuple[str, list[Path], list[Check]]


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    parts = [_homework(ctx), _by_size(ctx)]
    axes = [_by_axis(ctx, "epochs", "epochs", ctx.size([5, 25, 100], [2, 6]))]
    axes.append(_by_axis(ctx, "width", "hidden units", ctx.size([32, 128, 512], [32, 128])))
    figure = ctx.figure("dropout-by-epochs-width", _plot_axes(axes))
    body = "".join(p[0] for p in parts) + "".join(a.body for a in axes)
    figures = [f for p in parts for f in p[1]] + [figure]
    checks = [c for p in parts for c in p[2]] + [a.check for a in axes]
    spec = _small(ctx, "demo-homework", epochs=ctx.size(25, 3))
    sizes = ctx.size([100, 300, 1200], [100, 300])
    small = setting_line(spec).replace("all training images", f"{sizes} training images")
    setting = (
        f"{_homework_setting(ctx)}. Then {small}; epochs and width varied on "
        f"{ctx.size(300, 100)} training images"
    )
    return setting, body, figures, checks


def _small(ctx: DemoContext, name: str, **changes: int) -> StudySpec:
    """The digits study every axis varies: MLP 512, Adam 1e-3, batch 32."""
    return digits_spec(
        name, ARMS, ctx, seeds=ctx.size(10, 3), epochs=changes.get("epochs", 25), hidden=(512,)
    )


# ---- the homework's own setup ------------------------------------------------------------
def _homework_spec(ctx: DemoContext) -> StudySpec:
    if ctx.quick:  # no MNIST in the tiny setting: digits, all 1,200 training images
        return digits_spec("demo-homework-mnist", ARMS, ctx, seeds=3, epochs=3, hidden=(512,))
    table = {
        "name": "demo-homework-mnist",
        "arms": ARMS,
        "seeds": 5,
        "data": {"name": "mnist"},
        "model": {"hidden": [512]},
        "optimizer": {"lr": 1e-3},
        "train": {"epochs": 3, "batch_size": 32, "device": ctx.device},
    }
    return StudySpec.from_dict(table, where="the demo 'homework'")


def _homework_setting(ctx: DemoContext) -> str:
    spec = _homework_spec(ctx)
    return f"The homework's setup: {setting_line(spec)} (the homework: 10 epochs, one run each)"


def _homework(ctx: DemoContext) -> Part:
    s = ctx.study("mnist", _homework_spec(ctx))
    data = "MNIST" if not ctx.quick else "digits (quick: no MNIST)"
    epochs = f"{s.arm('none').n} paired seeds, {_homework_spec(ctx).train.epochs} epochs"
    body = f"**The homework's comparison, {data}, {epochs}:**\n\n"
    body += arm_table(
        s,
        [
            ("sd over seeds", lambda a: numbers.plain_pp(a.test_acc.std)),
            ("homework (1 run, 10 epochs)", lambda a: numbers.pct(HOMEWORK_ONE_RUN.get(a.name))),
        ],
    )
    none, drop = s.arm("none").test_acc.std, s.arm("dropout=0.5").test_acc.std
    vs = s.arm("dropout=0.5").vs_baseline
    delta, (lo, hi) = (vs.delta, vs.ci95) if vs else (None, (None, None))
    one_run = HOMEWORK_ONE_RUN["dropout=0.5"] - HOMEWORK_ONE_RUN["none"]
    if none is not None and drop is not None:
        body += (
            f"\nTwo single runs, one per arm, differ by chance with an sd of about "
            f"{numbers.plain_pp(math.hypot(none, drop))} (from the sds above): the homework's "
            f"{numbers.pp(one_run)} is a single draw of that.\n"
        )
    inside = lo is not None and hi is not None and lo <= one_run <= hi
    checks = [
        Check(
            f"Dropout 0.5 raises test accuracy in the homework's setup ({data}, {epochs}; "
            "the homework ran 10)",
            vs is not None and vs.verdict == "better",
            f"Δ {numbers.pp(delta)} {numbers.interval_pp((lo, hi))}, verdict "
            f"'{vs.verdict if vs else 'n/a'}'",
        ),
        Check(
            "The homework's one-run difference (98.07% vs 97.97% after 10 epochs) lies inside "
            "the 95% CI of the difference measured here over seeds",
            inside,
            f"{numbers.pp(one_run)} vs CI {numbers.interval_pp((lo, hi))}",
        ),
    ]
    return body + "\n", [], checks


# ---- training-set size -------------------------------------------------------------------
def _by_size(ctx: DemoContext) -> Part:
    spec = _small(ctx, "demo-homework", epochs=ctx.size(25, 3))
    sizes = ctx.size([100, 300, 1200], [100, 300])
    curve = run_learning_curve(spec, sizes, ctx.out / "curve", quiet=ctx.quiet)
    table = curve.table
    drop = table[table["arm"] == "dropout=0.5"].set_index("train_size")
    none = table[table["arm"] == "none"].set_index("train_size")
    rows = [_curve_row(n, none.loc[n], drop.loc[n]) for n in sizes]
    body = f"**By training-set size** (digits, {spec.train.epochs} epochs, hidden 512):\n\n"
    body += markdown_table(["train images", *ROW_HEADER], rows) + "\n"
    small, large = sizes[0], sizes[-1]
    checks = [
        Check(
            f"Dropout 0.5 raises test accuracy with all {large} training images",
            drop.loc[large, "verdict"] == "better",
            f"Δ {numbers.pp(drop.loc[large, 'delta_vs_baseline'])}, "
            f"verdict '{drop.loc[large, 'verdict']}'",
        ),
        _gap_check(curve.studies[small], small, none.loc[small], drop.loc[small]),
        larger_gain(
            "Dropout's gain is larger with fewer training images",
            seed_gains(_summary(curve.studies[small]), "dropout=0.5"),
            seed_gains(_summary(curve.studies[large]), "dropout=0.5"),
            f"{small} images",
            f"{large}",
        ),
    ]
    figure = ctx.figure("dropout-by-size", _plot_size(sizes, none, drop))
    return body, [figure], checks


def _gap_check(directory: Path, size: int, none: pd.Series, drop: pd.Series) -> Check:
    """Dropout's gap below none's: a paired t-test over the seeds of the study at ``size``."""
    test = arm_test(directory, "dropout=0.5", "none", train_test_gap)
    return Check(
        f"Dropout shrinks the train–test gap on {size} training images",
        test.shows("lower"),
        f"gap {numbers.plain_pp(none['gap_mean'])} without, "
        f"{numbers.plain_pp(drop['gap_mean'])} with Dropout; {test.text()}",
    )


def _summary(directory: Path) -> StudySummary:
    """The summary of a size's finished study (the curve has just written it)."""
    summary = load_summary(StudyDir(directory))
    if summary is None:
        raise AssertionError(f"{directory} has no summary after its curve finished")
    return summary


def _curve_row(n: int, none: pd.Series, drop: pd.Series) -> list[str]:
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


# ---- epochs and width: one ordinary study per setting ------------------------------------
@dataclasses.dataclass(frozen=True)
class _Axis:
    """One axis (epochs or width): its values, their studies, table and check."""

    name: str
    label: str
    values: tuple[int, ...]
    summaries: tuple[StudySummary, ...]
    body: str
    check: Check

    def dropout(self) -> list[ArmSummary]:
        return [s.arm("dropout=0.5") for s in self.summaries]


def _axis_spec(ctx: DemoContext, axis: str, value: int) -> StudySpec:
    spec = _small(ctx, f"demo-homework-{axis}-{value}", epochs=ctx.size(25, 3))
    spec = dataclasses.replace(
        spec, data=dataclasses.replace(spec.data, train_subset=ctx.size(300, 100))
    )
    if axis == "epochs":
        return dataclasses.replace(spec, train=dataclasses.replace(spec.train, epochs=value))
    return dataclasses.replace(spec, model=dataclasses.replace(spec.model, hidden=(value,)))


def _by_axis(ctx: DemoContext, axis: str, label: str, values: Sequence[int]) -> _Axis:
    folder = {"epochs": "e", "width": "h"}[axis]
    summaries = [ctx.study(f"{axis}/{folder}-{v}", _axis_spec(ctx, axis, v)) for v in values]
    rows = [[str(v), *_study_row(s)] for v, s in zip(values, summaries, strict=True)]
    fixed = "hidden 512" if axis == "epochs" else f"{ctx.size(25, 3)} epochs"
    body = f"**By {label}** (digits, {ctx.size(300, 100)} training images, {fixed}):\n\n"
    body += markdown_table([label, *ROW_HEADER], rows) + "\n"
    what = "longer training" if axis == "epochs" else "a wider network"
    check = larger_gain(
        f"Dropout's gain is larger with {what} ({values[-1]} {label} vs {values[0]})",
        seed_gains(summaries[-1], "dropout=0.5"),
        seed_gains(summaries[0], "dropout=0.5"),
        f"{values[-1]}",
        f"{values[0]}",
    )
    return _Axis(axis, label, tuple(values), tuple(summaries), body, check)


def _study_row(s: StudySummary) -> list[str]:
    none, drop = s.arm("none"), s.arm("dropout=0.5")
    vs = drop.vs_baseline
    return [
        numbers.pct(none.test_acc.mean),
        numbers.pct(drop.test_acc.mean),
        f"{numbers.pp(vs.delta if vs else None)} {numbers.interval_pp(vs.ci95 if vs else None)}",
        vs.verdict if vs else "n/a",
        numbers.plain_pp(none.gap.mean),
        numbers.plain_pp(drop.gap.mean),
    ]


# ---- figures -------------------------------------------------------------------------------
Delta = tuple[float | None, float | None, float | None]  # Δ, CI low, CI high


def _delta_bars(ax: Axes, x: Sequence[int], deltas: Sequence[Delta]) -> None:
    """Δ test accuracy (dropout − none) with its 95% CI per setting, in pp."""
    mid, lo, hi = (
        [100 * (v if v is not None else math.nan) for v in col] for col in zip(*deltas, strict=True)
    )
    err = [
        [m - a for m, a in zip(mid, lo, strict=True)],
        [b - m for m, b in zip(mid, hi, strict=True)],
    ]
    ax.errorbar(x, mid, yerr=err, fmt="o-", color=OKABE_ITO["blue"], capsize=3)
    ax.axhline(0, color=OKABE_ITO["grey"], lw=0.8)
    _log_ticks(ax, x)


def _log_ticks(ax: Axes, x: Sequence[int]) -> None:
    """A log x axis labelled at the settings themselves (no 3×10¹ minor labels)."""
    ax.set_xscale("log")
    ax.set_xticks(list(x), labels=[str(v) for v in x])
    ax.minorticks_off()


def _delta(vs: Comparison | None) -> Delta:
    return (None, None, None) if vs is None else (vs.delta, *vs.ci95)


def _plot_size(sizes: list[int], none: pd.DataFrame, drop: pd.DataFrame) -> Figure:
    fig = new_figure(7, 2.8)
    left, right = fig.subplots(1, 2)
    for frame, label, colour in ((none, "none", "black"), (drop, "dropout=0.5", "blue")):
        left.plot(
            sizes, frame.loc[sizes, "gap_mean"] * 100, "o-", label=label, color=OKABE_ITO[colour]
        )
    left.set(xlabel="training images", ylabel="train − test accuracy (pp)")
    _log_ticks(left, sizes)
    left.legend(frameon=False)
    d = drop.loc[sizes]
    _delta_bars(
        right, sizes, list(zip(d["delta_vs_baseline"], d["delta_lo"], d["delta_hi"], strict=True))
    )
    right.set(xlabel="training images", ylabel="Δ test acc, dropout − none (pp)")
    return fig


def _plot_axes(axes: Sequence[_Axis]) -> Figure:
    fig = new_figure(7, 2.8)
    panels = fig.subplots(1, len(axes), sharey=True)
    for ax, axis in zip(panels, axes, strict=True):
        _delta_bars(ax, axis.values, [_delta(a.vs_baseline) for a in axis.dropout()])
        ax.set(xlabel=axis.label)
    panels[0].set_ylabel("Δ test acc, dropout − none (pp)")
    return fig


HOMEWORK = Demo(
    number=1,
    name="homework",
    title="Dropout vs none: the homework, with enough seeds, by size, epochs and width",
    summary="MNIST 784-512-10 5 seeds × 3 epochs; then digits (10 seeds) by size, epochs and width.",
    cpu_seconds=134,
    body=_body,
)
