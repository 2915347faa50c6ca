"""The report's lead: the one-paragraph answer, also printed under the CLI's verdict table.

Computed from the study's typed summary; nothing is written in advance. Every comparative
clause is the tested comparison with its interval and Holm-adjusted p (paired t over seeds,
one family: the arms against the baseline)::

    >>> answer(load_summary(StudyDir("runs/quickstart")))
    'On mnist, over 5 paired seeds: dropout=0.5 vs none: +0.10 pp test accuracy ...'
"""

from __future__ import annotations

from reglab.analysis.results import ArmSummary, Comparison, StudySummary
from reglab.report.numbers import finite, p_value
from reglab.report.sections import _metric as m
from reglab.report.sections._metric import p_is

__all__ = ["answer", "clause", "disagreement"]

_FULL_ANSWER_UP_TO = 3  # arms compared; beyond this the answer counts verdicts instead
_GROUPS = ("better", "worse", "no detectable difference", "too few seeds", "diverged")


def answer(summary: StudySummary) -> str:
    """The one-paragraph answer at the top of the report."""
    others = summary.others
    dataset = summary.dataset_name or "this dataset"
    head = f"On {dataset}, over {m.many(summary.n_seeds, 'paired seed')}"
    base = summary.arm(summary.baseline)
    if base.diverged:
        return (
            f"On {dataset}, the baseline {base.name} diverged in every run "
            f"({base.n_diverged} of {base.n_diverged}): no arm can be compared with it, so "
            "this study gives no verdict. Choose a baseline that trains, or lower the "
            "learning rate or strength."
        )
    if not others:
        return (
            f"{head}, only the baseline {base.name} ran: "
            f"{m.value(summary, base.stat(summary.metric).mean)} {m.name(summary)}."
        )
    if len(others) <= _FULL_ANSWER_UP_TO:
        return f"{head}: " + " ".join(clause(a, summary) + "." for a in others)
    return f"{head}: " + " ".join(_counts(others, summary))


def _vs(arm: ArmSummary) -> Comparison:
    assert arm.vs_baseline is not None, "every arm but the baseline is compared with it"
    return arm.vs_baseline


def clause(arm: ArmSummary, summary: StudySummary) -> str:
    """'dropout=0.5 vs none: +0.10 pp test accuracy (95% CI ...), p=..., verdict ...'."""
    vs = _vs(arm)
    text = f"{arm.name} vs {summary.baseline}: "
    if vs.verdict == "diverged":
        return text + f"diverged in every run ({arm.n_diverged}), n = 0: no verdict"
    if vs.verdict == "too few seeds":
        shown = "" if finite(vs.delta) is None else f"{m.delta(summary, vs.delta)}, "
        return text + f"{shown}too few seeds for a verdict ({vs.too_few or vs.note})"
    text += (
        f"{m.delta(summary, vs.delta)} {m.name(summary)} (95% CI "
        f"{m.interval_delta(summary, vs.ci95)}), p{p_is(vs.p_value)} "
        f"(Holm p{p_is(vs.p_holm)}), {vs.verdict} with {m.many(vs.n_pairs, 'seed')}"
    )
    eq = vs.equivalence
    if eq is not None and eq.verdict == "equivalent":
        text += f"; equivalent within ±{m.size(summary, eq.margin)} (TOST p{p_is(eq.p_value)})"
    elif vs.verdict == "no detectable difference":
        text += (
            f"; smallest effect detectable with 80% power at α={_level(vs)}: "
            f"{m.size(summary, vs.min_detectable_effect)}"
        )
    note = disagreement(vs)
    return text + (f"; {note}" if note else "")


def disagreement(vs: Comparison) -> str:
    """What Wilcoxon says when it and the t-test (both Holm) fall on different sides."""
    if not vs.disagree:
        return ""
    text = f"the Wilcoxon signed-rank test disagrees (Holm p{p_is(vs.p_wilcoxon_holm)})"
    if vs.wilcoxon_can_reject is False:
        return text + (
            f": with {m.many(vs.n_pairs, 'seed')} its smallest possible p is "
            f"{p_value(vs.wilcoxon_min_p)}, so it cannot reject at this n"
        )
    return text + ": the t-test's normality assumption matters here"


def _level(vs: Comparison) -> str:
    level = finite(vs.power_alpha)
    return "n/a" if level is None else f"{level:.3g}"


def _counts(others: list[ArmSummary], summary: StudySummary) -> list[str]:
    """For many arms: how many got each verdict, and the largest observed differences."""
    groups: dict[str, list[str]] = {g: [] for g in _GROUPS}
    for a in others:
        groups.setdefault(_vs(a).verdict, []).append(a.name)  # "too few seeds" too
    parts = [
        f"{m.many(len(others), 'arm')} compared with the baseline {summary.baseline} "
        f"(paired t-test, Holm-corrected, α={summary.alpha}):",
        f"{len(groups['better'])} better{_listed(groups['better'])},",
        f"{len(groups['worse'])} worse{_listed(groups['worse'])},",
        f"{len(groups['no detectable difference'])} with no detectable difference"
        + ("." if not (groups["too few seeds"] or groups["diverged"]) else ","),
    ]
    if groups["too few seeds"] or groups["diverged"]:
        parts.append(
            f"{len(groups['too few seeds'])} with too few seeds{_listed(groups['too few seeds'])}, "
            f"{len(groups['diverged'])} diverged{_listed(groups['diverged'])}."
        )
    tested = [a for a in others if finite(_vs(a).p_value) is not None]
    if tested:
        sign = 1.0 if summary.higher_is_better else -1.0
        top = max(tested, key=lambda a: sign * (_vs(a).delta or 0.0))
        low = min(tested, key=lambda a: sign * (_vs(a).delta or 0.0))
        parts.append(f"Largest observed improvement: {clause(top, summary)}.")
        if low is not top:
            parts.append(f"Largest observed decline: {clause(low, summary)}.")
    return parts


def _listed(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""
