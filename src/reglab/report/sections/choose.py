"""Section "What to choose": a stated, error-controlled recommendation, and its caveats.

The recommendation is :func:`reglab.analysis.selection.choose` over the seeds finished in
every arm that did not diverge: the best arm by mean, every pair of arms tested at
alpha / P (paired t for "worse", paired TOST against the study's margin for
"equivalent"), so that all its claims together are wrong with probability at most alpha,
the choice of the best included. Diverged arms are left out and named::

    >>> choice = what_to_choose(load_inputs("runs/quickstart"))
    >>> choice.selection.best, choice.bullets[0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reglab.analysis.results import StudySummary
from reglab.analysis.selection import ArmStanding, Selection, choose
from reglab.report.blocks import Bullets, Paragraph, Section, Table
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import finite, plain_pp
from reglab.report.sections import _metric as m
from reglab.report.sections._metric import p_is
from reglab.report.sections.gap import change, tested_changes
from reglab.report.sections.timing import ms

__all__ = ["Choice", "section", "shared_values", "what_to_choose"]


@dataclass(frozen=True)
class Choice:
    """Sentences, the table rows (study order), what the study cannot say, the selection."""

    bullets: list[str]
    ranking: list[list[str]]
    caveats: list[str]
    selection: Selection | None = None


def section(inputs: ReportInputs) -> Section:
    choice = what_to_choose(inputs)
    assert inputs.summary is not None
    s = inputs.summary
    headers = ["arm", f"{m.short(s)} (shared seeds)", "Δ vs best [simultaneous CI]",
               "standing", "vs baseline"]  # fmt: skip
    return Section(
        "What to choose",
        "choose",
        [
            Bullets(choice.bullets),
            Table(headers, choice.ranking, frozenset({1, 2})),
            Paragraph("Caveats:"),
            Bullets(choice.caveats),
        ],
    )


def shared_values(inputs: ReportInputs) -> dict[str, np.ndarray]:
    """Arm -> its metric over the seeds finished in every non-diverged arm, in seed order
    (negated for a loss, so that higher is better as :func:`choose` expects)."""
    assert inputs.summary is not None
    s = inputs.summary
    runs = inputs.runs[inputs.runs["status"] == "ok"]
    names = [a.name for a in s.arms if not a.diverged]
    table = runs[runs["arm"].isin(names)].pivot_table(
        index="seed", columns="arm", values=s.metric, aggfunc="first"
    )
    table = table.reindex(columns=names).dropna()
    sign = 1.0 if s.higher_is_better else -1.0
    return {n: sign * table[n].to_numpy(dtype=float) for n in names}


def what_to_choose(inputs: ReportInputs) -> Choice:
    """The procedure's outcome as sentences and a table (see the module docstring)."""
    assert inputs.summary is not None
    s = inputs.summary
    values = shared_values(inputs)
    diverged = [a.name for a in s.arms if a.diverged]
    gone = f" Left out (diverged in every run): {', '.join(diverged)}." if diverged else ""
    if not values or next(iter(values.values())).size == 0:
        bullets = ["No recommendation: no arm has seeds finished in every arm." + gone]
        return Choice(bullets, [], _caveats(inputs, s))
    sel = choose(values, margin=s.margin, alpha=s.alpha)
    bullets = [_procedure(sel, s) + gone, *_outcome(sel, s)]
    bullets += [_vs_baseline(s), *_trade_offs(s, sel)]
    rows = [_row(a, s, sel) for a in sel.arms]
    return Choice(bullets, rows, _caveats(inputs, s), sel)


def _procedure(sel: Selection, s: StudySummary) -> str:
    text = f"Procedure, over {m.many(sel.n, 'seed')} finished in every arm: {sel.procedure}"
    if not s.higher_is_better:
        text += " (Test MSE: lower is better, so 'highest' reads 'lowest' here.)"
    return text


def _delta(a: ArmStanding, s: StudySummary) -> tuple[float, tuple[float, float]]:
    """Δ = arm − best in the metric's own sign (un-negated for a loss)."""
    sign = 1.0 if s.higher_is_better else -1.0
    lo, hi = sorted((sign * a.ci[0], sign * a.ci[1]))
    return sign * a.delta, (lo, hi)


def _named(arms: list[ArmStanding], s: StudySummary) -> str:
    parts = []
    for a in arms:
        d, ci = _delta(a, s)
        parts.append(f"{a.name} ({m.delta(s, d)}, CI {m.interval_delta(s, ci)})")
    return ", ".join(parts)


def _outcome(sel: Selection, s: StudySummary) -> list[str]:
    if sel.too_few is not None:
        return [f"No recommendation: {sel.too_few}; nothing is claimed."]
    by = {k: [a for a in sel.arms if a.standing == k] for k in
          ("equivalent", "worse", "undecided", "too few seeds")}  # fmt: skip
    best = next(a for a in sel.arms if a.standing == "best")
    sign = 1.0 if s.higher_is_better else -1.0
    out = [f"Best by mean: {sel.best} ({m.value(s, sign * best.mean)})."]
    if len(sel.arms) == 1:
        return out
    margin = m.size(s, sel.margin)
    lines = {
        "equivalent": f"Equivalent to {sel.best} within ±{margin}: ",
        "worse": f"Detectably worse than {sel.best}: ",
        "undecided": f"Neither shown worse nor equivalent within ±{margin}: ",
        "too few seeds": "No claim (every seed differs by the same amount): ",
    }
    for key, head in lines.items():
        if by[key]:
            out.append(head + _named(by[key], s) + ".")
    if not by["equivalent"]:
        out.append(f"No arm is shown equivalent to {sel.best} within ±{margin}.")
    return out


