"""The report's verdict sentences: the one-paragraph answer and one sentence per arm.

Every sentence is computed from summary.json; nothing is written in advance::

    >>> summary = json.loads(Path("runs/quickstart/summary.json").read_text())
    >>> answer(summary)
    'On mnist, over 5 paired seeds: dropout=0.5 vs none: +0.10 pp test accuracy ...'
    >>> [arm_sentence(a, summary) for a in summary["arms"]]
"""

from __future__ import annotations

from typing import Any

from reglab.report.numbers import (
    finite,
    interval_pct,
    interval_pp,
    p_value,
    pct,
    plain_pp,
    pp,
)

__all__ = ["answer", "arm_sentence", "effect_size_word", "n_seeds"]

_FULL_ANSWER_UP_TO = 3  # arms compared; beyond this the answer counts verdicts instead


def n_seeds(summary: dict[str, Any]) -> int:
    """The paired seeds per arm (the smallest n over arms)."""
    return min((int(a["n"]) for a in summary["arms"]), default=0)


def effect_size_word(dz: Any) -> str:
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


def answer(summary: dict[str, Any]) -> str:
    """The one-paragraph answer at the top of the report."""
    others = [a for a in summary["arms"] if a["name"] != summary["baseline"]]
    dataset = summary.get("dataset", {}).get("name", "this dataset")
    head = f"On {dataset}, over {n_seeds(summary)} paired seeds"
    if not others:
        base = summary["arms"][0]
        return f"{head}, only the baseline {base['name']} ran: {pct(base['test_acc']['mean'])} test accuracy."
    if len(others) <= _FULL_ANSWER_UP_TO:
        return f"{head}: " + " ".join(_clause(a, summary) + "." for a in others)
    return f"{head}: " + " ".join(_counts(others, summary))


def _clause(arm: dict[str, Any], summary: dict[str, Any]) -> str:
    """'dropout=0.5 vs none: +0.10 pp test accuracy (95% CI ...), p=..., verdict ...'."""
    vs = arm["vs_baseline"]
    text = f"{arm['name']} vs {summary['baseline']}: "
    if finite(vs.get("delta")) is None:
        return text + f"no test possible ({vs.get('note', 'too few paired seeds')})"
    text += (
        f"{pp(vs['delta'])} test accuracy (95% CI {interval_pp(vs.get('ci95'))}), "
        f"p={p_value(vs.get('p_value'))} (Holm {p_value(vs.get('p_holm'))}), "
        f"{vs['verdict']} with {vs.get('n_pairs', arm['n'])} seeds"
    )
    if vs["verdict"] == "no detectable difference":
        text += f"; smallest detectable effect {plain_pp(vs.get('min_detectable_effect'))}"
    return text


def _counts(others: list[dict[str, Any]], summary: dict[str, Any]) -> list[str]:
    """For many arms: how many were better / worse / undistinguished, and the extremes."""
    groups: dict[str, list[str]] = {"better": [], "worse": [], "no detectable difference": []}
    for a in others:
        groups[a["vs_baseline"]["verdict"]].append(a["name"])
    parts = [
        f"{len(others)} arms were compared with the baseline {summary['baseline']} "
        f"(paired t-test, Holm-corrected, α={summary.get('alpha', 0.05)}):",
        f"{len(groups['better'])} better{_listed(groups['better'])},",
        f"{len(groups['worse'])} worse{_listed(groups['worse'])},",
        f"{len(groups['no detectable difference'])} with no detectable difference.",
    ]
    tested = [a for a in others if finite(a["vs_baseline"].get("delta")) is not None]
    if tested:
        top = max(tested, key=lambda a: a["vs_baseline"]["delta"])
        low = min(tested, key=lambda a: a["vs_baseline"]["delta"])
        parts.append(f"Largest difference up: {_clause(top, summary)}.")
        if low is not top:
            parts.append(f"Largest difference down: {_clause(low, summary)}.")
    return parts


def _listed(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""


def arm_sentence(arm: dict[str, Any], summary: dict[str, Any]) -> str:
    """One plain-language sentence (or two) on an arm, following its verdict."""
    base = summary["baseline"]
    if arm["name"] == base:
        return (
            f"{base} is the baseline: {pct(arm['test_acc']['mean'])} test accuracy "
            f"(95% CI {interval_pct(arm['test_acc']['ci95'])}) over {arm['n']} seeds, "
            f"generalization gap {plain_pp(arm['gap']['mean'])}."
        )
    vs = arm["vs_baseline"]
    if finite(vs.get("delta")) is None:
        return f"{arm['name']}: no test against {base} ({vs.get('note', 'no paired seeds')})."
    if vs["verdict"] in ("better", "worse"):
        return _decided(arm, base)
    return _undecided(arm, base, summary)


def _decided(arm: dict[str, Any], base: str) -> str:
    vs = arm["vs_baseline"]
    return (
        f"{arm['name']} is {vs['verdict']} than {base}: {pp(vs['delta'])} test accuracy "
        f"(95% CI {interval_pp(vs.get('ci95'))}, p={p_value(vs.get('p_value'))}, "
        f"Holm p={p_value(vs.get('p_holm'))}), a {effect_size_word(vs.get('cohen_dz'))} "
        f"effect (d_z={_dz(vs.get('cohen_dz'))}); its gap changes by {pp(vs.get('gap_delta'))}."
    )


def _undecided(arm: dict[str, Any], base: str, summary: dict[str, Any]) -> str:
    vs = arm["vs_baseline"]
    name, n = arm["name"], vs.get("n_pairs", arm["n"])
    if finite(vs.get("p_value")) is None and finite(vs["delta"]) == 0.0:
        return (
            f"{name}: no detectable difference from {base}: the test accuracy is identical "
            f"on every one of the {n} paired seeds, so no test is defined: at this strength and "
            "training length the technique did not move test accuracy at all."
        )
    text = (
        f"{name}: no detectable difference from {base} ({pp(vs['delta'])}, 95% CI "
        f"{interval_pp(vs.get('ci95'))}, p={p_value(vs.get('p_value'))}, "
        f"Holm p={p_value(vs.get('p_holm'))}, {effect_size_word(vs.get('cohen_dz'))} effect "
        f"d_z={_dz(vs.get('cohen_dz'))})."
    )
    raw = finite(vs.get("p_value"))
    if raw is not None and raw < summary.get("alpha", 0.05):
        text += " It was significant before the Holm correction for multiple comparisons."
    text += (
        f" With {n} seeds the smallest difference this study detects with 80% power is "
        f"{plain_pp(vs.get('min_detectable_effect'))}; "
    )
    needed = vs.get("seeds_needed")
    if needed is None and finite(vs["delta"]) == 0.0:
        return text + "the observed mean difference is exactly zero."
    if needed is None:
        return (
            text + "a difference as small as the one observed would need more than 100,000 seeds."
        )
    text += f"detecting a difference of {plain_pp(vs['delta'])} would need about {needed} seeds"
    if needed <= n:
        m = len(summary["arms"]) - 1
        return text + f" for one comparison alone; this study had {n}, but tested {m} arms at once."
    return text + "."


def _dz(value: Any) -> str:
    d = finite(value)
    return "n/a" if d is None else f"{d:+.2f}"
