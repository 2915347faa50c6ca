"""Section "What to choose": the measured trade-offs, ranked, with their caveats.

Contenders are the arms not detectably worse than the arm with the highest mean test
accuracy (paired t-test against that arm over shared seeds, Holm-corrected); they are
ranked by mean test accuracy, and the cheapest, narrowest-gap and sparsest are named::

    >>> choice = what_to_choose(load_inputs("runs/quickstart"))
    >>> choice.ranking[0][1], choice.bullets[0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reglab.analysis import paired_comparison, with_holm
from reglab.analysis.results import ArmSummary, Comparison
from reglab.report.blocks import Bullets, Paragraph, Section, Table
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import finite, p_value, pct, plain_pp, pp, ratio
from reglab.report.sections.timing import startup_caveat

__all__ = ["Choice", "section", "what_to_choose"]


@dataclass(frozen=True)
class Choice:
    """Sentences, the contenders' table rows in rank order, and what the study cannot say."""

    bullets: list[str]
    ranking: list[list[str]]
    caveats: list[str]


def section(inputs: ReportInputs) -> Section:
    choice = what_to_choose(inputs)
    headers = ["rank", "arm", "test acc", "gap", "time vs baseline", "sparsity", "vs baseline"]
    return Section(
        "What to choose",
        "choose",
        [
            Bullets(choice.bullets),
            Paragraph(
                "The contenders: arms not detectably worse than the highest-scoring arm, ranked "
                "by mean test accuracy, with their gap, time per run relative to the baseline and "
                "sparsity."
            ),
            Table(headers, choice.ranking, frozenset({0, 2, 3, 4, 5})),
            Paragraph("Caveats:"),
            Bullets(choice.caveats),
        ],
    )


def what_to_choose(inputs: ReportInputs) -> Choice:
    """Rank, compare and qualify the arms of a study (see the module docstring)."""
    arms = [a for a in inputs.arms if finite(a.test_acc.mean) is not None]
    best = max(arms, key=_acc)
    worse = _worse_than(inputs, best.name, [a.name for a in arms])
    contenders = sorted((a for a in arms if a.name not in worse), key=_acc, reverse=True)
    bullets = [_leader(best, contenders, worse), _vs_baseline(inputs, arms)]
    bullets += _trade_offs(inputs, contenders)
    ranking = [[str(i), *_row(inputs, a)] for i, a in enumerate(contenders, start=1)]
    return Choice(bullets, ranking, _caveats(inputs, arms))


def _acc(arm: ArmSummary) -> float:
    return float(arm.test_acc.mean or 0.0)


def _vs(arm: ArmSummary) -> Comparison:
    assert arm.vs_baseline is not None
    return arm.vs_baseline


def _n_seeds(inputs: ReportInputs) -> int:
    return 0 if inputs.summary is None else inputs.summary.n_seeds


def _worse_than(inputs: ReportInputs, best: str, names: list[str]) -> set[str]:
    """Arms detectably worse than ``best`` on paired seeds (Holm across the family)."""
    runs = inputs.runs[inputs.runs["status"] == "ok"]
    top = runs[runs["arm"] == best][["seed", "test_acc"]]
    tested, comps = [], []
    for name in names:
        if name == best:
            continue
        pairs = top.merge(runs[runs["arm"] == name][["seed", "test_acc"]], on="seed")
        if len(pairs) >= 2:
            tested.append(name)
            comps.append(paired_comparison(pairs["test_acc_x"], pairs["test_acc_y"]))
    adjusted = with_holm(comps, inputs.summary.alpha if inputs.summary else 0.05)
    return {n for n, c in zip(tested, adjusted, strict=True) if c.verdict == "worse"}


def _leader(best: ArmSummary, contenders: list[ArmSummary], worse: set[str]) -> str:
    others = [f"{a.name} ({pct(_acc(a))})" for a in contenders if a is not best]
    text = f"Highest mean test accuracy: {best.name} ({pct(_acc(best))})."
    if others:
        text += f" Not detectably worse than it (paired, Holm-corrected): {', '.join(others)}."
    if worse:
        text += f" Detectably worse than {best.name}: {', '.join(sorted(worse))}."
    return text


