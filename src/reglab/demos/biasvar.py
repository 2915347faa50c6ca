"""Demo 6: the bias–variance curve over L2 strength (bootstrap rounds, 0-1 loss after
Domingos 2000), run by the ``biasvar`` experiment in ``DIR/l2/``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from reglab.analysis.biasvar import decompose_01
from reglab.api.biasvar import BiasVarianceResult, run_biasvar
from reglab.config import DataConfig, ModelConfig
from reglab.demos.base import Check, Demo, DemoContext
from reglab.demos.claims import paired_test
from reglab.demos.tables import markdown_table
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure, strength_axis

__all__ = ["BIASVAR"]


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    strengths = ctx.size([0.0, 1e-3, 1e-2, 0.1], [0.0, 1e-3, 0.1])
    rounds, epochs = ctx.size(9, 3), ctx.size(6, 5)
    res = run_biasvar(
        DataConfig("digits", val_size=300),
        "l2",
        strengths,
        rounds=rounds,
        epochs=epochs,
        model=ModelConfig(hidden=(128,)),
        device=ctx.device,
        out=ctx.out / "l2",
    )
    rows = [
        [f"{p.strength:g}", str(p.rounds_used), numbers.pct(p.test_acc, 1)]
        + [numbers.pct(v, 1) for v in (p.loss, p.bias, p.variance)]
        + [_plain(p.proba_bias_sq), _plain(p.proba_variance)]
        for p in res.points
    ]
    header = ["l2", "rounds", "mean test acc", "0-1 loss", "bias", "variance"]
    body = markdown_table([*header, "bias² (probabilities)", "variance (probabilities)"], rows)
    body += (
        "\nThe last two columns split the squared error of the predicted class probabilities "
        "(the Brier score, summed over classes) into bias² and variance: the variance there is "
        "how far each round's probabilities stray from their mean, with no majority vote.\n"
    )
    lo, hi = res.points[0], res.points[-1]
    (bias_lo, var_lo), (bias_hi, var_hi) = _per_image(res, 0), _per_image(res, -1)
    bias = paired_test(bias_hi, bias_lo, unit="test images")
    variance = paired_test(var_hi, var_lo, unit="test images")
    given = f"given the {lo.rounds_used} and {hi.rounds_used} rounds"
    checks = [
        Check(
            "Bias rises as the L2 penalty grows",
            bias.shows("higher"),
            f"bias {numbers.pct(lo.bias, 1)} at l2=0, {numbers.pct(hi.bias, 1)} at "
            f"l2={hi.strength:g}; {bias.text()}, {given}",
        ),
        Check(
            "Variance falls as the L2 penalty grows",
            variance.shows("lower"),
            f"variance {numbers.pct(lo.variance, 1)} at l2=0, {numbers.pct(hi.variance, 1)} "
            f"at l2={hi.strength:g}; {variance.text()}, {given}",
        ),
        _probability_check(res),
    ]
    setting = (
        f"digits, 1,200 training images resampled (bootstrap) per round; MLP 128 relu; adam lr "
        f"0.001, batch 32, {epochs} epochs; {rounds} rounds per strength"
    )
    return setting, body, [ctx.figure("bias-variance", _plot(res))], checks


def _per_image(res: BiasVarianceResult, point: int) -> tuple[np.ndarray, np.ndarray]:
    """Each test image's bias (its main prediction is wrong: 0 or 1) and variance (share of
    rounds that disagree with the main prediction) at one strength: two [N] arrays whose
    means are the point's bias and variance (Domingos 2000). Paired by image across
    strengths, they test the test set's part of the noise; the rounds' own is not in it."""
    pred = res.pred[point][res.ok[point]]  # [R_ok, N]
    main = decompose_01(pred, res.y).main_prediction  # [N]
    return (main != res.y).astype(float), np.mean(pred != main, axis=0)


def _probability_check(res: BiasVarianceResult) -> Check:
    """Variance of the class probabilities (squared loss), paired by test image."""
    claim = "The spread of the predicted probabilities over rounds falls as the L2 penalty grows"
    if res.proba is None:
        return Check(claim, False, "not measured: these runs saved no probabilities")
    lo, hi = (_proba_variance(res, i) for i in (0, -1))
    test = paired_test(hi, lo, unit="test images")
    first, last = res.points[0], res.points[-1]
    return Check(
        claim,
        test.shows("lower"),
        f"variance {_plain(first.proba_variance)} at l2=0, {_plain(last.proba_variance)} at "
        f"l2={last.strength:g}; {test.text()}",
    )


def _proba_variance(res: BiasVarianceResult, point: int) -> np.ndarray:
    """Each test image's squared-loss variance: sum over classes of the rounds' variance of
    its predicted probability, [N] (the mean over images is the point's proba_variance)."""
    assert res.proba is not None
    proba = res.proba[point][res.ok[point]].astype(np.float64)  # [R_ok, N, C]
    return ((proba - proba.mean(0)) ** 2).mean(0).sum(-1)


def _plain(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _plot(res: BiasVarianceResult) -> Figure:
    fig = new_figure(6, 3)
    ax = fig.subplots()
    axis = strength_axis([p.strength for p in res.points])
    for field, colour in (("loss", "black"), ("bias", "vermillion"), ("variance", "blue")):
        ax.plot(
            axis.x,
            [getattr(p, field) * 100 for p in res.points],
            "o-",
            label=field,
            color=OKABE_ITO[colour],
        )
    axis.apply(ax, "L2 coefficient")
    ax.set_ylabel("% of test images")
    ax.legend(frameon=False)
    return fig


BIASVAR = Demo(
    number=6,
    name="biasvar",
    title="Bias and variance over the L2 strength",
    summary="4 L2 strengths × 9 bootstrap rounds: 0-1 loss and probabilities split into bias and variance.",
    cpu_seconds=1,
    body=_body,
)
