"""`reglab ls` and `reglab diff`, and the API's typed result (report(), plot()), on real
tiny studies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats

from reglab.api import StudyResult, diff_studies, run_study
from reglab.cli import main
from reglab.errors import ReglabError
from tests.study_helpers import tiny_spec

pytestmark = pytest.mark.xdist_group("studies")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TRAIN = {"epochs": 2, "train_eval_size": 500, "device": "cpu"}


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StudyResult]:
    """a: seeds 0-2; b: the same seeds and data, 3 epochs (paired with a); c: seeds 3-5."""
    root = tmp_path_factory.mktemp("studies")
    specs = {
        "a": tiny_spec(seeds=3, train=TRAIN),
        "b": tiny_spec(seeds=3, train={**TRAIN, "epochs": 3}),
        "c": tiny_spec(seeds=[3, 4, 5], arms=["none", "l2=1e-3"], train=TRAIN),
    }
    results = {k: run_study(s, root / k, quiet=True, report=False) for k, s in specs.items()}
    partial = run_study(tiny_spec(train=TRAIN), root / "partial", quiet=True, report=False)
    for name in ("pack-001.json", "pack-001.npz"):
        (partial.directory / "packs" / name).unlink()
    return results


def test_ls_lists_arms_verdicts_and_status(
    studies: dict[str, StudyResult], capsys: pytest.CaptureFixture[str]
) -> None:
    root = studies["a"].directory.parent
    assert main(["ls", str(root), "--json"]) == 0
    rows = {Path(r["path"]).name: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"a", "b", "c", "partial"}
    assert rows["a"]["status"] == "finished" and rows["a"]["n"] == 3
    assert rows["a"]["arms"] == ["none", "dropout=0.5"] and rows["a"]["dataset"] == "digits"
    verdict = studies["a"].summary.arm("dropout=0.5").vs_baseline
    assert verdict is not None and rows["a"]["verdicts"] == {"dropout=0.5": verdict.verdict}
    assert (rows["partial"]["status"], rows["partial"]["packs_done"]) == ("partial", 1)
    assert main(["ls", str(root)]) == 0
    text = capsys.readouterr().out
    assert "partial: packs 1/2" in text and "finished" in text


def test_ls_of_a_missing_folder_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ls", str(tmp_path / "nothing")]) == 2
    assert "The 'DIR' parameter of reglab ls must be an existing folder" in capsys.readouterr().err


def _accs(result: StudyResult, arm: str) -> dict[int, float]:
    return {r.seed: r.test_acc for r in result.summary.arm(arm).runs if r.test_acc is not None}


def test_same_data_and_seeds_are_paired(
    studies: dict[str, StudyResult], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = studies["a"], studies["b"]
    d = diff_studies(a.directory, b.directory)
    assert d.paired and [x.arm for x in d.arms] == ["none", "dropout=0.5"]
    for arm in d.arms:
        x, y = _accs(a, arm.arm), _accs(b, arm.arm)
        diffs = np.array([y[s] - x[s] for s in (0, 1, 2)])
        assert arm.delta == pytest.approx(diffs.mean())
        if np.ptp(diffs) > 0:
            ref = stats.ttest_rel([y[s] for s in (0, 1, 2)], [x[s] for s in (0, 1, 2)])
            assert arm.p_value == pytest.approx(ref.pvalue)
    assert main(["diff", str(a.directory), str(b.directory)]) == 0
    assert "Runs are paired: same data and seeds" in capsys.readouterr().out


def test_other_seeds_are_not_paired_and_use_welch(
    studies: dict[str, StudyResult], capsys: pytest.CaptureFixture[str]
) -> None:
    a, c = studies["a"], studies["c"]
    d = diff_studies(a.directory, c.directory)
    assert not d.paired and "different seeds (0-2 vs 3-5)" in d.why
    assert [x.arm for x in d.arms] == ["none"]
    assert (d.only_a, d.only_b) == (("dropout=0.5",), ("l2=1e-3",))
    arm = d.arms[0]
    x, y = list(_accs(a, "none").values()), list(_accs(c, "none").values())
    ref = stats.ttest_ind(y, x, equal_var=False)
    assert arm.test == "Welch t (unpaired)" and arm.p_value == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval(0.95)
    assert arm.ci95 == pytest.approx((ci.low, ci.high))
    assert main(["diff", str(a.directory), str(c.directory)]) == 0
    out = capsys.readouterr().out
    assert "NOT paired (independent samples): the studies used different seeds" in out
    assert "only in A: dropout=0.5" in out


def test_diff_of_a_non_study_is_one_error(
    studies: dict[str, StudyResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(studies["a"].directory), str(tmp_path)]) == 2
    assert "is not a reglab study (no spec.toml)" in capsys.readouterr().err


def test_result_report_writes_it_and_returns_its_path_outside_jupyter(
    studies: dict[str, StudyResult],
) -> None:
    result = studies["a"]
    assert not result.report_path.exists()  # report=False above
    assert result.report() == result.report_path and result.report_path.is_file()


def test_result_plots_are_figures_with_valid_axes(studies: dict[str, StudyResult]) -> None:
    result = studies["a"]
    fig = result.plot("accuracy")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["none", "dropout=0.5"]
    lo, hi = ax.get_xlim()
    assert min(line.get_xdata().min() for line in ax.lines) >= 0 and hi <= 110 and lo >= -10
    curves = result.plot("curves").axes[0]
    assert {t.get_text() for t in curves.get_legend().get_texts()} == {"none", "dropout=0.5"}
    assert all(float(t).is_integer() for t in curves.get_xticks())
    with pytest.raises(ReglabError, match=r"The .kind. parameter of StudyResult\.plot"):
        result.plot("violin")  # type: ignore[arg-type]


def test_run_study_takes_the_same_overrides(tmp_path: Path) -> None:
    result = run_study(
        EXAMPLES / "sweeps.toml",
        tmp_path / "sweeps",
        epochs=1,
        seeds=2,
        dataset="digits",
        hidden=[8],
        train_subset=300,
        device="cpu",
        threads=1,
        quiet=True,
        report=False,
    )
    assert result.summary.n_seeds == 2 and len(result.summary.arms) == 11
    assert set(result.epochs["epoch"]) == {1}


def test_result_report_shows_inline_in_jupyter(
    studies: dict[str, StudyResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a Jupyter kernel, report() returns IPython's HTML display of the report (faked
    here: IPython is not a dependency of reglab)."""
    import sys
    import types

    class HTML:
        def __init__(self, data: str) -> None:
            self.data = data

    class Shell:
        def __init__(self) -> None:
            self.config = {"IPKernelApp": {}}

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: Shell()  # type: ignore[attr-defined]
    display = types.ModuleType("IPython.display")
    display.HTML = HTML  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    shown = studies["b"].report()
    assert isinstance(shown, HTML) and shown.data.startswith("<iframe srcdoc=")
    assert "&lt;html" in shown.data and "data:image/png;base64" in shown.data


def test_accuracy_plot_clamps_intervals_to_valid_accuracies(
    studies: dict[str, StudyResult],
) -> None:
    import dataclasses

    from reglab.analysis.results import Described
    from reglab.api import plot_study

    s = studies["a"].summary
    wide = dataclasses.replace(s.arms[0], test_acc=Described(0.99, 0.03, (0.94, 1.04)))
    fig = plot_study(dataclasses.replace(s, arms=(wide, *s.arms[1:])), studies["a"].epochs)
    xs = [x for c in fig.axes[0].collections for seg in c.get_segments() for x, _ in seg]
    assert max(xs) == pytest.approx(100.0) and min(xs) >= 0.0
