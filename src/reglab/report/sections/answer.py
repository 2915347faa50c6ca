"""The report's lead: the one-paragraph answer, also printed under the CLI's verdict table.

Computed from the study's typed summary; nothing is written in advance::

    >>> answer(load_summary(StudyDir("runs/quickstart")))
    'On mnist, over 5 paired seeds: dropout=0.5 vs none: +0.10 pp test accuracy ...'
"""

from __future__ import annotations

from reglab.analysis.results import ArmSummary, Comparison, StudySummary
from reglab.report.numbers import finite, interval_pp, p_value, pct, plain_pp, pp

__all__ = ["answer"]

_FULL_ANSWER_UP_TO = 3  # arms compared; beyond this the answer counts verdicts instead


def answer(summary: StudySummary) -> str:
    """The one-paragraph answer at the top of the report."""
    others = summary.others
    dataset = summary.dataset_name or "this dataset"
    head = f"On {dataset}, over {summary.n_seeds} paired seeds"
    if not others:
        base = summary.arms[0]
        return (
            f"{head}, only the baseline {base.name} ran: {pct(base.test_acc.mean)} test accuracy."
        )
    if len(others) <= _FULL_ANSWER_UP_TO:
        return f"{head}: " + " ".join(_clause(a, summary) + "." for a in others)
    return f"{head}: " + " ".join(_counts(others, summary))


def _vs(arm: ArmSummary) -> Comparison:
    assert arm.vs_baseline is not None, "every arm but the baseline is compared with it"
    return arm.vs_baseline


def _clause(arm: ArmSummary, summary: StudySummary) -> str:
    """'dropout=0.5 vs none: +0.10 pp test accuracy (95% CI ...), p=..., verdict ...'."""
    vs = _vs(arm)
    text = f"{arm.name} vs {summary.baseline}: "
    if finite(vs.delta) is None:
        return text + f"no test possible ({vs.note or 'too few paired seeds'})"
    text += (
        f"{pp(vs.delta)} test accuracy (95% CI {interval_pp(vs.ci95)}), "
        f"p={p_value(vs.p_value)} (Holm {p_value(vs.p_holm)}), "
        f"{vs.verdict} with {vs.n_pairs} seeds"
    )
    if vs.verdict == "no detectable difference":
        text += f"; smallest detectable effect {plain_pp(vs.min_detectable_effect)}"
    return text


def _counts(others: list[ArmSummary], summary: StudySummary) -> list[str]:
    """For many arms: how many were better / worse / undistinguished, and the extremes."""
    groups: dict[str, list[str]] = {"better": [], "worse": [], "no detectable difference": []}
    for a in others:
        groups.setdefault(_vs(a).verdict, []).append(a.name)  # "too few seeds" too
    parts = [
        f"{len(others)} arms were compared with the baseline {summary.baseline} "
        f"(paired t-test, Holm-corrected, α={summary.alpha}):",
        f"{len(groups['better'])} better{_listed(groups['better'])},",
        f"{len(groups['worse'])} worse{_listed(groups['worse'])},",
        f"{len(groups['no detectable difference'])} with no detectable difference.",
    ]
    tested = [a for a in others if finite(_vs(a).delta) is not None]
    if tested:
        top = max(tested, key=lambda a: _vs(a).delta or 0.0)
        low = min(tested, key=lambda a: _vs(a).delta or 0.0)
        parts.append(f"Largest difference up: {_clause(top, summary)}.")
        if low is not top:
            parts.append(f"Largest difference down: {_clause(low, summary)}.")
    return parts


def _listed(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""
