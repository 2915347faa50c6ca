"""Demo 3 (inference): weight scaling vs MC dropout vs seed ensembles. Its claims checked in
the direction they state, in the quick setting (digits, networks trained to overconfidence,
where the effects held in 5 of 5 seeds, significant at 5% but for the dropout ensemble's
accuracy), and the demo end to end with its table and figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from reglab.analysis.ensemble import ensemble_scores
from reglab.demos import DEMOS, get_demo, run_demo
from reglab.store import StudyDir

pytestmark = pytest.mark.xdist_group("demos")


def test_inference_is_demo_3_in_order() -> None:
    demo = get_demo("3")
    assert demo.name == "inference" and get_demo("inference") is demo
    assert [d.number for d in DEMOS] == sorted(d.number for d in DEMOS)


@pytest.mark.slow
def test_mc_dropout_and_ensembles_in_the_textbook_direction(tmp_path: Path) -> None:
    result = run_demo("inference", tmp_path / "inf", quick=True, device="cpu")
    held = {c.claim: c for c in result.checks}
    assert len(held) == 5
    *tested, dropout_ensemble = result.checks
    for check in tested:  # significant at 5% in the quick setting (paired / one-sample t)
        assert check.held, (check.claim, check.detail)
    # the dropout ensemble: more accurate and lower NLL than its members on average; the
    # claim holds only where both one-sample t-tests of the members against it reject
    store = StudyDir(tmp_path / "inf" / "study")
    y, proba = store.targets(), store.arrays("proba")
    assert y is not None
    ids = [r.run_id for r in store.run_records() if r.arm == "dropout=0.5"]
    ens, _ = ensemble_scores(np.stack([proba[i] for i in ids]), y)
    members = [ensemble_scores(proba[i][None], y)[0] for i in ids]
    acc, nll = np.array([m.acc for m in members]), np.array([m.nll for m in members])
    assert ens.acc > acc.mean() and ens.nll < nll.mean(), (ens, acc, nll)
    p_acc, p_nll = (stats.ttest_1samp(v, e).pvalue for v, e in ((acc, ens.acc), (nll, ens.nll)))
    assert dropout_ensemble.held == (p_acc < 0.05 and p_nll < 0.05), dropout_ensemble.detail
    assert f"p = {p_acc:.2g}, n = 5 members" in dropout_ensemble.detail
    text = (tmp_path / "inf" / "demo.md").read_text(encoding="utf-8")
    assert "MC dropout (20 passes)" in text and "5-seed ensemble" in text
    assert (tmp_path / "inf" / "fig-reliability.png").stat().st_size > 1000
    store = StudyDir(tmp_path / "inf" / "study")
    runs = store.runs()
    with_mc = set(store.arrays("proba_mc"))
    assert with_mc == set(runs.loc[runs["arm"] == "dropout=0.5", "run_id"])
    # a second run resumes: nothing is trained again, the same checks come back
    again = run_demo("inference", tmp_path / "inf", quick=True, device="cpu")
    assert [c.detail for c in again.checks] == [c.detail for c in result.checks]
