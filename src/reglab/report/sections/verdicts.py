"""Section "Verdicts": every arm against the baseline, as a table and one sentence per arm.

>>> section(load_inputs("runs/quickstart")).blocks[0].rows[0][:3]
['none', '4', '83.67% [81.89, 85.45]%']
>>> arm_sentence(summary.arm("dropout=0.5"), summary)
'dropout=0.5 is better than none: +2.10 pp test accuracy ...'

Each sentence states its comparison's numbers: the verdict's paired t (95% CI, p, Holm p),
the power analysis at the verdict's level (α / k, from the sample sd), the TOST equivalence
against the study's margin, and a Wilcoxon disagreement when there is one.
"""

from __future__ import annotations

from reglab.analysis.results import ArmSummary, Comparison, StudySummary
from reglab.report.blocks import Bullets, Paragraph, Section, Table
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import NA, finite, interval_pp, p_value, plain_pp
from reglab.report.sections import _metric as m
from reglab.report.sections._metric import p_is
from reglab.report.sections.answer import disagreement

__all__ = ["arm_sentence", "section", "verdict_table"]


def section(inputs: ReportInputs) -> Section:
    """The verdict table, what its columns mean, and one sentence per arm."""
    assert inputs.summary is not None, "a study has a summary"
    summary = inputs.summary
    k = sum(1 for a in summary.others if a.vs_baseline and a.vs_baseline.p_value is not None)
    return Section(
        "Verdicts",
        "verdicts",
        [
            verdict_table(summary),
            Paragraph(_legend(summary, k)),
            Bullets([arm_sentence(a, summary) for a in summary.arms]),
        ],
    )


def _legend(summary: StudySummary, k: int) -> str:
    unit = "percentage points (pp)" if summary.higher_is_better else "test MSE units"
    return (
        f"{m.name(summary)[0].upper()}{m.name(summary)[1:]} per arm and Δ against the baseline in {unit}. "
        f"p: paired t-test over seeds; p (Holm): corrected for the {m.many(k, 'comparison')} "
        f"with the baseline; the verdict uses it (α={summary.alpha}). 'too few seeds': fewer "
        "than 3 paired seeds or every seed moved by the same amount, so no p or interval is "
        "given. Beside the verdict, never deciding it: Wilcoxon p (Holm) (signed-rank, no "
        "normality; cannot reject at all with 5 seeds or fewer), sign-flip p (exact "
        "randomization test over seeds), P(impr.) (share of run pairs where the arm's run "
        "beats the baseline's), d_av (Δ in units of a single arm's seed sd), and "
        f"equivalence (paired TOST within ±{m.size(summary, summary.margin)} at α). Intervals "
        "cover seed-to-seed training noise only, not test-set sampling."
    )


def verdict_table(summary: StudySummary) -> Table:
    """One row per arm: the metric with its CI, the paired comparison, the verdict."""
    base = summary.baseline
    headers = [
        "arm",
        "n",
        f"{m.short(summary)}, mean [95% CI]",
        "gap (pp), mean",
        f"Δ vs {base} [95% CI]",
        "p",
        "p (Holm)",
        "Wilcoxon p (Holm)",
        "sign-flip p",
        "P(impr.)",
        "d_av",
        f"±{m.size(summary, summary.margin)} equivalent",
        "verdict",
    ]
    rows = [_row(arm, summary) for arm in summary.arms]
    return Table(headers, rows, frozenset(range(1, 11)))


def _row(arm: ArmSummary, summary: StudySummary) -> list[str]:
    vs, base = arm.vs_baseline, summary.baseline
    n = str(arm.n) + (f" ({arm.n_diverged} diverged)" if arm.n_diverged else "")
    stat = arm.stat(summary.metric)
    shown = (
        "diverged"
        if arm.diverged
        else f"{m.value(summary, stat.mean)} {m.interval(summary, stat.ci95)}"
    )
    head = [arm.name, n, shown, plain_pp(arm.gap.mean) if finite(arm.gap.mean) else NA]
    if arm.name == base or vs is None:
        verdict = "baseline" if arm.name == base else "no baseline to compare with"
        return [*head, *(["—"] * 8), verdict + (" (diverged)" if arm.diverged else "")]
    eq = vs.equivalence
    return [
        *head,
        f"{m.delta(summary, vs.delta)} {m.interval_delta(summary, vs.ci95)}",
        p_value(vs.p_value),
        p_value(vs.p_holm),
        p_value(vs.p_wilcoxon_holm) + (" (disagrees)" if vs.disagree else ""),
        p_value(vs.p_sign_flip),
        _num(vs.prob_improvement),
        _num(vs.d_av, signed=True),
        NA if eq is None else ("yes" if eq.verdict == "equivalent" else eq.verdict),
        vs.verdict,
    ]


