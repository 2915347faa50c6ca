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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from reglab.errors import invalid

__all__ = [
    "BiasVariance01",
    "BiasVarianceSquared",
    "decompose_01",
    "decompose_squared",
    "empirical_squared_loss",
]


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
    """

    loss: float
    bias: float
    variance: float
    main_prediction: np.ndarray = field(compare=False, repr=False)


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
    return BiasVariance01(
        loss=float(np.mean(p != labels)),
        bias=float(np.mean(main != labels)),
        variance=float(np.mean(p != main)),
        main_prediction=main,
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
