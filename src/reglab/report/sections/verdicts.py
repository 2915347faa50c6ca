"""Section "Verdicts": every arm against the baseline, as a table and one sentence per arm.

>>> section(load_inputs("runs/quickstart")).blocks[0].rows[0][:3]
['none', '4', '83.67% [81.89, 85.45]%']
>>> arm_sentence(summary.arm("dropout=0.5"), summary)
'dropout=0.5 is better than none: +2.10 pp test accuracy ...'
"""

from __future__ import annotations

from reglab.analysis.results import ArmSummary, Comparison, StudySummary
from reglab.report.blocks import Bullets, Paragraph, Section, Table
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
)

__all__ = ["arm_sentence", "effect_size_word", "section", "verdict_table"]


def section(inputs: ReportInputs) -> Section:
    """The verdict table, what its columns mean, and one sentence per arm."""
    assert inputs.summary is not None, "a study has a summary"
    summary = inputs.summary
    return Section(
        "Verdicts",
        "verdicts",
        [
            verdict_table(summary),
            Paragraph(
                "Test accuracy in %, gap (clean train accuracy − test accuracy) and Δ in "
                "percentage points (pp). p: paired t-test over seeds; p (Holm): corrected for "
                f"the {len(summary.arms) - 1} comparisons with the baseline, which the verdict "
                f"uses (α={summary.alpha}); McNemar p: exact test on per-example test "
                "correctness pooled over the paired seeds."
            ),
            Bullets([arm_sentence(a, summary) for a in summary.arms]),
        ],
    )


def verdict_table(summary: StudySummary) -> Table:
    """One row per arm: accuracy and gap with CIs, the paired comparison, the verdict."""
    base = summary.baseline
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
    rows = [_row(arm, base) for arm in summary.arms]
    return Table(headers, rows, frozenset(range(1, 8)))


def _row(arm: ArmSummary, base: str) -> list[str]:
    vs, gap = arm.vs_baseline, arm.gap
    n = str(arm.n) + (f" ({arm.n_diverged} diverged)" if arm.n_diverged else "")
    shown_gap = (
        f"{plain_pp(gap.mean)} {interval_pp(gap.ci95, signed=False)}"
        if finite(gap.mean) is not None
        else NA
    )
    acc = f"{pct(arm.test_acc.mean)} {interval_pct(arm.test_acc.ci95)}"
    if vs is None:
        delta = "—" if arm.name == base else f"{pp(None)} {interval_pp(None)}"
        verdict = "baseline" if arm.name == base else NA
        return [arm.name, n, acc, shown_gap, delta, "—", "—", "—", verdict]
    mc = None if vs.mcnemar is None else vs.mcnemar.p_value
    return [
        arm.name,
        n,
        acc,
        shown_gap,
        "—" if arm.name == base else f"{pp(vs.delta)} {interval_pp(vs.ci95)}",
        p_value(vs.p_value),
        p_value(vs.p_holm),
        p_value(mc),
        "baseline" if arm.name == base else vs.verdict,
    ]


def effect_size_word(dz: float | None) -> str:
    """Cohen's (1988) labels for a standardized effect |d|: 0.2 small, 0.5 medium, 0.8 large."""
    d = finite(dz)
    if d is None:
        return "undefined"
    size = abs(d)
    return (
        "negligible"
        if size < 0.2
        else "small"
        if size < 0.5
        else "medium"
        if size < 0.8
        else "large"
    )


def arm_sentence(arm: ArmSummary, summary: StudySummary) -> str:
    """One plain-language sentence (or two) on an arm, following its verdict."""
    base = summary.baseline
    vs = arm.vs_baseline
    if arm.name == base or vs is None:
        return (
            f"{base} is the baseline: {pct(arm.test_acc.mean)} test accuracy "
            f"(95% CI {interval_pct(arm.test_acc.ci95)}) over {arm.n} seeds, "
            f"generalization gap {plain_pp(arm.gap.mean)}."
        )
    if finite(vs.delta) is None:
        return f"{arm.name}: no test against {base} ({vs.note or 'no paired seeds'})."
    if vs.verdict in ("better", "worse"):
        return _decided(arm.name, vs, base)
    return _undecided(arm.name, vs, base, summary)


def _decided(name: str, vs: Comparison, base: str) -> str:
    return (
        f"{name} is {vs.verdict} than {base}: {pp(vs.delta)} test accuracy "
        f"(95% CI {interval_pp(vs.ci95)}, p={p_value(vs.p_value)}, "
        f"Holm p={p_value(vs.p_holm)}), a {effect_size_word(vs.cohen_dz)} "
        f"effect (d_z={_dz(vs.cohen_dz)}); its gap changes by {pp(vs.gap_delta)}."
    )


def _undecided(name: str, vs: Comparison, base: str, summary: StudySummary) -> str:
    n = vs.n_pairs
    if finite(vs.p_value) is None and finite(vs.delta) == 0.0:
        return (
            f"{name}: no detectable difference from {base}: the test accuracy is identical "
            f"on every one of the {n} paired seeds, so no test is defined: at this strength and "
            "training length the technique did not move test accuracy at all."
        )
    text = (
        f"{name}: no detectable difference from {base} ({pp(vs.delta)}, 95% CI "
        f"{interval_pp(vs.ci95)}, p={p_value(vs.p_value)}, "
        f"Holm p={p_value(vs.p_holm)}, {effect_size_word(vs.cohen_dz)} effect "
        f"d_z={_dz(vs.cohen_dz)})."
    )
    raw = finite(vs.p_value)
    if raw is not None and raw < summary.alpha:
        text += " It was significant before the Holm correction for multiple comparisons."
    text += (
        f" With {n} seeds the smallest difference this study detects with 80% power is "
        f"{plain_pp(vs.min_detectable_effect)}; "
    )
    return text + _needed(vs, n, len(summary.arms) - 1)


def _needed(vs: Comparison, n: int, tested: int) -> str:
    """How many seeds detecting the observed difference would take."""
    needed = vs.seeds_needed
    if needed is None and finite(vs.delta) == 0.0:
        return "the observed mean difference is exactly zero."
    if needed is None:
        return "a difference as small as the one observed would need more than 100,000 seeds."
    text = f"detecting a difference of {plain_pp(vs.delta)} would need about {needed} seeds"
    if needed <= n:
        return (
            text
            + f" for one comparison alone; this study had {n}, but tested {tested} arms at once."
        )
    return text + "."


def _dz(value: float | None) -> str:
    d = finite(value)
    return NA if d is None else f"{d:+.2f}"
