"""Reference tests for reglab.analysis.equivalence: statsmodels' ttost_paired, the
interval form of TOST, and the too-few-seeds rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.weightstats import ttost_paired

from reglab.analysis import DEFAULT_MARGIN, EQUIVALENCE_VERDICTS, tost_paired
from reglab.errors import ConfigError


@pytest.mark.parametrize(("shift", "margin"), [(0.0, 0.005), (0.004, 0.005), (0.001, 0.002)])
def test_tost_equals_statsmodels(shift: float, margin: float) -> None:
    rng = np.random.default_rng(int(shift * 1e4))
    a = rng.normal(0.97, 0.002, 6)
    b = a + shift + rng.normal(0, 0.001, 6)
    p, (_, p_low, _), (_, p_upp, _) = ttost_paired(b, a, -margin, margin)
    e = tost_paired(a, b, margin)
    assert (e.p_value, e.p_lower, e.p_upper) == pytest.approx((p, p_low, p_upp), rel=1e-10)
    assert e.equivalent == (p < 0.05)
    lo, hi = e.ci  # TOST at alpha <=> the (1 - 2 alpha) interval lies inside (-m, m)
    assert e.equivalent == (-margin < lo and hi < margin)


def test_tost_verdicts() -> None:
    a = np.array([0.970, 0.972, 0.971, 0.973, 0.969])
    close = a + np.array([0.001, 0.0, 0.001, -0.001, 0.001])
    assert tost_paired(a, close, 0.005).verdict == "equivalent"
    assert tost_paired(a, close, 0.0005).verdict == "not shown equivalent"
    assert tost_paired(a, a + 0.001).verdict == "too few seeds"  # sd(d) == 0
    few = tost_paired(a[:2], close[:2])
    assert few.verdict == "too few seeds" and math.isnan(few.p_value)
    assert EQUIVALENCE_VERDICTS == ("equivalent", "not shown equivalent", "too few seeds")
    assert DEFAULT_MARGIN == 0.005


def test_tost_rejects_a_bad_margin() -> None:
    message = "The 'margin' parameter of tost_paired must be a float in (0, inf) in the metric's units. Got -0.01 instead."
    with pytest.raises(
        ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        tost_paired([1, 2, 3], [1, 2, 4], margin=-0.01)
