"""Calibration: with every arm identical, how often do reglab's claims come out anyway?

Each simulated study draws per-seed test accuracies for k arms that share nothing but the
seed: acc[s, a] = Binomial(N_TEST, 0.97 + seed[s] + run[s, a]) / N_TEST, with a shared
seed effect (what pairing removes), a per-run training effect and the test set's binomial
quantization (ties included). All arms have the same distribution, so every "better",
"worse" or "worse than the best" is a false positive. Over STUDIES studies the rate must
be <= alpha + 3 Monte-Carlo standard errors. Each check also runs a procedure known to be
wrong (no Holm; the best picked without accounting for it) and shows that the same
harness catches it, so the checks can fail. numpy only, no training: a few seconds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from reglab.analysis import choose, paired_comparison, with_holm

ALPHA = 0.05
STUDIES = 2000
N_TEST = 2000


def _bound(studies: int) -> float:
    return ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / studies)


def _null_studies(studies: int, seeds: int, arms: int, seed: int) -> np.ndarray:
    """Per-seed accuracies of identical arms: [studies, seeds, arms]."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 0.004, (studies, seeds, 1))  # the seed's effect, every arm
    run = rng.normal(0, 0.002, (studies, seeds, arms))  # training noise of one run
    return rng.binomial(N_TEST, np.clip(0.97 + shared + run, 0, 1)) / N_TEST


def _verdicts(study: np.ndarray, holm: bool) -> list[str]:
    base = study[:, 0]
    comps = [paired_comparison(base, study[:, a], plan=False, secondary=False)
             for a in range(1, study.shape[1])]  # fmt: skip
    if holm:
        comps = with_holm(comps, ALPHA, plan=False)
    return [c.verdict for c in comps]


@pytest.mark.parametrize(("seeds", "arms"), [(5, 4), (3, 3)])
def test_verdict_family_error_is_at_most_alpha(seeds: int, arms: int) -> None:
    data = _null_studies(STUDIES, seeds, arms, seed=seeds * 10 + arms)
    claims = [_verdicts(study, holm=True) for study in data]
    fwer = np.mean([any(v in ("better", "worse") for v in vs) for vs in claims])
    assert fwer <= _bound(STUDIES)
    # the harness can fail: each raw t-test is at alpha, so without Holm the family is not
    raw = [_verdicts(study, holm=False) for study in data[:1000]]
    raw_fwer = np.mean([any(v in ("better", "worse") for v in vs) for vs in raw])
    assert raw_fwer > _bound(1000)


def test_too_few_seeds_never_claims() -> None:
    data = _null_studies(500, 2, 3, seed=1)
    assert all(v == "too few seeds" for study in data for v in _verdicts(study, holm=True))


def _naive_worse(study: np.ndarray) -> bool:
    """The old "what to choose": reference = observed best, Holm over the k-1 t-tests."""
    best = int(np.argmax(study.mean(axis=0)))
    comps = [paired_comparison(study[:, best], study[:, a], plan=False, secondary=False)
             for a in range(study.shape[1]) if a != best]  # fmt: skip
    return any(c.verdict == "worse" for c in with_holm(comps, ALPHA, plan=False))


@pytest.mark.parametrize("arms", [3, 5, 8])
def test_choose_calls_no_identical_arm_worse(arms: int) -> None:
    data = _null_studies(STUDIES, 5, arms, seed=100 + arms)
    named = [{f"arm{a}": study[:, a] for a in range(arms)} for study in data]
    rate = np.mean([bool(choose(study, margin=0.005, alpha=ALPHA).worse) for study in named])
    assert rate <= _bound(STUDIES)
    if arms == 8:  # the harness can fail: ignoring the selection of the best does
        naive = np.mean([_naive_worse(study) for study in data[:1000]])
        assert naive > _bound(1000)


def test_choose_never_calls_arms_a_margin_apart_equivalent_too_often() -> None:
    # the first arm is better than the two others by exactly the margin: any
    # "equivalent" is false. TOST sits at its boundary here, its worst case.
    margin = 0.004
    data = _null_studies(STUDIES, 8, 3, seed=7)
    data[:, :, 0] += margin
    named = [{f"arm{a}": study[:, a] for a in range(3)} for study in data]
    selections = [choose(study, margin=margin, alpha=ALPHA) for study in named]
    # arm0 vs arm1 or arm2 (true distance = margin) is a false "equivalent"; arm1 vs
    # arm2 (distance 0) a true one
    false_equivalent = np.mean([
        any((a.name == "arm0") != (s.best == "arm0") for a in s.arms if a.equivalent)
        for s in selections
    ])  # fmt: skip
    assert false_equivalent <= _bound(STUDIES)
    # with a margin three times as wide the same arms are often (correctly) equivalent
    wide = [choose(study, margin=3 * margin, alpha=ALPHA) for study in named[:300]]
    assert np.mean([bool(s.equivalent) for s in wide]) > 0.5