def _vs_baseline(inputs: ReportInputs, arms: list[ArmSummary]) -> str:
    base, n = inputs.baseline, _n_seeds(inputs)
    better = [a for a in arms if a.vs_baseline and a.vs_baseline.verdict == "better"]
    if better:
        top = max(better, key=_acc)
        names = ", ".join(a.name for a in better)
        return (
            f"Detectably better than the baseline {base}: {names}. On accuracy the pick is "
            f"{top.name} ({pp(_vs(top).delta)}, gap {plain_pp(top.gap.mean)}, time "
            f"{ratio(top.time_vs_baseline)} the baseline)."
        )
    gains = [a for a in arms if a.vs_baseline and (finite(a.vs_baseline.delta) or 0.0) > 0]
    text = (
        f"No arm was detectably better than the baseline {base} with {n} seeds: on accuracy "
        "alone these data do not justify adding a regularizer."
    )
    if not gains:
        return text + " No arm even had a higher mean test accuracy."
    top = max(gains, key=lambda a: _vs(a).delta or 0.0)
    vs = _vs(top)
    needed = vs.seeds_needed
    more = f"about {needed} seeds" if needed is not None else "far more seeds than any study runs"
    return text + (
        f" The largest observed gain, {top.name} ({pp(vs.delta)}, "
        f"p={p_value(vs.p_value)}, Holm p={p_value(vs.p_holm)}), is the one to "
        f"confirm: a follow-up comparing it with {base} alone needs {more} for 80% power at the "
        "observed effect."
    )


def _trade_offs(inputs: ReportInputs, contenders: list[ArmSummary]) -> list[str]:
    """Narrowest gap, cheapest and sparsest among the contenders."""
    out = []
    for metric, pick, what, show in (
        ("gap", min, "Narrowest generalization gap", plain_pp),
        ("train_seconds", min, "Cheapest per run", _secs),
        ("sparsity", max, "Sparsest weights", pct),
    ):
        have = [a for a in contenders if finite(a.stat(metric).mean) is not None]
        if not have:
            continue
        arm = pick(have, key=_by(metric))
        base = inputs.arm(inputs.baseline) if inputs.baseline else arm
        out.append(
            f"{what} among the contenders: {arm.name} ({show(arm.stat(metric).mean)}; "
            f"baseline {show(base.stat(metric).mean)})."
        )
    return out


def _by(metric: str) -> Callable[[ArmSummary], float]:
    return lambda arm: arm.stat(metric).mean or 0.0


def _secs(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _row(inputs: ReportInputs, arm: ArmSummary) -> list[str]:
    """arm, test acc, gap, time vs baseline, sparsity, verdict: a ranking table's row."""
    verdict = (
        "baseline"
        if arm.name == inputs.baseline
        else (arm.vs_baseline.verdict if arm.vs_baseline else "n/a")
    )
    return [
        arm.name,
        pct(arm.test_acc.mean),
        plain_pp(arm.gap.mean),
        ratio(arm.time_vs_baseline),
        pct(arm.sparsity.mean),
        verdict,
    ]


def _caveats(inputs: ReportInputs, arms: list[ArmSummary]) -> list[str]:
    """What the numbers cannot say: seeds, power, and everything that was held fixed."""
    out = list(inputs.summary.caveats if inputs.summary else ())
    mdes = [finite(a.vs_baseline.min_detectable_effect) for a in arms if a.vs_baseline]
    found = [m for m in mdes if m is not None and m > 0]
    if found:
        out.append(
            f"With {_n_seeds(inputs)} seeds, the smallest differences this "
            f"study detects with 80% power range from {plain_pp(min(found))} to "
            f"{plain_pp(max(found))} depending on the arm; smaller true effects may exist. "
            "Effect sizes (d_z) from few seeds are imprecise."
        )
    out.append(_untested(inputs))
    startup = startup_caveat(inputs)
    if startup:
        out.append(startup)
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
