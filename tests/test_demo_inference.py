"""Demo 3 (inference): weight scaling vs MC dropout vs seed ensembles. Its claims checked in
the direction they state, in the quick setting (digits, networks trained to overconfidence,
where the effects held in 5 of 5 seeds), and the demo end to end with its table and figure."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    for claim, check in held.items():
        assert check.held, (claim, check.detail)
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
