"""Bias–variance decompositions of a model's test error over R retrained models.

The caller trains R models (on bootstrap resamples, or with R seeds) and stacks their
test predictions; these functions only decompose. Randomness lives upstream::

    >>> import numpy as np
    >>> from reglab.analysis.biasvar import decompose_01, decompose_squared
    >>> pred = np.array([[0, 1, 2], [0, 2, 2], [1, 1, 2]])  # [R=3 models, N=3 examples]
    >>> r = decompose_01(pred, y=np.array([0, 1, 1]))
    >>> r.main_prediction.tolist(), round(r.bias, 3), round(r.variance, 3)
    ([0, 1, 2], 0.333, 0.222)
    >>> decompose_squared(np.array([[1.0, 2.0], [3.0, 2.0]]), np.array([2.0, 1.0]))
    BiasVarianceSquared(loss=1.0, bias_sq=0.5, variance=0.5, noise=0.0)
    >>> round(r.net_variance, 3), r.net_variance_negative  # Domingos: V_u - V_b
    (0.222, False)

The main prediction is the per-example mode of the R models' classes; ties go to the
SMALLEST class index (:data:`TIE_RULE`). With two classes an odd R never ties, so
:data:`DEFAULT_ROUNDS` is odd.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from reglab.errors import invalid

__all__ = [
    "DEFAULT_ROUNDS",
    "TIE_RULE",
    "BiasVariance01",
    "BiasVarianceSquared",
    "LowestLoss",
    "decompose_01",
    "decompose_probabilities",
    "decompose_squared",
    "empirical_squared_loss",
    "lowest_loss",
]

DEFAULT_ROUNDS = 11  # odd: no mode ties between two classes
_BOOTSTRAP = 2000  # resamples of the rounds for the lowest-loss uncertainty
TIE_RULE = "ties in the main prediction go to the smallest class index"


class _Shown(str):
    """A description of a bad value, printed without quotes in the error message."""

    def __repr__(self) -> str:
        return str(self)


def _shape_of(arr: np.ndarray) -> _Shown:
    return _Shown(f"an array of shape {arr.shape}")


def _predictions(pred: npt.ArrayLike, owner: str) -> np.ndarray:
    arr = np.asarray(pred)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise invalid("pred", owner, "a non-empty 2-D array [models, examples]", _shape_of(arr))
    return arr


def _targets(target: npt.ArrayLike, n: int, param: str, owner: str) -> np.ndarray:
    arr = np.asarray(target)
    if arr.shape != (n,):
        raise invalid(param, owner, f"a 1-D array of {n} values (one per example)", _shape_of(arr))
    return arr


def _labels(arr: np.ndarray, param: str) -> np.ndarray:
    if not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        bad = _Shown(f"an array of dtype {arr.dtype} with minimum {arr.min()}")
        raise invalid(param, "decompose_01", "an array of non-negative int class indices", bad)
    return arr


def _finite(arr: np.ndarray, param: str, owner: str) -> np.ndarray:
    out = np.asarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        bad = _Shown(f"an array with {int(np.sum(~np.isfinite(out)))} non-finite values")
        raise invalid(param, owner, "finite", bad)
    return out


@dataclass(frozen=True)
class BiasVariance01:
    """0-1 loss decomposition (Domingos, 2000), averaged over test examples.

    ``loss`` = mean over (model, example) of [pred != y]; ``bias`` = share of examples
    whose main prediction != y; ``variance`` = mean over (model, example) of
    [pred != main prediction]. For 0-1 loss, loss is NOT bias + variance in general:
    variance adds to the loss on unbiased examples and subtracts on biased ones.
    ``main_prediction`` is [N], the per-example mode, ties to the smallest class.

    Domingos splits the variance by where it falls: ``unbiased_variance`` (examples whose
    main prediction is right; there variance adds to the loss) plus ``biased_variance``
    (examples whose main prediction is wrong; there it subtracts), both averaged over all
    N examples so that they sum to ``variance``. ``net_variance`` = unbiased - biased; it
    is negative (``net_variance_negative``) when variance on biased examples dominates,
    i.e. model-to-model disagreement is LOWERING the loss on balance. With two classes
    loss = bias + net_variance exactly; with more, loss >= bias + net_variance (a wrong
    main prediction's other votes need not hit the true class).
    """

    loss: float
    bias: float
    variance: float
    main_prediction: np.ndarray = field(compare=False, repr=False)
    unbiased_variance: float = float("nan")
    biased_variance: float = float("nan")
    net_variance: float = float("nan")
    net_variance_negative: bool = False


def decompose_01(pred: npt.ArrayLike, y: npt.ArrayLike) -> BiasVariance01:
    """Domingos' (2000) decomposition, as mlxtend's ``bias_variance_decomp`` computes it.

    pred: int [R, N], class predicted by each of R models on each of N test examples.
    y: int [N], the true classes.
    """
    p = _labels(_predictions(pred, "decompose_01"), "pred")
    labels = _labels(_targets(y, p.shape[1], "y", "decompose_01"), "y")
    n_classes = int(max(p.max(), labels.max())) + 1
    votes = np.stack([(p == c).sum(axis=0) for c in range(n_classes)])  # [C, N]
    main = votes.argmax(axis=0)  # [N]; argmax takes the first maximum: ties -> smallest class
    spread = np.mean(p != main, axis=0)  # [N] per-example variance
    biased = main != labels  # [N]
    unbiased_v = float(np.sum(spread[~biased]) / spread.size)
    biased_v = float(np.sum(spread[biased]) / spread.size)
    return BiasVariance01(
        loss=float(np.mean(p != labels)),
        bias=float(np.mean(biased)),
        variance=float(np.mean(p != main)),
        main_prediction=main,
        unbiased_variance=unbiased_v,
        biased_variance=biased_v,
        net_variance=unbiased_v - biased_v,
        net_variance_negative=unbiased_v - biased_v < 0,
    )


@dataclass(frozen=True)
class BiasVarianceSquared:
    """Squared-loss decomposition (Geman, Bienenstock & Doursat, 1992), mean over examples.

    ``loss`` is the expected squared error against a noisy target y = f + e with
    E[e] = 0, Var[e] = noise_std², over the R models: E[(pred - y)²] = bias_sq + variance
    + noise exactly, since the cross terms vanish in expectation.
    """

    loss: float
    bias_sq: float
    variance: float
    noise: float


def decompose_squared(
    pred: npt.ArrayLike, f_true: npt.ArrayLike, noise_std: float = 0.0
) -> BiasVarianceSquared:
    """bias_sq = mean_n (mean_r pred - f)², variance = mean_n var_r pred (ddof=0),
    noise = noise_std², loss = their sum.

    pred: float [R, N], predictions of R models on N test inputs.
    f_true: float [N], the noise-free target f(x) at those inputs.
    """
    owner = "decompose_squared"
    p = _finite(_predictions(pred, owner), "pred", owner)
    f = _finite(_targets(f_true, p.shape[1], "f_true", owner), "f_true", owner)
    if not (np.isfinite(noise_std) and noise_std >= 0):
        raise invalid("noise_std", owner, "a float in [0, inf)", noise_std)
    bias_sq = float(np.mean((p.mean(axis=0) - f) ** 2))
    variance = float(np.mean(p.var(axis=0)))
    noise = float(noise_std) ** 2
    return BiasVarianceSquared(bias_sq + variance + noise, bias_sq, variance, noise)


def empirical_squared_loss(pred: npt.ArrayLike, y_noisy: npt.ArrayLike) -> float:
    """Mean over (model, example) of (pred - y)² against one observed noisy target [N]."""
    owner = "empirical_squared_loss"
    p = _finite(_predictions(pred, owner), "pred", owner)
    y = _finite(_targets(y_noisy, p.shape[1], "y_noisy", owner), "y_noisy", owner)
    return float(np.mean((p - y) ** 2))


def decompose_probabilities(proba: npt.ArrayLike, y: npt.ArrayLike) -> BiasVarianceSquared:
    """Squared-loss decomposition of predicted class probabilities against one-hot
    targets (the Brier score summed over classes; Geman et al., 1992, applied per class).

    proba: float [R, N, C], each model's probabilities; y: int [N] true classes.
    loss = mean_n mean_r sum_c (p_rnc - onehot_nc)², bias_sq = mean_n sum_c
    (mean_r p_rnc - onehot_nc)², variance = mean_n sum_c var_r p_rnc (ddof=0), noise 0
    (the label is the target): loss == bias_sq + variance exactly, up to rounding.

    >>> p = np.array([[[0.8, 0.2]], [[0.4, 0.6]]])  # [R=2, N=1, C=2]
    >>> r = decompose_probabilities(p, np.array([0]))
    >>> round(r.loss, 4), round(r.bias_sq, 4), round(r.variance, 4)
    (0.4, 0.32, 0.08)
    """
    owner = "decompose_probabilities"
    p = np.asarray(proba)
    if p.ndim != 3 or 0 in p.shape:
        bad = _shape_of(p)
        raise invalid("proba", owner, "a non-empty 3-D array [models, examples, classes]", bad)
    p = _finite(p, "proba", owner)
    labels = _targets(y, p.shape[1], "y", owner)
    if not np.issubdtype(labels.dtype, np.integer) or np.any((labels < 0) | (labels >= p.shape[2])):
        bad = _Shown(
            f"an array of dtype {labels.dtype} with range [{labels.min()}, {labels.max()}]"
        )
        raise invalid("y", owner, f"int class indices in [0, {p.shape[2]})", bad)
    onehot = np.eye(p.shape[2])[labels]  # [N, C]
    loss = float(np.mean(np.sum((p - onehot) ** 2, axis=2)))
    bias_sq = float(np.mean(np.sum((p.mean(axis=0) - onehot) ** 2, axis=1)))
    variance = float(np.mean(np.sum(p.var(axis=0), axis=1)))
    return BiasVarianceSquared(loss, bias_sq, variance, 0.0)


@dataclass(frozen=True)
class LowestLoss:
    """Which strength has the lowest expected loss, and how sure that is.

    The rounds are paired across strengths (round r uses one seed at every strength), so
    they are resampled together: ``share`` is the fraction of ``resamples`` bootstrap
    resamples of the rounds in which ``strength`` has the lowest loss, and ``diff_ci95``
    the percentile interval of loss(runner-up) - loss(best) over them (an interval that
    includes 0: the two are not separable with these rounds). Over the rounds that
    finished at every strength (``rounds``).
    """

    strength: float
    runner_up: float | None
    share: float
    diff_ci95: tuple[float, float]
    rounds: int
    resamples: int

    @property
    def separable(self) -> bool:
        return self.runner_up is not None and self.diff_ci95[0] > 0


def lowest_loss(
    losses: np.ndarray, strengths: Sequence[float], seed: int = 0, resamples: int = _BOOTSTRAP
) -> LowestLoss | None:
    """From per-round losses [S, R] (rounds finished at every strength): see LowestLoss.

    >>> lowest_loss(np.array([[0.2, 0.21, 0.19], [0.1, 0.12, 0.11]]), [0, 1]).strength
    1
    """
    r = losses.shape[1]
    if r < 2 or losses.shape[0] < 1:
        return None
    mean = losses.mean(axis=1)  # [S]
    order = np.argsort(mean, kind="stable")
    best = int(order[0])
    idx = np.random.default_rng(seed).integers(0, r, size=(resamples, r))  # [B, R]
    boot = losses[:, idx].mean(axis=2)  # [S, B]
    share = float(np.mean(boot.argmin(axis=0) == best))
    if len(order) < 2:
        return LowestLoss(strengths[best], None, share, (math.nan, math.nan), r, resamples)
    second = int(order[1])
    low, high = np.quantile(boot[second] - boot[best], [0.025, 0.975])
    return LowestLoss(
        strengths[best], strengths[second], share, (float(low), float(high)), r, resamples
    )
