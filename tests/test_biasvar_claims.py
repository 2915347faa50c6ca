"""Bias–variance sentences follow their numbers (issue 12, item 7): the lowest loss with its
bootstrap uncertainty over paired rounds, negative net variance said, the tie rule stated,
an odd default number of rounds."""

from __future__ import annotations

import numpy as np
import pytest

from reglab.analysis.biasvar import DEFAULT_ROUNDS
from reglab.api.biasvar import lowest_loss
from reglab.cli import biasvar as cli_biasvar
from reglab.report.sections.biasvar import biasvar_note, biasvar_table


def test_default_rounds_is_odd_and_the_cli_uses_it() -> None:
    assert DEFAULT_ROUNDS % 2 == 1 and cli_biasvar.DEFAULT_ROUNDS == DEFAULT_ROUNDS


def test_lowest_loss_separable_and_not() -> None:
    clear = np.array([[0.30, 0.31, 0.29, 0.30, 0.32], [0.20, 0.21, 0.19, 0.22, 0.20]])  # [S, R]
    low = lowest_loss(clear, [0.0, 1e-3])
    assert low is not None and low.strength == 1e-3 and low.runner_up == 0.0
    assert low.share == 1.0 and low.separable and low.diff_ci95[0] > 0.05
    close = np.array([[0.20, 0.22, 0.19, 0.21, 0.20], [0.21, 0.20, 0.20, 0.20, 0.21]])
    tie = lowest_loss(close, [0.0, 1e-3])
    assert tie is not None and not tie.separable and tie.diff_ci95[0] < 0 < tie.diff_ci95[1]
    assert 0.0 < tie.share < 1.0
    assert lowest_loss(clear[:, :1], [0.0, 1e-3]) is None  # one round: no uncertainty


def _doc(separable: bool) -> dict[str, object]:
    points = [
        {"strength": 0.0, "arm": "none", "loss": 0.30, "bias": 0.25, "variance": 0.20,
         "net_variance": -0.02, "rounds_used": 11, "test_acc": 0.7},
        {"strength": 0.01, "arm": "l2=0.01", "loss": 0.28, "bias": 0.24, "variance": 0.10,
         "net_variance": 0.03, "rounds_used": 11, "test_acc": 0.72,
         "proba_loss": 0.5, "proba_bias_sq": 0.4, "proba_variance": 0.1},
    ]  # fmt: skip
    low = {"strength": 0.01, "runner_up": 0.0, "share": 0.93 if separable else 0.61,
           "diff_ci95": [0.004, 0.03] if separable else [-0.01, 0.03], "rounds": 11,
           "resamples": 2000, "separable": separable}  # fmt: skip
    return {"points": points, "technique": "l2", "rounds": 11, "task": "classification",
            "tie_rule": "ties in the main prediction go to the smallest class index",
            "lowest_loss": low, "definition": "DEF"}  # fmt: skip


@pytest.mark.parametrize("separable", [True, False])
def test_notes_follow_the_numbers(separable: bool) -> None:
    notes = biasvar_note(_doc(separable))
    lowest = notes[1]
    assert lowest.startswith("The expected test loss is lowest at l2 strength 0.01 in these")
    if separable:
        assert "93% of 2000 bootstrap resamples" in lowest and "higher by" in lowest
        assert "not separable" not in lowest
    else:
        assert "it is not separable from strength 0: the 95% bootstrap interval" in lowest
        assert "[-0.0100, +0.0300], includes 0" in lowest
    negative = [n for n in notes if n.startswith("Net variance")]
    assert len(negative) == 1 and "at strength 0 (-0.0200)" in negative[0]
    assert "0.01" not in negative[0].split("strength")[1].split(":")[0]  # positive one left out
    assert any("0.01: 0.5000 = 0.4000 + 0.1000" in n for n in notes)  # probabilities
    assert any("ties in the main prediction go to the smallest class index" in n for n in notes)
    assert notes[-1] == "DEF"
    assert biasvar_table(_doc(separable)).rows[0][5] == "-0.0200"


def test_no_lowest_claim_without_rounds() -> None:
    doc = _doc(True) | {"lowest_loss": None}
    assert biasvar_note(doc)[1] == (
        "No lowest loss is stated: fewer than 2 rounds finished at every strength."
    )
