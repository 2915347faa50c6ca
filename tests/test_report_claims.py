"""Every sentence generator states only what its numbers support (issue 12, item 5).

Typed summaries are built by hand with known numbers; each test checks that the claim a
sentence makes follows from them: a verdict word only with its tested comparison, an
"equivalent" only when TOST says so, a gap / sparsity / time difference only when its
paired test (Holm) detects it, no p or interval with too few seeds, diverged arms named,
plurals and ranges written right.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from reglab.analysis.results import (
    ArmRun,
    ArmSummary,
    Comparison,
    Described,
    Equivalent,
    Paired,
    StudySummary,
)
from reglab.report.inputs import ReportInputs
from reglab.report.sections import _metric as m
from reglab.report.sections.answer import answer
from reglab.report.sections.choose import what_to_choose
from reglab.report.sections.gap import gap_note
from reglab.report.sections.timing import time_note
from reglab.report.sections.verdicts import arm_sentence, verdict_table
from reglab.report.sections.weights import weights_note

NONE = Described()


def _d(mean: float | None, lo: float | None = None, hi: float | None = None) -> Described:
    return Described(mean, None if mean is None else 0.01, (lo, hi))


def _arm(name: str, acc: float | None, vs: Comparison | None = None, **kw: object) -> ArmSummary:
    n = 0 if acc is None else 5
    fields: dict[str, object] = dict(
        name=name, n=n, n_diverged=5 if acc is None else 0, test_acc=_d(acc, acc, acc),
        test_loss=NONE, train_acc=NONE, gap=_d(None if acc is None else 0.05),
        loss_gap=NONE, train_seconds=NONE, best_epoch=NONE, stop_epoch=NONE,
        sparsity=_d(None if acc is None else 0.01, 0.005, 0.015), dead_units=NONE,
        vs_baseline=vs,
    )  # fmt: skip
    fields.update(kw)
    return ArmSummary(**fields)  # type: ignore[arg-type]


def _paired(verdict: str, delta: float, lo: float, hi: float, p: float = 0.001) -> Paired:
    return Paired(5, delta, (lo, hi), p, p, verdict)


def _vs(verdict: str = "better", delta: float = 0.02, **kw: object) -> Comparison:
    fields: dict[str, object] = dict(
        n_pairs=5, delta=delta, ci95=(delta - 0.01, delta + 0.01), p_value=0.004,
        p_holm=0.008, verdict=verdict, p_wilcoxon=0.0625, p_wilcoxon_holm=0.125,
        wilcoxon_min_p=0.0625, wilcoxon_can_reject=False, disagree=verdict == "better",
        p_sign_flip=0.0625, prob_improvement=0.9, d_av=1.5, cohen_dz=4.0,
        min_detectable_effect=0.012, seeds_needed=4, power_alpha=0.025,
        equivalence=Equivalent(0.005, 0.4, (delta - 0.008, delta + 0.008), "not shown equivalent"),
    )  # fmt: skip
    fields.update(kw)
    return Comparison(**fields)  # type: ignore[arg-type]


def _summary(*arms: ArmSummary, metric: str = "test_acc") -> StudySummary:
    timed = {"step_seconds": _d(0.002), "step_seconds_range": (0.0015, 0.003)}
    base = _arm("none", 0.90, **timed)
    return StudySummary("none", (base, *arms), metric=metric, dataset={"name": "digits"})


def _inputs(summary: StudySummary, runs: pd.DataFrame | None = None) -> ReportInputs:
    return ReportInputs(root=Path("."), summary=summary, runs=runs or pd.DataFrame())


# ---- verdict sentences ---------------------------------------------------------------------
def test_better_states_its_test_and_no_cohen_labels() -> None:
    s = _summary(_arm("l2", 0.92, _vs()))
    text = arm_sentence(s.arm("l2"), s)
    assert text.startswith("l2 is better than none: +2.00 pp test accuracy (95% CI [+1.00, +3.00]")
    assert "p=0.004, Holm p=0.008, 5 seeds" in text and "d_av=+1.50" in text
    assert not any(w in text for w in ("large", "medium", "small effect", "negligible"))
    # t and Wilcoxon disagree, and Wilcoxon cannot reject at 5 seeds: the sentence says so
    assert "Wilcoxon signed-rank test disagrees (Holm p=0.125)" in text
    assert "smallest possible p is 0.062, so it cannot reject at this n" in text


def test_equivalent_only_when_tost_says_so() -> None:
    eq = Equivalent(0.005, 0.01, (-0.002, 0.003), "equivalent")
    shown = _vs("no detectable difference", 0.0005, equivalence=eq, disagree=False)
    s = _summary(
        _arm("a", 0.9005, shown), _arm("b", 0.9005, dataclasses.replace(shown, equivalence=None))
    )
    assert "equivalent within ±0.50 pp (paired TOST p=0.010" in arm_sentence(s.arm("a"), s)
    assert "not shown equivalent within ±0.50 pp" in arm_sentence(s.arm("b"), s)
    assert "equivalent within" not in answer(s).split("b vs none")[1]


def test_power_is_stated_at_the_verdicts_level() -> None:
    s = _summary(_arm("a", 0.9, _vs("no detectable difference", 0.001, disagree=False)))
    text = arm_sentence(s.arm("a"), s)
    assert "at the verdict's level (α/k = 0.025) is 1.20 pp" in text
    assert "about 4 seeds at that level" in text and "sample sd" in text


def test_too_few_seeds_gives_no_p_and_no_interval() -> None:
    vs = _vs("too few seeds", -0.0135, p_value=None, p_holm=None, ci95=(None, None),
             too_few="2 paired seeds (at least 3 needed)", disagree=False)  # fmt: skip
    s = _summary(_arm("a", 0.89, vs))
    for text in (arm_sentence(s.arm("a"), s), answer(s)):
        assert "too few seeds" in text and "2 paired seeds (at least 3 needed)" in text
        assert "p=" not in text and "p<" not in text and "CI" not in text


def test_a_diverged_arm_and_a_diverged_baseline() -> None:
    s = _summary(_arm("wd=1e9", None, Comparison.untestable(0, "diverged")))
    assert arm_sentence(s.arm("wd=1e9"), s) == "wd=1e9 diverged in all 5 runs (n = 0): no verdict."
    assert "wd=1e9 vs none: diverged in every run (5), n = 0: no verdict" in answer(s)
    assert verdict_table(s).rows[1][2] == "diverged"
    dead = StudySummary("none", (_arm("none", None), _arm("l2", 0.9)), dataset={"name": "digits"})
    assert dead.baseline_diverged and dead.n_seeds == 5
    assert "the baseline none diverged in every run (5 of 5): no arm can be compared" in answer(
        dead
    )
    assert "diverged in all 5 runs: no arm" in arm_sentence(dead.arm("none"), dead)


def test_lower_is_better_reads_as_mse() -> None:
    vs = _vs("better", -0.02, disagree=False)
    s = _summary(_arm("l2", 0.88, vs), metric="test_loss")
    assert not s.higher_is_better
    text = arm_sentence(s.arm("l2"), s)
    assert text.startswith("l2 is better than none: -0.02 test MSE (lower is better)")


# ---- gap, sparsity, time: stated only when tested ------------------------------------------
def _with(metric: str, result: Paired | None, name: str = "l2") -> StudySummary:
    vs = _vs("no detectable difference", 0.0, disagree=False, **{metric: result})
    return _summary(_arm(name, 0.9, vs, step_seconds=_d(0.002), step_seconds_range=(0.0015, 0.003)))


def test_gap_change_needs_its_test() -> None:
    found = gap_note(_inputs(_with("gap", _paired("lower", -0.012, -0.02, -0.004))))[0]
    assert "l2: gap lower by 1.20 pp (95% CI [-2.00, -0.40] pp, Holm p=0.001)" in found
    quiet = _paired("no detectable difference", -0.0028, -0.01, 0.004, p=0.47)
    text = gap_note(_inputs(_with("gap", quiet)))[0]
    assert "No arm's gap differs detectably" in text and "narrows" not in text
    assert "are all -0.28 pp" in text and "range from" not in text  # one value: no range


def test_sparsity_and_l1_l2_state_measurements_not_textbook() -> None:
    runs = pd.DataFrame({"arm": ["none", "l1", "l2"], "l1": [0, 1e-4, 0], "l2": [0, 0, 1e-3]})
    vs = _vs("no detectable difference", 0.0, disagree=False)
    s = _summary(_arm("l1", 0.9, vs), _arm("l2", 0.9, vs))
    inputs = ReportInputs(root=Path("."), summary=s, runs=runs)
    first, second = weights_note(inputs)
    assert "No arm's sparsity differs detectably" in first
    assert "L1 arms l1 1.00% [0.50, 1.50]%; L2 arms l2 1.00% [0.50, 1.50]%" in second
    assert "drives weights to zero" not in second and "not tested against each other" in second


def test_time_difference_only_when_real() -> None:
    untested = _paired("too few seeds", 0.001, 0, 0)
    untested = dataclasses.replace(untested, p_value=None, p_holm=None, ci95=(None, None))
    how, text = time_note(_inputs(_with("step_seconds", untested)))
    assert "epochs 2 onwards" in how and "No time difference is stated" in text
    assert "2.00 ms per step (range 1.50 ms to 3.00 ms)" in text
    found = _paired("higher", 0.0005, 0.0002, 0.0008)
    text = time_note(_inputs(_with("step_seconds", found)))[1]
    assert "l2: time per step higher by 0.50 ms (95% CI [+0.20, +0.80] ms, Holm p=0.001)" in text


# ---- what to choose, wording --------------------------------------------------------------
def test_what_to_choose_states_its_procedure() -> None:
    seeds = [0, 1, 2, 3, 4]
    base = [0.90, 0.91, 0.92, 0.90, 0.91]
    runs = pd.DataFrame({
        "arm": ["none"] * 5 + ["l2"] * 5 + ["bad"] * 5, "seed": seeds * 3, "status": "ok",
        "test_acc": base + [b + 0.0001 * (i % 2) for i, b in enumerate(base)]
        + [b - 0.05 + 0.001 * i for i, b in enumerate(base)],
    })  # fmt: skip
    vs = _vs("no detectable difference", 0.0, disagree=False)
    s = _summary(_arm("l2", 0.91, vs), _arm("bad", 0.86, vs))
    choice = what_to_choose(ReportInputs(root=Path("."), summary=s, runs=runs))
    assert choice.selection is not None and choice.selection.best == "l2"
    assert "Each of the 3 pairs of the 3 arms was tested at 0.05/3" in choice.bullets[0]
    assert any(b.startswith("Equivalent to l2 within ±0.50 pp: none") for b in choice.bullets)
    assert any(b.startswith("Detectably worse than l2: bad") for b in choice.bullets)


@pytest.mark.parametrize(
    ("n", "word", "shown"), [(0, "comparison", "0 comparisons"), (1, "comparison", "1 comparison"),
                             (2, "seed", "2 seeds")],
)  # fmt: skip
def test_plurals(n: int, word: str, shown: str) -> None:
    assert m.many(n, word) == shown


def test_range_of_one_value() -> None:
    assert m.values_range("0.28 pp", "0.28 pp") == "are all 0.28 pp"
    assert m.values_range("0.28 pp", "1.00 pp") == "range from 0.28 pp to 1.00 pp"


def test_run_record_type_is_unchanged() -> None:
    assert ArmRun(0, "diverged", None, None, 0, 1, None).to_json()["test_acc"] is None
