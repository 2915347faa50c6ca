"""Every figure a report makes, checked as drawn: nothing cut, nothing overlapping, legends off
the data, accuracy axes within [0, 100]%, epochs on integer ticks (see tests/figure_checks.py).

Over the session's fixture study (``report_study``: 7 arms and a sweep), a one-arm and a
two-arm study (the single-panel layouts), a study whose CIs reach past 100% (clipped in text,
figures and a note), and a learning curve's page (its figures, and ``reglab report`` on it).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reglab.analysis.results import ArmSummary, Described, StudySummary
from reglab.cli import main
from reglab.errors import StudyError
from reglab.report import build_document, write_report
from reglab.report.curve import load_curve
from reglab.report.document import build_curve_document
from reglab.report.inputs import ReportInputs, load_inputs
from reglab.study import StudySpec
from tests.conftest import REPORT_STUDY, copy_study
from tests.figure_checks import Shot, captured_figures, check_figure

STUDY_FIGURES = {
    "learning_curves",
    "accuracy_and_gap",
    "validation_curve",
    "weight_histograms",
    "sparsity",
    "stopping_epochs",
    "time_per_run",
}


# ---- the checker itself: it passes a clean figure and catches each fault --------------------
def _checked(build: Callable[[Figure], None]) -> list[str]:
    fig = Figure(figsize=(3.4, 2.6), dpi=100, layout="constrained")
    build(fig)
    return check_figure(fig, "test").problems


def _clean(fig: Figure) -> None:
    ax = fig.subplots()
    ax.plot([1, 2, 3], [40, 60, 90], label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(loc="outside upper center")


def test_checker_passes_a_clean_figure() -> None:
    assert _checked(_clean) == []


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            lambda f: f.supxlabel("a label far wider than this small figure can ever hold"),
            "outside the figure",
        ),
        (lambda f: f.axes[0].legend(loc="center"), "lies over the plot area"),
        (lambda f: f.axes[0].set_ylim(0, 105), "'accuracy (%)' spans [0.00, 105.00]"),
        (lambda f: f.axes[0].xaxis.set_major_locator(MaxNLocator(8)), "'epoch' has ticks at"),
        (lambda f: f.axes[0].set_xticks([1, 1.02], ["long label", "another one"]), "overlaps"),
    ],
    ids=["cut-label", "legend-on-data", "past-100", "fractional-epochs", "crowded-ticks"],
)
def test_checker_catches(fault: Callable[[Figure], object], message: str) -> None:
    def build(fig: Figure) -> None:
        _clean(fig)
        fault(fig)

    problems = _checked(build)
    assert any(message in p for p in problems), problems


def _shots(inputs: ReportInputs) -> list[Shot]:
    with captured_figures() as shots:
        build_document(inputs)
    return shots


def _assert_clean(shots: list[Shot]) -> None:
    problems = [f"{s.name}: {p}" for s in shots for p in s.problems]
    assert problems == [], "\n".join(problems)


@pytest.mark.xdist_group("report_study")
def test_every_figure_of_the_fixture_study_is_laid_out(report_study: Path) -> None:
    shots = _shots(load_inputs(report_study))
    made = {s.name.split(" ")[0] for s in shots}
    assert made == STUDY_FIGURES, made
    _assert_clean(shots)
    assert sum(s.share_axes for s in shots) >= 4  # accuracy, sparsity, histogram shares
    assert sum(s.epoch_axes for s in shots) >= 2  # learning curves, stopping


@pytest.fixture(scope="module", params=[["none"], ["none", "dropout=0.5"]], ids=["1arm", "2arms"])
def small_study(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One- and two-arm studies: their figures have one or two panels per row."""
    from reglab.api import run_study

    spec = {k: v for k, v in REPORT_STUDY.items() if k != "sweeps"}
    spec.update(arms=request.param, seeds=2, train={**REPORT_STUDY["train"], "epochs": 2})
    out = tmp_path_factory.mktemp("small") / "study"
    run_study(StudySpec.from_dict(spec), out, quiet=True, report=False)
    return out


def test_few_arms_figures_keep_legends_and_labels_whole(small_study: Path) -> None:
    shots = _shots(load_inputs(small_study))
    assert {s.name.split(" ")[0] for s in shots} >= {"learning_curves", "weight_histograms"}
    _assert_clean(shots)


@pytest.mark.parametrize("technique", ["l2", "dropout"])
def test_bias_variance_figure_is_laid_out(tmp_path: Path, technique: str) -> None:
    from tests.test_report import _biasvar

    (tmp_path / "biasvar.json").write_text(json.dumps(_biasvar(technique)))
    shots = _shots(load_inputs(tmp_path))
    assert [s.name.split(" ")[0] for s in shots] == ["biasvar_curve"]
    _assert_clean(shots)


