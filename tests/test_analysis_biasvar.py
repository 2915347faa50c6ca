"""Reference tests for reglab.analysis.biasvar: hand-computed matrices (ties included),
the textbook identities, a brute-force noisy-target check, and the error messages."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

from reglab.analysis import (
    DEFAULT_ROUNDS,
    TIE_RULE,
    decompose_01,
    decompose_probabilities,
    decompose_squared,
    empirical_squared_loss,
)
from reglab.errors import ConfigError

# --- 0-1 loss (Domingos, 2000) ----------------------------------------------------


def test_decompose_01_hand_computed_with_ties() -> None:
    pred = np.array(
        [
            [0, 1, 2, 3],  # [R=4 models, N=4 examples]
            [1, 1, 2, 1],
            [1, 0, 0, 3],
            [0, 2, 0, 1],
        ]
    )
    y = np.array([1, 1, 0, 3])
    # column votes: {0:2, 1:2} -> tie -> 0; {1:2, 0:1, 2:1} -> 1;
    #               {2:2, 0:2} -> tie -> 0; {3:2, 1:2} -> tie -> 1
    r = decompose_01(pred, y)
    np.testing.assert_array_equal(r.main_prediction, [0, 1, 0, 1])
    assert r.bias == pytest.approx(2 / 4)  # examples 0 and 3 are biased
    assert r.variance == pytest.approx((2 + 2 + 2 + 2) / 16)
    assert r.loss == pytest.approx((2 + 2 + 2 + 2) / 16)  # wrong predictions per column


def test_two_models_that_disagree_tie_to_the_smallest_class() -> None:
    r = decompose_01(np.array([[0], [1]]), np.array([1]))
    np.testing.assert_array_equal(r.main_prediction, [0])
    assert (r.loss, r.bias, r.variance) == (0.5, 1.0, 0.5)


def test_decompose_01_matches_mlxtend_definitions() -> None:
    # The same computation mlxtend's bias_variance_decomp does on its all_pred [R, N].
    rng = np.random.default_rng(0)
    pred = rng.integers(0, 4, size=(25, 300))
    y = rng.integers(0, 4, size=300)
    main = np.apply_along_axis(lambda x: np.argmax(np.bincount(x)), axis=0, arr=pred)
    r = decompose_01(pred, y)
    np.testing.assert_array_equal(r.main_prediction, main)
    assert r.loss == np.mean(pred != y)
    assert r.bias == np.mean(main != y)
    assert r.variance == np.mean(main != pred)


def test_01_loss_is_not_bias_plus_variance() -> None:
    # Domingos: on biased examples variance lowers the loss. Here: loss 2/3, bias 1,
    # variance 1/3, and loss = bias - variance, not bias + variance.
    r = decompose_01(np.array([[0], [0], [1]]), np.array([1]))
    assert r.loss == pytest.approx(2 / 3) and r.bias == 1.0 and r.variance == pytest.approx(1 / 3)


label_matrices = hnp.arrays(
    np.int64,
    hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
    elements=hst.integers(0, 4),
)


@settings(max_examples=60, deadline=None)
@given(hst.data())
def test_variance_is_zero_when_all_models_agree(data: hst.DataObject) -> None:
    row = data.draw(hnp.arrays(np.int64, hst.integers(1, 10), elements=hst.integers(0, 4)))
    r_models = data.draw(hst.integers(1, 6))
    y = data.draw(hnp.arrays(np.int64, row.size, elements=hst.integers(0, 4)))
    r = decompose_01(np.tile(row, (r_models, 1)), y)
    assert r.variance == 0.0
    assert r.loss == r.bias  # with no variance the decomposition is exact
    np.testing.assert_array_equal(r.main_prediction, row)


@settings(max_examples=60, deadline=None)
@given(label_matrices)
def test_bias_is_zero_when_main_prediction_is_the_label(pred: np.ndarray) -> None:
    main = decompose_01(pred, np.zeros(pred.shape[1], dtype=np.int64)).main_prediction
    r = decompose_01(pred, main)
    assert r.bias == 0.0
    assert r.loss == pytest.approx(r.variance)  # unbiased: every wrong model is a deviation
    assert 0.0 <= r.variance <= 1.0


@pytest.mark.parametrize(
    ("pred", "y", "message"),
    [
        (
            np.array([0, 1, 2]),
            np.array([0, 1, 2]),
            "The 'pred' parameter of decompose_01 must be a non-empty 2-D array "
            "[models, examples]. Got an array of shape (3,) instead.",
        ),
        (
            np.array([[0, 1, 2]]),
            np.array([0, 1]),
            "The 'y' parameter of decompose_01 must be a 1-D array of 3 values (one per "
            "example). Got an array of shape (2,) instead.",
        ),
        (
            np.array([[0.0, 1.0]]),
            np.array([0, 1]),
            "The 'pred' parameter of decompose_01 must be an array of non-negative int class "
            "indices. Got an array of dtype float64 with minimum 0.0 instead.",
        ),
        (
            np.array([[0, 1]]),
            np.array([0, -1]),
            "The 'y' parameter of decompose_01 must be an array of non-negative int class "
            "indices. Got an array of dtype int64 with minimum -1 instead.",
        ),
    ],
)
def test_decompose_01_rejects_bad_input(pred: np.ndarray, y: np.ndarray, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        decompose_01(pred, y)


# --- squared loss -----------------------------------------------------------------


def test_decompose_squared_hand_computed() -> None:
    pred = np.array([[1.0, 2.0, 0.0], [3.0, 2.0, 2.0]])  # [R=2, N=3]
    f = np.array([2.0, 1.0, 0.0])
    # mean over models [2, 2, 1]; bias^2 per example [0, 1, 1]; variance [1, 0, 1]
    r = decompose_squared(pred, f, noise_std=0.5)
    assert r.bias_sq == pytest.approx(2 / 3)
    assert r.variance == pytest.approx(2 / 3)
    assert r.noise == 0.25
    assert r.loss == pytest.approx(2 / 3 + 2 / 3 + 0.25)


finite = hst.floats(-10.0, 10.0)


@settings(max_examples=60, deadline=None)
@given(hst.data())
def test_squared_identity_and_definitions(data: hst.DataObject) -> None:
    pred = data.draw(
        hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2), elements=finite)
    )
    f = data.draw(hnp.arrays(np.float64, pred.shape[1], elements=finite))
    noise_std = data.draw(hst.floats(0.0, 3.0))
    r = decompose_squared(pred, f, noise_std)
    assert r.loss == pytest.approx(r.bias_sq + r.variance + r.noise)
    assert r.bias_sq == pytest.approx(np.mean((pred.mean(axis=0) - f) ** 2))
    assert r.variance == pytest.approx(np.mean(np.var(pred, axis=0)), abs=1e-12)
    # with no noise the expected loss is the plain mean squared error against f
    no_noise = decompose_squared(pred, f).loss
    assert no_noise == pytest.approx(empirical_squared_loss(pred, f), rel=1e-9, abs=1e-9)


def test_squared_loss_matches_brute_force_noisy_targets() -> None:
    rng = np.random.default_rng(1)
    n_models, n_examples, draws, noise_std = 6, 5, 200_000, 0.7
    f = rng.normal(size=n_examples)
    pred = f + 0.3 + rng.normal(scale=0.5, size=(n_models, n_examples))  # biased, noisy
    y_noisy = np.tile(f, draws) + rng.normal(scale=noise_std, size=draws * n_examples)
    brute = empirical_squared_loss(np.tile(pred, draws), y_noisy)  # [R, draws * N]
    expected = decompose_squared(pred, f, noise_std).loss
    # standard error of the brute-force mean is about 2e-3 here; allow 5 of them
    assert brute == pytest.approx(expected, abs=1e-2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: decompose_squared(np.ones((2, 3)), np.ones(3), noise_std=-1.0),
            "The 'noise_std' parameter of decompose_squared must be a float in [0, inf). "
            "Got -1.0 instead.",
        ),
        (
            lambda: decompose_squared(np.array([[1.0, np.nan]]), np.ones(2)),
            "The 'pred' parameter of decompose_squared must be finite. "
            "Got an array with 1 non-finite values instead.",
        ),
        (
            lambda: empirical_squared_loss(np.ones((2, 3)), np.ones(4)),
            "The 'y_noisy' parameter of empirical_squared_loss must be a 1-D array of 3 "
            "values (one per example). Got an array of shape (4,) instead.",
        ),
    ],
)
def test_squared_rejects_bad_input(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        call()


# --- net variance (Domingos, 2000) and probabilities -------------------------------


def test_net_variance_hand_computed_and_negative_flag() -> None:
    pred = np.array([[0, 1, 1], [0, 0, 1], [1, 0, 1]])  # [R=3, N=3], two classes
    y = np.array([0, 1, 1])
    # main [0, 0, 1]: example 1 biased. Per-example variance [1/3, 1/3, 0]:
    # V_u = (1/3 + 0) / 3, V_b = (1/3) / 3, net 0; loss = bias + net = 1/3 + 0.
    r = decompose_01(pred, y)
    assert (r.unbiased_variance, r.biased_variance) == pytest.approx((1 / 9, 1 / 9))
    assert r.net_variance == pytest.approx(0.0) and r.loss == pytest.approx(r.bias + r.net_variance)
    biased = decompose_01(np.array([[1, 1], [1, 0], [0, 1]]), np.array([0, 0]))
    assert biased.net_variance < 0 and biased.net_variance_negative


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int64, hst.tuples(hst.integers(1, 7), hst.integers(1, 9)), elements=hst.integers(0, 1)),
       hst.data())  # fmt: skip
def test_two_class_loss_is_bias_plus_net_variance(pred: np.ndarray, data: hst.DataObject) -> None:
    y = data.draw(hnp.arrays(np.int64, pred.shape[1], elements=hst.integers(0, 1)))
    r = decompose_01(pred, y)
    assert r.loss == pytest.approx(r.bias + r.net_variance, abs=1e-12)
    assert r.variance == pytest.approx(r.unbiased_variance + r.biased_variance, abs=1e-12)


def test_multiclass_loss_is_at_least_bias_plus_net_variance() -> None:
    pred = np.random.default_rng(0).integers(0, 4, size=(9, 200))
    y = np.random.default_rng(1).integers(0, 4, size=200)
    r = decompose_01(pred, y)
    assert r.loss >= r.bias + r.net_variance - 1e-12


def test_odd_default_rounds_and_stated_tie_rule() -> None:
    assert DEFAULT_ROUNDS % 2 == 1 and "smallest class" in TIE_RULE
    r = decompose_01(np.array([[2], [1], [3], [1], [3]]), np.array([0]))  # 1 and 3 tie
    assert r.main_prediction.tolist() == [1]


def test_probability_decomposition_brute_force_identity() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 30, 4))  # [R, N, C]
    proba = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    y = rng.integers(0, 4, size=30)
    r = decompose_probabilities(proba, y)
    onehot = np.zeros((30, 4))
    onehot[np.arange(30), y] = 1
    brute = np.mean([[np.sum((proba[m, i] - onehot[i]) ** 2) for i in range(30)] for m in range(5)])
    assert r.loss == pytest.approx(brute, rel=1e-12)
    assert r.loss == pytest.approx(r.bias_sq + r.variance, rel=1e-12) and r.noise == 0.0
    bar = proba.mean(axis=0)
    assert r.bias_sq == pytest.approx(np.mean(np.sum((bar - onehot) ** 2, axis=1)), rel=1e-12)


def test_probability_decomposition_rejects_bad_labels() -> None:
    with pytest.raises(
        ConfigError,
        match=r"The 'y' parameter of decompose_probabilities must be int class indices in \[0, 2\)",
    ):
        decompose_probabilities(np.full((2, 1, 2), 0.5), np.array([2]))
    with pytest.raises(ConfigError, match="a non-empty 3-D array"):
        decompose_probabilities(np.full((2, 2), 0.5), np.array([0, 1]))