def _vs_baseline(s: StudySummary) -> str:
    """The arms detectably better than the baseline (the verdicts' family), or none."""
    if s.baseline_diverged:
        return f"The baseline {s.baseline} diverged: no arm was compared with it."
    better = [a for a in s.others if a.vs_baseline and a.vs_baseline.verdict == "better"]
    if better:
        return f"Detectably better than the baseline {s.baseline} (the verdicts): " + ", ".join(
            a.name for a in better
        ) + "."  # fmt: skip
    text = (
        f"No arm was detectably better than the baseline {s.baseline} with "
        f"{m.many(s.n_seeds, 'seed')}: on {m.name(s)} alone these data do not justify "
        "adding a regularizer."
    )
    sign = 1.0 if s.higher_is_better else -1.0
    gains = [a for a in s.others if a.vs_baseline and finite(a.vs_baseline.p_value) is not None
             and sign * (a.vs_baseline.delta or 0.0) > 0]  # fmt: skip
    if not gains:
        return text
    top = max(gains, key=lambda a: sign * (a.vs_baseline.delta or 0.0) if a.vs_baseline else 0.0)
    vs = top.vs_baseline
    assert vs is not None
    more = (
        f"about {m.many(vs.seeds_needed, 'seed')}"
        if vs.seeds_needed is not None
        else "more than 100,000 seeds"
    )
    return text + (
        f" The largest observed gain, {top.name} ({m.delta(s, vs.delta)}, Holm "
        f"p{p_is(vs.p_holm)}), would need {more} for 80% power at the observed effect "
        "and the verdicts' level (a rough guide: from the sample sd)."
    )


def _trade_offs(s: StudySummary, sel: Selection) -> list[str]:
    """Detected gap, sparsity and time changes against the baseline, for the best arm and
    the arms equivalent to it; nothing untested is ranked."""
    keep = {sel.best, *sel.equivalent}
    arms = [a for a in s.others if a.name in keep]
    claims = []
    for metric, what, show in (("gap", "gap", plain_pp), ("sparsity", "sparsity", plain_pp)):
        claims += [change(a.name, what, r, show) for a, r in tested_changes(arms, metric)[0]]
    claims += [change(a.name, "time per step", r, ms) for a, r in
               tested_changes(arms, "step_seconds")[0]]  # fmt: skip
    if not arms:
        return []
    if not claims:
        return [
            f"Among {', '.join(a.name for a in arms)}: no detectable difference from the "
            "baseline in gap, sparsity or time per step (paired tests, Holm per metric)."
        ]
    return ["Against the baseline (paired tests, Holm per metric): " + "; ".join(claims) + "."]


def _row(a: ArmStanding, s: StudySummary, sel: Selection) -> list[str]:
    sign = 1.0 if s.higher_is_better else -1.0
    d, ci = _delta(a, s)
    shown = "—" if a.standing == "best" else f"{m.delta(s, d)} {m.interval_delta(s, ci)}"
    arm = s.arm(a.name)
    verdict = "baseline" if a.name == s.baseline else (
        arm.vs_baseline.verdict if arm.vs_baseline else "n/a")  # fmt: skip
    return [a.name, m.value(s, sign * a.mean), shown, a.standing, verdict]


def _caveats(inputs: ReportInputs, s: StudySummary) -> list[str]:
    """What the numbers cannot say: seeds, power, families, everything held fixed."""
    out = list(s.caveats)
    mdes = [finite(a.vs_baseline.min_detectable_effect) for a in s.others if a.vs_baseline]
    found = [x for x in mdes if x is not None and x > 0]
    if found:
        spread = m.values_range(m.size(s, min(found)), m.size(s, max(found)))
        out.append(
            f"With {m.many(s.n_seeds, 'seed')}, the smallest differences this study detects "
            f"with 80% power at the verdicts' level {spread} depending on the arm (from the "
            "sample sd: rough); smaller true effects may exist."
        )
    out.append(
        "Two families of claims are each controlled at α: the verdicts against the baseline "
        "(Holm) and this recommendation (all pairs); a report stating both is wrong somewhere "
        "with probability at most 2α. Gap, sparsity and time are further families, one each."
    )
    out.append(_untested(inputs))
    return out


def _untested(inputs: ReportInputs) -> str:
    spec = inputs.spec
    summary_name = inputs.summary.dataset_name if inputs.summary else None
    dataset = summary_name or spec.get("data", {}).get("name", "?")
    model, opt, train = spec.get("model", {}), spec.get("optimizer", {}), spec.get("train", {})
    hidden = model.get("hidden", "?")
    return (
        f"Not tested: other datasets (only {dataset}), other architectures (only an MLP with "
        f"hidden layers {hidden}, {model.get('activation', '?')}), other optimizers (only "
        f"{opt.get('name', '?')}, lr {opt.get('lr', '?')}), strengths other than those listed, and "
        f"training longer or shorter than {train.get('epochs', '?')} epochs (batch "
        f"{train.get('batch_size', '?')}). The verdicts hold for these settings only."
    )
