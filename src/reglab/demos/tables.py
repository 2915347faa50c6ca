"""Markdown tables of typed results, with the report's number formatting.

>>> print(arm_table(summary, [("sparsity", lambda a: pct(a.sparsity.mean))]))
| arm | n | test acc [95% CI] | gap | Δ vs none [95% CI] | p (Holm) | verdict | sparsity |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reglab.analysis.results import ArmSummary, StudySummary
from reglab.report import numbers

__all__ = ["Column", "arm_table", "markdown_table"]

Column = tuple[str, Callable[[ArmSummary], str]]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def arm_table(summary: StudySummary, extra: Sequence[Column] = ()) -> str:
    """One row per arm: n, test accuracy with its CI, train–test gap, the paired difference
    from the baseline with its CI, Holm-adjusted p and verdict, then ``extra`` columns."""
    base = summary.baseline
    header = ["arm", "n", "test acc [95% CI]", "train–test gap", f"Δ vs {base} [95% CI]"]
    header += ["p (Holm)", "verdict", *(name for name, _ in extra)]
    rows = []
    for arm in summary.arms:
        vs = arm.vs_baseline
        delta = p = "—"
        if vs is not None and vs.delta is not None:
            delta = f"{numbers.pp(vs.delta)} {numbers.interval_pp(vs.ci95)}"
            p = numbers.p_value(vs.p_holm)
        rows.append(
            [
                f"`{arm.name}`",
                str(arm.n),
                f"{numbers.pct(arm.test_acc.mean)} {numbers.interval_pct(arm.test_acc.ci95)}",
                numbers.plain_pp(arm.gap.mean),
                delta,
                p,
                "baseline" if vs is None else vs.verdict,
                *(fn(arm) for _, fn in extra),
            ]
        )
    return markdown_table(header, rows)