# ---- CIs past 100%: clipped in text, in figures, and said so -------------------------------
def _near_perfect(arm: ArmSummary) -> ArmSummary:
    acc = Described(mean=0.9833, std=0.03, ci95=(0.9408, 1.0259))
    return dataclasses.replace(arm, test_acc=acc)


@pytest.mark.xdist_group("report_study")
def test_intervals_past_100_percent_are_clipped_everywhere(report_study: Path) -> None:
    inputs = load_inputs(report_study)
    assert inputs.summary is not None
    summary: StudySummary = dataclasses.replace(
        inputs.summary, arms=tuple(map(_near_perfect, inputs.summary.arms))
    )
    clipped = dataclasses.replace(inputs, summary=summary)
    with captured_figures() as shots:
        document = build_document(clipped)
    _assert_clean(shots)  # accuracy axes stop at 100%
    text = " ".join(
        cell
        for section in document.sections
        for block in section.blocks
        if getattr(block, "kind", "") == "table"
        for row in block.rows  # type: ignore[union-attr]
        for cell in row
    )
    assert "98.33% [94.08, 100.00]%" in text and "102.59" not in text
    assert len(document.notes) == 1
    assert "test accuracy of none (upper bound 102.59%)" in document.notes[0]
    assert "clipped" in document.notes[0]


@pytest.mark.xdist_group("report_study")
def test_no_note_when_nothing_is_clipped(report_study: Path) -> None:
    inputs = load_inputs(report_study)
    assert inputs.summary is not None
    sane = Described(mean=0.5, std=0.01, ci95=(0.49, 0.51))
    arms = tuple(
        dataclasses.replace(a, test_acc=sane, train_acc=sane, sparsity=sane, gap=sane)
        for a in inputs.summary.arms
    )
    document = build_document(
        dataclasses.replace(inputs, summary=dataclasses.replace(inputs.summary, arms=arms))
    )
    assert "Clipped" not in " ".join(document.notes)


# ---- the learning curve's page (``report_curve`` in conftest.py) ----------------------------
@pytest.fixture
def curve_dir(report_curve: Path, tmp_path: Path) -> Path:
    """A private copy of the session's small learning curve (some tests rewrite it)."""
    return copy_study(report_curve, tmp_path / "lc")


@pytest.mark.xdist_group("report_curve")
def test_learning_curve_writes_its_plots_and_page(curve_dir: Path) -> None:
    for name in ("report.html", "report.md", "plots/accuracy_and_gap_by_size.png"):
        assert (curve_dir / name).is_file(), name
    assert (curve_dir / "plots/delta_by_size.png").read_bytes().startswith(b"\x89PNG")
    html = (curve_dir / "report.html").read_text()
    assert "reglab learning curve" in html and "dropout=0.5 vs none at n=300" in html
    md = (curve_dir / "report.md").read_text()
    assert "plots/accuracy\\_and\\_gap\\_by\\_size.png" not in md  # links are not escaped
    assert "(plots/accuracy_and_gap_by_size.png)" in md


@pytest.mark.xdist_group("report_curve")
def test_learning_curve_figures_are_laid_out(curve_dir: Path) -> None:
    with captured_figures() as shots:
        document = build_curve_document(load_curve(curve_dir))
    names = {s.name.split(" ")[0] for s in shots}
    assert names == {"accuracy_and_gap_by_size", "delta_by_size"}
    _assert_clean(shots)
    assert sum(s.share_axes for s in shots) == 1  # test accuracy (%), within [0, 100]
    table = next(
        b for s in document.sections for b in s.blocks if b.kind == "table" and s.anchor == "table"
    )
    assert [row[0] for row in table.rows] == ["100", "100", "300", "300"]  # type: ignore[union-attr]


@pytest.mark.xdist_group("report_curve")
def test_reglab_report_rewrites_a_curves_page(
    curve_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (curve_dir / "report.html").unlink()
    summary = curve_dir / "n-300" / "summary.json"
    summary.unlink()  # a size whose summary is missing: `reglab report` computes it first
    assert main(["report", str(curve_dir)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {summary}" in out and f"wrote {curve_dir / 'report.html'}" in out
    assert "not a reglab study" not in out


@pytest.mark.xdist_group("report_curve")
def test_a_curve_with_no_finished_size_is_explained(tmp_path: Path, report_curve: Path) -> None:
    root = tmp_path / "empty-curve"
    root.mkdir()
    spec = (report_curve / "learning_curve_spec.toml").read_text()
    (root / "learning_curve_spec.toml").write_text(spec)
    with pytest.raises(StudyError, match="no finished size yet"):
        write_report(root)