def _num(value: float | None, signed: bool = False) -> str:
    v = finite(value)
    return NA if v is None else (f"{v:+.2f}" if signed else f"{v:.2f}")


def arm_sentence(arm: ArmSummary, summary: StudySummary) -> str:
    """One plain-language sentence (or two) on an arm, following its verdict."""
    base = summary.baseline
    vs = arm.vs_baseline
    if arm.name == base or vs is None:
        return _baseline(arm, summary)
    if vs.verdict == "diverged":
        return f"{arm.name} diverged in all {arm.n_diverged} runs (n = 0): no verdict."
    if vs.verdict == "too few seeds":
        return (
            f"{arm.name}: too few seeds for a verdict against {base} "
            f"({vs.too_few or vs.note}); no p-value or interval is given."
        )
    text = (
        _decided(arm.name, vs, summary)
        if vs.verdict in ("better", "worse")
        else _undecided(arm.name, vs, summary)
    )
    note = disagreement(vs)
    return text + (f" Note: {note}." if note else "")


def _baseline(arm: ArmSummary, summary: StudySummary) -> str:
    if arm.diverged:
        return (
            f"{arm.name} is the baseline and diverged in all {arm.n_diverged} runs: no arm "
            "can be compared with it, so no verdict is given."
        )
    stat = arm.stat(summary.metric)
    gap = f", generalization gap {plain_pp(arm.gap.mean)}" if finite(arm.gap.mean) else ""
    return (
        f"{arm.name} is the baseline: {m.value(summary, stat.mean)} {m.name(summary)} "
        f"(95% CI {m.interval(summary, stat.ci95)}) over {m.many(arm.n, 'seed')}{gap}."
    )


def _tested(vs: Comparison, summary: StudySummary) -> str:
    return (
        f"{m.delta(summary, vs.delta)} {m.name(summary)} (95% CI "
        f"{m.interval_delta(summary, vs.ci95)}, p{p_is(vs.p_value)}, "
        f"Holm p{p_is(vs.p_holm)}, {m.many(vs.n_pairs, 'seed')})"
    )


def _decided(name: str, vs: Comparison, summary: StudySummary) -> str:
    text = (
        f"{name} is {vs.verdict} than {summary.baseline}: {_tested(vs, summary)}; "
        f"d_av={_num(vs.d_av, signed=True)} (Δ in units of one arm's seed sd), "
        f"P(improvement)={_num(vs.prob_improvement)}."
    )
    gap = vs.gap
    if gap is not None and gap.detected:
        text += (
            f" Its generalization gap is {gap.verdict} by {plain_pp(gap.delta)} "
            f"(95% CI {interval_pp(gap.ci95)}, Holm p{p_is(gap.p_holm)})."
        )
    return text


def _undecided(name: str, vs: Comparison, summary: StudySummary) -> str:
    text = f"{name}: no detectable difference from {summary.baseline} ({_tested(vs, summary)})."
    raw = finite(vs.p_value)
    if raw is not None and raw < summary.alpha:
        text += " It was significant before the Holm correction for multiple comparisons."
    eq = vs.equivalence
    if eq is not None and eq.verdict == "equivalent":
        return text + (
            f" It is equivalent within ±{m.size(summary, eq.margin)} (paired TOST p="
            f"{p_value(eq.p_value)}, 90% CI {m.interval_delta(summary, eq.ci)})."
        )
    text += (
        f" It is not shown equivalent within ±{m.size(summary, summary.margin)} either. "
        f"The smallest difference {m.many(vs.n_pairs, 'seed')} detect with 80% power at "
        f"the verdict's level (α/k = {_level(vs)}) is {m.size(summary, vs.min_detectable_effect)}"
        " (from the sample sd of the differences: a rough guide); "
    )
    return text + _needed(vs, summary)


def _level(vs: Comparison) -> str:
    level = finite(vs.power_alpha)
    return NA if level is None else f"{level:.3g}"


def _needed(vs: Comparison, summary: StudySummary) -> str:
    """How many seeds detecting the observed difference would take, at the same level."""
    needed = vs.seeds_needed
    if needed is None and finite(vs.delta) == 0.0:
        return "the observed mean difference is exactly zero."
    if needed is None:
        return "a difference as small as the one observed would need more than 100,000 seeds."
    return (
        f"detecting a difference of {m.size(summary, vs.delta)} would need about "
        f"{m.many(needed, 'seed')} at that level."
    )
