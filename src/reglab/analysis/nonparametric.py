"""Tests over seeds that assume no normal distribution, and McNemar as a description.

The verdict's test is the paired t-test (:mod:`reglab.analysis.stats`); these add what it
cannot say alone. All take the per-seed paired differences d = treatment - baseline::

    >>> import numpy as np
    >>> d = np.array([0.4, 0.1, 0.3, 0.2, 0.5])
    >>> sign_flip_p(d), wilcoxon_p(d), wilcoxon_min_p(d)  # 5 seeds: nothing below 0.0625
    (0.0625, 0.0625, 0.0625)

- :func:`sign_flip_p` is the randomization test of the mean difference over seeds (Fisher,
  1935, §21): under "the arms are exchangeable within a seed" every sign pattern of d is
  equally likely. It is the valid replacement for McNemar on pooled predictions: a seed's
  accuracy already pools its test examples, and seeds (not examples) are the independent
  units, so the correlation between one model's errors on different examples does not
  enter. It cannot reach p < 2 / 2**n (0.0625 at 5 seeds).
- :func:`wilcoxon_p` is scipy's signed-rank test; :func:`wilcoxon_min_p` is its smallest
  attainable two-sided p at this n, so a reader knows when it could never agree with t.
- :func:`mcnemar` answers another question (these fixed models, this test set: test-set
  sampling noise only). Pooling predictions over seeds makes its pairs dependent (7.5%
  false positives at alpha = 0.05 in an audit), so use it per seed, descriptively
  (:func:`mcnemar_per_seed`), never as a verdict.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reglab.analysis._checks import Shown, finite_1d, shown
from reglab.errors import invalid

__all__ = [
    "EXACT_SIGN_FLIP_MAX_N",
    "McNemarResult",
    "mcnemar",
    "mcnemar_per_seed",
    "sign_flip_p",
    "wilcoxon_min_p",
    "wilcoxon_p",
]

EXACT_SIGN_FLIP_MAX_N = 16  # 2**16 sign patterns enumerated; above, 20000 random ones


def wilcoxon_p(diff: npt.ArrayLike) -> float:
    """Two-sided Wilcoxon signed-rank p, zero differences dropped (scipy's defaults).

    Up to EXACT_SIGN_FLIP_MAX_N nonzero differences the p is exact: the share of the
    2**n' sign patterns whose signed-rank sum lies at least as far from its mean as the
    observed one (midranks for ties). This is scipy.stats.wilcoxon's exact test without
    ties and its permutation test with them, enumerated here in one matrix product
    instead of scipy's Python loop. Beyond, scipy's tie-corrected normal approximation.
    nan when every difference is zero: scipy then warns and returns 1.0, which would
    read as evidence of equality rather than as "no test possible".
    """
    from scipy import stats as st  # imported on use: ~0.5 s that a one-seed study skips

    d = finite_1d(diff, "diff", "wilcoxon_p", min_n=1)
    nonzero = d[d != 0]
    n = nonzero.size
    if n == 0:
        return math.nan
    if n > EXACT_SIGN_FLIP_MAX_N:
        return float(st.wilcoxon(d, alternative="two-sided", method="asymptotic").pvalue)
    ranks = st.rankdata(np.abs(nonzero))  # [n'] midranks
    signs = _all_signs(n)  # [2**n', n']
    centre = ranks.sum() / 2  # the mean of T+ under the null
    null = np.abs((signs > 0) @ ranks - centre)  # [2**n'] |T+ - mean|
    observed = abs(float(ranks[nonzero > 0].sum()) - centre)
    return float(np.mean(null >= observed - 1e-9))


def _all_signs(n: int) -> np.ndarray:
    """Every pattern of n signs: [2**n, n] of +-1.0."""
    return np.array(list(itertools.product((1.0, -1.0), repeat=n)))


def wilcoxon_min_p(diff: npt.ArrayLike) -> float:
    """Smallest two-sided p the exact signed-rank test can give: 2 / 2**n' (n' nonzero d).

    Reached when every difference has the same sign; 0.0625 at 5 seeds, so Wilcoxon can
    never reject at alpha = 0.05 with 5 seeds. nan when every difference is zero.

    >>> wilcoxon_min_p([1.0, 2.0, 3.0, 4.0, 5.0]), wilcoxon_min_p([0.0, 1.0, 2.0])
    (0.0625, 0.5)
    """
    d = finite_1d(diff, "diff", "wilcoxon_min_p", min_n=1)
    n = int(np.count_nonzero(d))
    return math.nan if n == 0 else min(1.0, 2.0 ** (1 - n))


def sign_flip_p(diff: npt.ArrayLike, seed: int = 0) -> float:
    """Two-sided paired randomization p of mean(d) = 0: share of sign patterns s with
    |mean(s * d)| >= |mean(d)|. Exact (all 2**n patterns) for n <= EXACT_SIGN_FLIP_MAX_N;
    above, (1 + hits) / (1 + 20000) over random patterns drawn from ``seed``.

    Equal to ``scipy.stats.permutation_test(..., permutation_type="samples")`` on the
    pairs. 1.0 when every difference is zero.

    >>> sign_flip_p([0.2, 0.3, -0.1, 0.4])
    0.25
    """
    d = finite_1d(diff, "diff", "sign_flip_p", min_n=1)
    n = d.size
    if n <= EXACT_SIGN_FLIP_MAX_N:
        signs = _all_signs(n)  # [2**n, n]
    else:
        signs = np.random.default_rng(seed).choice((1.0, -1.0), size=(20_000, n))
    observed = abs(float(d.mean()))
    null = np.abs(signs @ d) / n  # [patterns]
    hits = int(np.sum(null >= observed * (1 - 1e-12)))  # tolerance: float rounding
    if n <= EXACT_SIGN_FLIP_MAX_N:
        return hits / signs.shape[0]
    return (1 + hits) / (1 + signs.shape[0])


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's test on paired correctness; n01: a wrong, b right; n10: a right, b wrong."""

    n01: int
    n10: int
    statistic: float
    p_value: float


