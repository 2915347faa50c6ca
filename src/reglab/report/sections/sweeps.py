"""Section "Validation curves over strength": test accuracy and gap along each sweep.

A sweep of the spec (``[[sweeps]]``) is drawn over every arm that differs from its base arm
only in the swept technique's strength, the base arm included at strength 0 (or "off")::

    >>> [(p.arm, p.strength) for p in sweep_points(inputs, "l2", "none")]
    [('none', 0.0), ('l2=0.0001', 0.0001), ('l2=1e-3', 0.001)]
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from reglab.arms import ARM_KEYS, parse_arm
from reglab.config import Regularization
from reglab.errors import ConfigError
from reglab.report.blocks import Block, Image, Paragraph, Section
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import DIFFERENCE, SHARE, plain_pp
from reglab.report.plotting import (
    OKABE_ITO,
    band,
    new_figure,
    num,
    png,
    share_limits,
    strength_axis,
    strength_label,
)
from reglab.report.sections import _metric as m
from reglab.report.sections._metric import p_is

__all__ = ["SweepPoint", "section", "sweep_note", "sweep_points", "validation_curve"]


def section(inputs: ReportInputs) -> Section | None:
    """One figure and one sentence per sweep with at least two points; None without any."""
    blocks: list[Block] = []
    for i, sweep in enumerate(inputs.spec.get("sweeps", [])):
        technique, base = sweep.get("technique", "?"), sweep.get("base", "none")
        points = sweep_points(inputs, technique, base)
        if len(points) < 2:
            continue
        caption = (
            f"{technique} sweep on {base}: test accuracy and gap against strength (log scale, "
            "the base arm at 0), mean and 95% CI over seeds."
        )
        blocks += [
            Image(f"sweep_{i}_{technique}", validation_curve(inputs, points, technique), caption),
            Paragraph(sweep_note(inputs, technique, points)),
        ]
    return Section("Validation curves over strength", "sweeps", blocks) if blocks else None


def sweep_note(inputs: ReportInputs, technique: str, points: list[SweepPoint]) -> str:
    """The measured accuracy and gap at each strength, and the verdicts against the baseline
    along the sweep: no "highest at" without a test (the verdicts are the tests)."""
    assert inputs.summary is not None
    s = inputs.summary
    arms = [inputs.arm(p.arm) for p in points]
    values = "; ".join(
        f"{_shown(p.strength)}: {m.value(s, a.stat(s.metric).mean)}"
        + (f", gap {plain_pp(a.gap.mean)}" if a.gap.mean is not None else "")
        for p, a in zip(points, arms, strict=True)
    )
    text = f"Over {len(points)} strengths of {technique} (mean over seeds): {values}."
    decided = [
        f"{a.name} {a.vs_baseline.verdict} (Holm p{p_is(a.vs_baseline.p_holm)})"
        for a in arms
        if a.vs_baseline is not None and a.vs_baseline.verdict in ("better", "worse")
    ]
    if decided:
        return text + f" Against the baseline {s.baseline}: " + "; ".join(decided) + "."
    return text + (
        f" No strength on this line is detectably better or worse than the baseline "
        f"{s.baseline} (the verdicts); differences between strengths are not tested."
    )


def _shown(value: float) -> str:
    return "off" if value == math.inf else f"{value:g}"


def validation_curve(inputs: ReportInputs, points: list[SweepPoint], technique: str) -> bytes:
    """Test accuracy and generalization gap against one technique's strength (95% CI band)."""
    axis = strength_axis([p.strength for p in points])
    fig = new_figure(9.0, 3.6)
    left, right = fig.subplots(1, 2)
    for ax, metric, label, colour, valid in (
        (left, "test_acc", "test accuracy (%)", OKABE_ITO["blue"], SHARE),
        (right, "gap", "generalization gap (pp)", OKABE_ITO["orange"], DIFFERENCE),
    ):
        stats = [inputs.arm(p.arm).stat(metric) for p in points]
        band(ax, axis.x, stats, colour, valid)
        mean = np.array([num(s.mean) for s in stats]) * 100
        ax.plot(axis.x, mean, color=colour, marker="o", label="mean over seeds")
        axis.apply(ax, strength_label(technique))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    share_limits(left, "y")
    left.set_title(f"test accuracy vs {technique}", fontsize=10)
    right.set_title(f"train − test accuracy vs {technique}", fontsize=10)
    # One legend for both panels, above them: never over a band or a point.
    fig.legend(
        *left.get_legend_handles_labels(), loc="outside upper center", ncols=2, frameon=False
    )
    return png(fig)


# ---- sweeps: arms that differ from a base arm only in one technique's strength -----------
@dataclass(frozen=True)
class SweepPoint:
    """One arm of a sweep: its strength (0 or inf: the technique off, i.e. the base arm)."""

    arm: str
    strength: float


_FIELDS = {k.key: k.field for k in ARM_KEYS}


def sweep_points(inputs: ReportInputs, technique: str, base: str) -> list[SweepPoint]:
    """The study's arms on one sweep's line, the base arm included, sorted by strength.

    Any arm equal to ``base`` but for ``technique`` counts, so an arm listed outside the
    sweep (``l2=1e-3`` beside a sweep over l2) lands on the curve too.
    """
    name = _FIELDS.get(technique)
    base_reg = _parse(base)
    if name is None or base_reg is None:
        return []
    off = _strength(base_reg, name)
    points = []
    for arm in inputs.arms:
        reg = _parse(arm.name)
        if reg is None or _without(reg, name) != _without(base_reg, name):
            continue
        value = _strength(reg, name)
        if arm.name == base or value != off:
            points.append(SweepPoint(arm.name, value))
    return sorted(points, key=lambda p: (p.strength, p.arm))


def _parse(arm: str) -> Regularization | None:
    try:
        return parse_arm(arm)
    except ConfigError:
        return None


def _without(reg: Regularization, name: str) -> Regularization:
    off: Any = {"maxnorm": None, "early_stopping": None, "bn": False}.get(name, 0.0)
    return dataclasses.replace(reg, **{name: off})


def _strength(reg: Regularization, name: str) -> float:
    """The technique's strength; inf for max-norm / early stopping switched off."""
    value = getattr(reg, name)
    if name == "early_stopping":
        return math.inf if value is None else float(value.patience)
    if name == "maxnorm":
        return math.inf if value is None else float(value)
    return float(value)
