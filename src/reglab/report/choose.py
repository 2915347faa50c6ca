"""The report's "What to choose": the measured trade-offs, ranked, with their caveats.

Contenders are the arms not detectably worse than the arm with the highest mean test
accuracy (paired t-test against that arm over shared seeds, Holm-corrected); they are
ranked by mean test accuracy, and the cheapest, narrowest-gap and sparsest are named::

    >>> choice = what_to_choose(load_inputs("runs/quickstart"))
    >>> choice.ranking[0]["arm"], choice.bullets[0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reglab.analysis import paired_comparison, with_holm
from reglab.report.inputs import ReportInputs
from reglab.report.notes import startup_caveat
from reglab.report.numbers import finite, p_value, pct, plain_pp, pp, ratio
from reglab.report.text import n_seeds

__all__ = ["Choice", "what_to_choose"]


@dataclass(frozen=True)
class Choice:
    """Sentences, the contenders in rank order, and what the study cannot say."""

    bullets: list[str]
    ranking: list[dict[str, Any]]
    caveats: list[str]


def what_to_choose(inputs: ReportInputs) -> Choice:
    """Rank, compare and qualify the arms of a study (see the module docstring)."""
    arms = [a for a in inputs.arms if finite(a["test_acc"]["mean"]) is not None]
    best = max(arms, key=_acc)
    worse = _worse_than(inputs, best["name"], [a["name"] for a in arms])
    contenders = sorted((a for a in arms if a["name"] not in worse), key=_acc, reverse=True)
    bullets = [_leader(best, contenders, worse), _vs_baseline(inputs, arms)]
    bullets += _trade_offs(inputs, contenders)
    return Choice(bullets, [_row(inputs, a) for a in contenders], _caveats(inputs, arms))


def _acc(arm: dict[str, Any]) -> float:
    return float(arm["test_acc"]["mean"])


def _mean(arm: dict[str, Any], metric: str) -> float | None:
    return finite(arm[metric]["mean"])


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
    adjusted = with_holm(comps, inputs.summary["alpha"] if inputs.summary else 0.05)
    return {n for n, c in zip(tested, adjusted, strict=True) if c.verdict == "worse"}


def _leader(best: dict[str, Any], contenders: list[dict[str, Any]], worse: set[str]) -> str:
    others = [f"{a['name']} ({pct(_acc(a))})" for a in contenders if a is not best]
    text = f"Highest mean test accuracy: {best['name']} ({pct(_acc(best))})."
    if others:
        text += f" Not detectably worse than it (paired, Holm-corrected): {', '.join(others)}."
    if worse:
        text += f" Detectably worse than {best['name']}: {', '.join(sorted(worse))}."
    return text


def _vs_baseline(inputs: ReportInputs, arms: list[dict[str, Any]]) -> str:
    base, n = inputs.baseline, n_seeds(inputs.summary or {"arms": []})
    better = [a for a in arms if (a.get("vs_baseline") or {}).get("verdict") == "better"]
    if better:
        top = max(better, key=_acc)
        vs = top["vs_baseline"]
        names = ", ".join(a["name"] for a in better)
        return (
            f"Detectably better than the baseline {base}: {names}. On accuracy the pick is "
            f"{top['name']} ({pp(vs['delta'])}, gap {plain_pp(_mean(top, 'gap'))}, time "
            f"{ratio(top.get('time_vs_baseline'))} the baseline)."
        )
    gains = [a for a in arms if (finite((a.get("vs_baseline") or {}).get("delta")) or 0.0) > 0]
    text = (
        f"No arm was detectably better than the baseline {base} with {n} seeds: on accuracy "
        "alone these data do not justify adding a regularizer."
    )
    if not gains:
        return text + " No arm even had a higher mean test accuracy."
    top = max(gains, key=lambda a: a["vs_baseline"]["delta"])
    vs = top["vs_baseline"]
    needed = vs.get("seeds_needed")
    more = f"about {needed} seeds" if needed is not None else "far more seeds than any study runs"
    return text + (
        f" The largest observed gain, {top['name']} ({pp(vs['delta'])}, "
        f"p={p_value(vs.get('p_value'))}, Holm p={p_value(vs.get('p_holm'))}), is the one to "
        f"confirm: a follow-up comparing it with {base} alone needs {more} for 80% power at the "
        "observed effect."
    )


def _trade_offs(inputs: ReportInputs, contenders: list[dict[str, Any]]) -> list[str]:
    """Narrowest gap, cheapest and sparsest among the contenders."""
    out = []
    for metric, pick, what, show in (
        ("gap", min, "Narrowest generalization gap", plain_pp),
        ("train_seconds", min, "Cheapest per run", _secs),
        ("sparsity", max, "Sparsest weights", pct),
    ):
        have = [a for a in contenders if _mean(a, metric) is not None]
        if not have:
            continue
        arm = pick(have, key=_by(metric))
        base = inputs.arm(inputs.baseline) if inputs.baseline else arm
        out.append(
            f"{what} among the contenders: {arm['name']} ({show(_mean(arm, metric))}; "
            f"baseline {show(_mean(base, metric))})."
        )
    return out


def _by(metric: str) -> Callable[[dict[str, Any]], float]:
    return lambda arm: _mean(arm, metric) or 0.0


def _secs(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _row(inputs: ReportInputs, arm: dict[str, Any]) -> dict[str, Any]:
    vs = arm.get("vs_baseline") or {}
    return {
        "arm": arm["name"],
        "test_acc": pct(_mean(arm, "test_acc")),
        "gap": plain_pp(_mean(arm, "gap")),
        "time": ratio(arm.get("time_vs_baseline")),
        "sparsity": pct(_mean(arm, "sparsity")),
        "verdict": "baseline" if arm["name"] == inputs.baseline else vs.get("verdict", "n/a"),
    }


def _caveats(inputs: ReportInputs, arms: list[dict[str, Any]]) -> list[str]:
    """What the numbers cannot say: seeds, power, and everything that was held fixed."""
    out = list((inputs.summary or {}).get("caveats", []))
    mdes = [finite((a.get("vs_baseline") or {}).get("min_detectable_effect")) for a in arms]
    found = [m for m in mdes if m is not None and m > 0]
    if found:
        out.append(
            f"With {n_seeds(inputs.summary or {'arms': []})} seeds, the smallest differences this "
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
    dataset = (inputs.summary or {}).get("dataset", {}).get("name") or spec.get("data", {}).get(
        "name", "?"
    )
    model, opt, train = spec.get("model", {}), spec.get("optimizer", {}), spec.get("train", {})
    hidden = model.get("hidden", "?")
    return (
        f"Not tested: other datasets (only {dataset}), other architectures (only an MLP with "
        f"hidden layers {hidden}, {model.get('activation', '?')}), other optimizers (only "
        f"{opt.get('name', '?')}, lr {opt.get('lr', '?')}), strengths other than those listed, and "
        f"training longer or shorter than {train.get('epochs', '?')} epochs (batch "
        f"{train.get('batch_size', '?')}). The verdicts hold for these settings only."
    )
