"""Demo 10: choosing under a budget — each technique's accuracy gain against the training
time it costs, measured side by side (each arm trains as its own pack, so times compare)."""

from __future__ import annotations

from pathlib import Path

from reglab.analysis.results import ArmSummary
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import mean_test
from reglab.demos.tables import markdown_table
from reglab.report import numbers

__all__ = ["BUDGET"]

ARMS = ["none", "dropout=0.5", "l2=1e-4", "maxnorm=3", "bn", "es=5"]


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    spec = digits_spec(
        "demo-budget",
        ARMS,
        ctx,
        seeds=ctx.size(10, 3),
        epochs=ctx.size(30, 5),
        train_subset=ctx.size(200, 200),
        batch_size=10,
        optimizer={"lr": 3e-3},
    )
    s = ctx.study("study", spec)
    base, es, epochs = s.arm(s.baseline), s.arm("es=5"), spec.train.epochs
    rows = [_row(a, base) for a in s.arms]
    header = ["arm", "test acc", "Δ vs none [95% CI]", "verdict", "epochs", "train s/run"]
    header.append("time ×")
    header.append("Δ pp per extra s")
    body = markdown_table(header, rows)
    body += (
        "\n'Δ pp per extra s': the accuracy change (percentage points) per second of training "
        "beyond the baseline's; shown only when the difference is detectable and the arm "
        "costs more time. Times were measured on a shared 2-core machine under heavy load: "
        "read them as rough.\n"
    )
    fastest = min(s.arms, key=lambda a: a.train_seconds.mean or float("inf"))
    better = [a.name for a in s.others if a.vs_baseline and a.vs_baseline.verdict == "better"]
    short = mean_test([r.stop_epoch for r in es.runs if r.status == "ok"], epochs)
    checks = [
        Check(
            "Some regularizer beats no regularization in this setting",
            bool(better),
            "better: " + (", ".join(better) if better else "none of them"),
        ),
        Check(
            "Early stopping cuts training short (fewer epochs than the budget)",
            short.shows("lower"),
            f"es=5 stopped after {es.stop_epoch.mean or float('nan'):.1f} of {epochs} epochs "
            f"(mean over seeds; against {epochs}: {short.text()}); "
            f"fastest arm: {fastest.name} ({numbers.seconds(fastest.train_seconds.mean)}/run)",
        ),
    ]
    return setting_line(spec), body, [], checks


def _row(arm: ArmSummary, base: ArmSummary) -> list[str]:
    vs = arm.vs_baseline
    extra = (arm.train_seconds.mean or 0) - (base.train_seconds.mean or 0)
    rate = "—"
    if vs is not None and vs.delta is not None and vs.verdict in ("better", "worse"):
        rate = f"{100 * vs.delta / extra:+.2f}" if extra > 0 else "free (faster)"
    return [
        f"`{arm.name}`",
        numbers.pct(arm.test_acc.mean),
        "—" if vs is None else f"{numbers.pp(vs.delta)} {numbers.interval_pp(vs.ci95)}",
        "baseline" if vs is None else vs.verdict,
        f"{arm.stop_epoch.mean:.1f}" if arm.stop_epoch.mean is not None else "n/a",
        numbers.seconds(arm.train_seconds.mean),
        numbers.ratio(arm.time_vs_baseline) if vs is not None else "×1.00",
        rate,
    ]


BUDGET = Demo(
    number=10,
    name="budget",
    title="Accuracy per second of training",
    summary="none, dropout, l2, maxnorm, bn, es; 200 images, 30 epochs: gain vs time.",
    cpu_seconds=6,
    body=_body,
)
