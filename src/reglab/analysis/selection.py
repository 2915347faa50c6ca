"""What to choose: the best arm, the arms as good as it within a margin, and the worse.

A stated procedure whose claims are, all together, wrong with probability at most alpha,
although the reference arm is picked after seeing the data::

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> seed_noise = rng.normal(0, 0.002, size=8)  # [n]: shared by the arms, paired
    >>> arms = {"none": 0.970 + seed_noise + rng.normal(0, 0.0005, 8),
    ...         "dropout=0.5": 0.980 + seed_noise + rng.normal(0, 0.0005, 8),
    ...         "l2=1e-4": 0.9805 + seed_noise + rng.normal(0, 0.0005, 8)}
    >>> s = choose(arms, margin=0.005)
    >>> s.best, s.equivalent, s.worse
    ('l2=1e-4', ('dropout=0.5',), ('none',))

The procedure (Bonferroni over all pairs; Hochberg & Tamhane, 1987, ch. 2):

1. The best arm is the one with the highest mean over the shared seeds (ties: the first
   in the order given).
2. Every one of the P = k(k-1)/2 pairs of arms is judged at level alpha / P: a two-sided
   paired t-test for "different", and a paired TOST against ±margin for "equivalent".
   Only the k-1 pairs with the best arm are reported, but because all P pairs are
   controlled, choosing the best from the same data cannot inflate the error.
3. An arm is "worse" when its difference test rejects (it is detectably below the best),
   "equivalent" when its TOST rejects (within ±margin of the best: as good, for the
   user's margin), "undecided" otherwise. "too few seeds" (fewer than MIN_SEEDS shared
   seeds, or a pair whose differences are all equal) makes no claim.

For one pair whose true difference is delta, a false "worse" needs delta >= 0 and a false
"equivalent" |delta| >= margin; each has probability <= alpha / P (for delta >= margin
both false claims lie in the same tail, of probability <= alpha / P), so the union over
P pairs is <= alpha. This family is separate from the verdicts against the baseline
(Holm, pre-specified reference); each is controlled at alpha on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from reglab.analysis._checks import Shown, finite_1d, margin_arg
from reglab.analysis.equivalence import DEFAULT_MARGIN, tost_paired
from reglab.analysis.power import probability
from reglab.analysis.stats import MIN_SEEDS, paired_t, too_few_seeds
from reglab.errors import invalid

__all__ = ["ArmStanding", "Selection", "Standing", "choose"]

Standing = Literal["best", "equivalent", "worse", "undecided", "too few seeds"]


@dataclass(frozen=True)
class ArmStanding:
    """One arm against the best: ``delta`` = mean(arm - best) over the shared seeds.

    ``ci`` is the two-sided (1 - level) paired-t interval of delta, simultaneous with
    every other pair's; ``p_different`` the paired t p and ``p_equivalent`` the TOST p, both
    to be compared with ``Selection.level``. ``worse`` and ``equivalent`` can both hold
    (detectably lower, but by less than the margin); ``standing`` then says "equivalent".
    """

    name: str
    mean: float
    delta: float
    ci: tuple[float, float]
    p_different: float
    p_equivalent: float
    worse: bool
    equivalent: bool
    standing: Standing


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`choose`, arms in the order given."""

    best: str
    margin: float
    alpha: float
    level: float  # alpha / P, the level of every pairwise test
    n: int  # shared seeds
    arms: tuple[ArmStanding, ...]
    procedure: str  # one sentence saying what was done, for the report
    too_few: str | None = None

    def _names(self, standing: Standing) -> tuple[str, ...]:
        return tuple(a.name for a in self.arms if a.standing == standing)

    @property
    def equivalent(self) -> tuple[str, ...]:
        return self._names("equivalent")

    @property
    def worse(self) -> tuple[str, ...]:
        return self._names("worse")

    @property
    def undecided(self) -> tuple[str, ...]:
        return self._names("undecided")


def choose(
    values: Mapping[str, npt.ArrayLike], margin: float = DEFAULT_MARGIN, alpha: float = 0.05
) -> Selection:
    """Apply the procedure of the module docstring to ``values``: arm name -> metric over
    the SAME seeds in the same order (higher is better; pass the seeds finished in every
    arm). ``margin`` is in the metric's units (0.005 = 0.5 pp of accuracy).
    """
    arrays = _arms(values)
    margin = margin_arg(margin, "choose")
    alpha = probability(alpha, "alpha", "choose")
    names = list(arrays)
    means = {name: float(v.mean()) for name, v in arrays.items()}
    best = max(names, key=lambda name: means[name])  # first maximum on ties
    k, n = len(names), arrays[best].size
    level = alpha / max(1, k * (k - 1) // 2)
    few = (
        f"{n} shared seed{'s' * (n != 1)} (at least {MIN_SEEDS} needed)" if n < MIN_SEEDS else None
    )
    arms = tuple(
        _standing(name, arrays[best], arrays[name], margin, level, best == name) for name in names
    )
    return Selection(
        best, margin, alpha, level, n, arms, _sentence(best, k, margin, alpha, level), few
    )


def _arms(values: Mapping[str, npt.ArrayLike]) -> dict[str, np.ndarray]:
    arrays = {str(k): finite_1d(v, "values", "choose", min_n=1) for k, v in values.items()}
    if not arrays:
        raise invalid("values", "choose", "a mapping of at least one arm", Shown("{}"))
    sizes = {v.size for v in arrays.values()}
    if len(sizes) > 1:
        constraint = "arrays over the same seeds (equal lengths)"
        raise invalid("values", "choose", constraint, Shown(f"lengths {sorted(sizes)}"))
    return arrays


def _standing(
    name: str, best: np.ndarray, arm: np.ndarray, margin: float, level: float, is_best: bool
) -> ArmStanding:
    diff = arm - best  # [n]
    delta, mean = float(diff.mean()), float(arm.mean())
    nan2 = (math.nan, math.nan)
    if is_best:
        return ArmStanding(name, mean, 0.0, (0.0, 0.0), math.nan, math.nan, False, False, "best")
    if too_few_seeds(diff) is not None:
        return ArmStanding(
            name, mean, delta, nan2, math.nan, math.nan, False, False, "too few seeds"
        )
    p_diff, (low, high) = paired_t(diff, 1 - level)
    p_eq = tost_paired(best, arm, margin, level).p_value
    worse, equivalent = p_diff < level and delta < 0, p_eq < level
    standing: Standing = "equivalent" if equivalent else "worse" if worse else "undecided"
    return ArmStanding(name, mean, delta, (low, high), p_diff, p_eq, worse, equivalent, standing)


def _sentence(best: str, k: int, margin: float, alpha: float, level: float) -> str:
    pairs = k * (k - 1) // 2
    if pairs == 0:
        return f"{best} is the only arm: nothing was compared."
    return (
        f"{best} has the highest mean. Each of the {pairs} pairs of the {k} arms was tested "
        f"at {alpha:g}/{pairs} = {level:.3g} (paired t-test for a difference, paired TOST "
        f"for equivalence within ±{margin:g}), so that all claims together are wrong with "
        f"probability at most {alpha:g}, the choice of the best included."
    )
