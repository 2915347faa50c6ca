"""Demo 7: weight decay vs an L2 penalty. Under plain SGD, ``wd = 2·l2`` is the same update
(the penalty l2·Σw² has gradient 2·l2·w); under Adam the penalty's gradient is rescaled per
weight and decoupled decay is not (Loshchilov & Hutter 2019), so the two differ — by how much?"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reglab.analysis.results import ArmSummary, StudySummary
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import mean_test, per_seed, seed_pairs
from reglab.demos.tables import arm_table
from reglab.report import numbers

__all__ = ["ADAM_DECAY"]

L2, WD = "l2=0.005", "wd=0.01"  # wd = 2·l2: the same step under SGD
ARMS = ["none", L2, WD]


def _norm(a: ArmSummary) -> str:
    return f"{a.weight_l2[0]:.2f}" if a.weight_l2 else "n/a"


def _norm_gaps(directory: Path) -> list[float]:
    """Per seed, how far apart the two arms' first-layer norms are, relative to wd's."""
    l2, wd = seed_pairs(
        per_seed(directory, L2, lambda r: r.weight_l2[0]),
        per_seed(directory, WD, lambda r: r.weight_l2[0]),
    )
    return [abs(a - b) / max(b, 1e-12) for a, b in zip(l2, wd, strict=True)]


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    seeds, epochs = ctx.size(10, 3), ctx.size(6, 4)
    studies: dict[str, StudySummary] = {}
    specs = {}
    for opt, table in (
        ("adam", {"name": "adam", "lr": 1e-3}),
        ("sgd", {"name": "sgd", "lr": 0.05}),
    ):
        specs[opt] = digits_spec(
            f"demo-adam-decay-{opt}", ARMS, ctx, seeds=seeds, epochs=epochs, optimizer=table
        )
        studies[opt] = ctx.study(opt, specs[opt])
    extra = [("‖W₁‖₂ (first layer)", _norm)]
    body = "**Adam (lr 0.001)**\n\n" + arm_table(studies["adam"], extra)
    body += "\n**SGD (lr 0.05, no momentum)**\n\n" + arm_table(studies["sgd"], extra)
    body += (
        "\nUnder Adam, decoupled decay multiplies each kernel weight by 1 − lr·wd = 1 − 1e-5 "
        "per step, which is tiny; the L2 gradient 2·l2·w is divided by Adam's running RMS "
        "of the gradient, so for weights with small data gradients it moves them by about lr "
        "per step. The same nominal strength therefore means very different things.\n"
    )
    rel = {opt: _norm_gaps(ctx.out / opt) for opt in studies}  # per seed |Δ‖W₁‖| / ‖W₁‖
    acc = {
        opt: abs((s.arm(L2).test_acc.mean or 0) - (s.arm(WD).test_acc.mean or 0))
        for opt, s in studies.items()
    }
    same, apart = mean_test(rel["sgd"], 0.01), mean_test(rel["adam"], 0.10)
    checks = [
        Check(
            f"Under SGD, {WD} and {L2} train the same network (norms within 1%)",
            same.shows("lower"),
            f"first-layer norms differ by {np.mean(rel['sgd']):.2%} (mean over seeds; "
            f"against 1%: {same.text()}), accuracies by {numbers.plain_pp(acc['sgd'])}",
        ),
        Check(
            f"Under Adam, {WD} and {L2} differ (norms more than 10% apart)",
            apart.shows("higher"),
            f"first-layer norms differ by {np.mean(rel['adam']):.0%} (mean over seeds; "
            f"against 10%: {apart.text()}), accuracies by {numbers.plain_pp(acc['adam'])}",
        ),
    ]
    setting = setting_line(specs["adam"]).replace("adam lr 0.001", "adam lr 0.001 / sgd lr 0.05")
    return setting, body, [], checks


ADAM_DECAY = Demo(
    number=7,
    name="adam-decay",
    title="Weight decay vs L2 under Adam (and SGD)",
    summary="l2=0.005 vs wd=0.01 under Adam and under SGD: same under SGD, how far apart under Adam.",
    cpu_seconds=5,
    body=_body,
)