def mcnemar(correct_a: npt.ArrayLike, correct_b: npt.ArrayLike) -> McNemarResult:
    """McNemar (1947) test of two FIXED classifiers on the same test examples.

    Covers test-set sampling only (not seed-to-seed training noise), and assumes the
    pairs are independent: do not pool several seeds' predictions (see module docstring).
    ``p_value`` is the exact test: two-sided binomial (scipy.stats.binomtest) of n01
    successes in n01 + n10 discordant pairs at 1/2. ``statistic`` is the chi-square with
    Edwards' continuity correction, for reporting only. No discordant pair: 0.0 and 1.0.

    >>> mcnemar([1, 1, 0, 0, 1], [1, 0, 1, 1, 1])
    McNemarResult(n01=2, n10=1, statistic=0.0, p_value=1.0)
    """
    a = np.asarray(correct_a)
    b = np.asarray(correct_b)
    for name, arr in (("correct_a", a), ("correct_b", b)):
        if arr.ndim != 1 or arr.size == 0 or not np.all((arr == 0) | (arr == 1)):
            raise invalid(name, "mcnemar", "a non-empty 1-D array of booleans", shown(arr))
    if b.size != a.size:
        constraint = f"an array of the same length as 'correct_a' ({a.size})"
        raise invalid("correct_b", "mcnemar", constraint, Shown(f"length {b.size}"))
    a, b = a.astype(bool), b.astype(bool)
    n01, n10 = int(np.sum(~a & b)), int(np.sum(a & ~b))
    if n01 + n10 == 0:
        return McNemarResult(0, 0, 0.0, 1.0)
    statistic = max(abs(n01 - n10) - 1, 0) ** 2 / (n01 + n10)
    from scipy import stats as st

    p = float(st.binomtest(n01, n01 + n10, 0.5, alternative="two-sided").pvalue)
    return McNemarResult(n01, n10, float(statistic), p)


def mcnemar_per_seed(
    correct_a: npt.ArrayLike, correct_b: npt.ArrayLike
) -> tuple[McNemarResult, ...]:
    """McNemar for each seed separately: correct_* are bool [S seeds, N examples].

    Descriptive only ("on seed s, these two models differ on this test set"); no
    multiplicity correction and no verdict is attached.
    """
    a, b = np.asarray(correct_a), np.asarray(correct_b)
    if a.ndim != 2 or b.shape != a.shape:
        raise invalid(
            "correct_b",
            "mcnemar_per_seed",
            f"an array of the shape of 'correct_a' {a.shape}",
            Shown(f"an array of shape {b.shape}"),
        )
    return tuple(mcnemar(ra, rb) for ra, rb in zip(a, b, strict=True))
