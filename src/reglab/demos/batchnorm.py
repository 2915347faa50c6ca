"""Demo 5: Batch Norm — does it speed convergence, does it regularize, alone and with Dropout?"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from reglab.analysis.results import StudySummary
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import arm_test, epoch_test, train_test_gap
from reglab.demos.curves import arm_curve
from reglab.demos.tables import arm_table
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure

__all__ = ["BATCHNORM"]

ARMS = ["none", "bn", "dropout=0.5", "dropout=0.5+bn"]
_COLOURS = {"none": "black", "bn": "blue", "dropout=0.5": "orange", "dropout=0.5+bn": "green"}


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    spec = digits_spec(
        "demo-batchnorm",
        ARMS,
        ctx,
        seeds=ctx.size(10, 3),
        epochs=ctx.size(20, 4),
        train_subset=ctx.size(300, 200),
    )
    s = ctx.study("study", spec)
    directory = ctx.out / "study"
    at = max(1, spec.train.epochs // 4)  # early in training: how fast each arm learns
    first = {a: float(arm_curve(directory, a, "val_acc")[1][at - 1]) for a in s.names}
    body = arm_table(
        s,
        [
            (f"val acc after epoch {at}", lambda a: numbers.pct(first[a.name], 1)),
            ("train s/run", lambda a: numbers.seconds(a.train_seconds.mean)),
        ],
    )
    bn, none = s.arm("bn"), s.arm("none")
    speed = epoch_test(directory, "bn", "none", "val_acc", at)
    gap = arm_test(directory, "bn", "none", train_test_gap)
    checks = [
        Check(
            f"Batch Norm speeds convergence (higher validation accuracy after epoch {at})",
            speed.shows("higher"),
            f"{numbers.pct(first['bn'], 1)} vs {numbers.pct(first['none'], 1)}; {speed.text()}",
        ),
        Check(
            "Batch Norm regularizes (smaller train–test gap than none)",
            gap.shows("lower"),
            f"gap {numbers.plain_pp(bn.gap.mean)} vs {numbers.plain_pp(none.gap.mean)}; "
            f"{gap.text()}",
        ),
        Check(
            "Batch Norm raises test accuracy",
            bn.vs_baseline is not None and bn.vs_baseline.verdict == "better",
            f"Δ {numbers.pp(bn.vs_baseline.delta if bn.vs_baseline else None)}, verdict "
            f"'{bn.vs_baseline.verdict if bn.vs_baseline else 'n/a'}'",
        ),
    ]
    figure = ctx.figure("val-acc", _plot(directory, s))
    return setting_line(spec), body, [figure], checks


def _plot(directory: Path, summary: StudySummary) -> Figure:
    fig = new_figure(6, 3)
    ax = fig.subplots()
    for arm in summary.names:
        x, acc = arm_curve(directory, arm, "val_acc")
        ax.plot(x, acc * 100, "-", label=arm, color=OKABE_ITO[_COLOURS.get(arm, "grey")])
    ax.set(xlabel="epoch", ylabel="validation accuracy %")
    ax.legend(frameon=False)
    return fig


BATCHNORM = Demo(
    number=5,
    name="batchnorm",
    title="Batch Norm alone and with Dropout",
    summary="none, bn, dropout=0.5, dropout+bn; 300 images, 20 epochs: convergence, gap, accuracy.",
    cpu_seconds=4,
    body=_body,
)
