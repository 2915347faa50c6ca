"""The report (reglab.report.write_report, `reglab report`) on copies of a small digits study.

The study (``report_study`` in conftest.py: 7 arms with an l2 sweep, 4 seeds) is built once
per test session and copied, since a report writes into the study directory. Checks: the
files, that the HTML is self-contained (every image an inline PNG, no external reference, no
script), that user text is escaped, that the sentences follow the verdicts, that the report
reads summary.json and never writes it (the CLI recomputes a missing or stale one), and the
CLI.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import matplotlib.image
import pandas as pd
import pytest
import tomli_w
from markupsafe import escape

from reglab.analysis.results import Comparison, StudySummary
from reglab.analysis.summary import load_summary
from reglab.cli import main
from reglab.errors import StudyError
from reglab.report import answer, write_report
from reglab.report.inputs import load_inputs
from reglab.report.plotting import strength_axis
from reglab.report.render import md_escape
from reglab.report.sections.sweeps import sweep_points
from reglab.report.sections.verdicts import arm_sentence
from reglab.store import StudyDir
from tests.conftest import copy_study

pytestmark = pytest.mark.xdist_group("report_study")
EVIL = "<script>alert(1)</script>"
SECTIONS = [
    "Setup and provenance",
    "Verdicts",
    "Learning curves",
    "Generalization gap",
    "Validation curves over strength",
    "Weights: histograms and sparsity",
    "Early stopping",
    "Time",
    "Bias and variance",
    "What to choose",
]


def _biasvar(technique: str = "l2") -> dict[str, Any]:
    """A biasvar.json as `reglab biasvar` writes it (classification)."""
    points = [
        {
            "strength": s,
            "arm": "none" if s == 0 else f"{technique}={s:g}",
            "loss": lo,
            "bias": b,
            "variance": v,
            "rounds_used": 3,
            "test_acc": 1 - lo,
        }
        for s, lo, b, v in [
            (0.0, 0.30, 0.25, 0.20),
            (1e-3, 0.28, 0.24, 0.17),
            (1e-1, 0.5, 0.45, 0.3),
        ]
    ]
    return {
        "points": points,
        "dataset": "digits",
        "technique": technique,
        "rounds": 3,
        "epochs": 2,
        "task": "classification",
        "definition": "0-1 loss, Domingos (2000).",
    }


@pytest.fixture(scope="module")
def study(report_study: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study without summary.json, with biasvar.json, reported through `reglab report`
    (which computes the summary first: the analysis step, not the report)."""
    root = copy_study(report_study, tmp_path_factory.mktemp("report") / "study")
    (root / "summary.json").unlink()
    (root / "biasvar.json").write_text(json.dumps(_biasvar()))
    assert main(["report", str(root)]) == 0
    return root


@pytest.fixture(scope="module")
def html(study: Path) -> str:
    return (study / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def summary(study: Path) -> StudySummary:
    loaded = load_summary(StudyDir(study))
    assert loaded is not None
    return loaded


def test_files_are_written_and_summary_computed(study: Path) -> None:
    for name in ("report.html", "report.md", "summary.json", "comparisons.csv"):
        assert (study / name).is_file(), name
    plots = sorted(p.name for p in (study / "plots").iterdir())
    assert (
        "learning_curves.png" in plots
        and "bias_variance.png" in plots
        and "sweep_0_l2.png" in plots
    )
    assert (study / "report.html").stat().st_size < 3_000_000


def test_html_names_every_arm_and_sections_in_order(html: str, summary: StudySummary) -> None:
    for arm in summary.arms:
        assert f"<td>{arm.name}</td>" in html, arm.name
    positions = [html.index(f"<h2>{title}</h2>") for title in SECTIONS]
    assert positions == sorted(positions)


def test_every_image_is_an_inline_png(html: str) -> None:
    sources = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", html)
    assert len(sources) == html.count("<img") == 8
    for src in sources:
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix)
        data = base64.b64decode(src[len(prefix) :], validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        image = matplotlib.image.imread(io.BytesIO(data), format="png")
        assert image.shape[0] > 100 and image.shape[1] > 100


def test_html_is_self_contained(html: str) -> None:
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower() and "@import" not in html and "url(" not in html
    for attr in re.findall(r"\b(?:src|href)=\"([^\"]*)\"", html):
        assert attr.startswith(("data:", "#")), attr


def test_sentences_follow_the_verdicts(html: str, summary: StudySummary) -> None:
    base = summary.baseline
    for arm in summary.arms:
        sentence = arm_sentence(arm, summary)
        assert str(escape(sentence)) in html
        vs = arm.vs_baseline
        verdict = "baseline" if vs is None else vs.verdict
        expected = {
            "baseline": f"{base} is the baseline",
            "better": f"{arm.name} is better than {base}",
            "worse": f"{arm.name} is worse than {base}",
            "no detectable difference": f"{arm.name}: no detectable difference from {base}",
            "too few seeds": f"{arm.name}: too few seeds for a verdict against {base}",
            "diverged": f"{arm.name} diverged in all",
        }[verdict]
        assert sentence.startswith(expected)
        if vs is not None and verdict == "no detectable difference" and vs.p_value is not None:
            level = f"(α/k = {vs.power_alpha:.3g})"
            assert f"detect with 80% power at the verdict's level {level}" in sentence


def test_better_arm_is_described_as_better(summary: StudySummary) -> None:
    arm = summary.arms[1]
    assert arm.vs_baseline is not None
    vs = dataclasses.replace(
        arm.vs_baseline, verdict="better", delta=0.021, ci95=(0.01, 0.03), p_holm=0.01
    )
    arm = dataclasses.replace(arm, vs_baseline=vs)
    text = arm_sentence(arm, summary)
    assert text.startswith(f"{arm.name} is better than {summary.baseline}: +2.10 pp")
    small = dataclasses.replace(summary, arms=(summary.arms[0], arm))
    assert answer(small).startswith(f"On digits, over 4 paired seeds: {arm.name} vs none: +2.10 pp")
    assert "better with 4 seeds" in answer(small)


def test_untestable_arm_says_why(summary: StudySummary) -> None:
    arm = dataclasses.replace(summary.arms[1], vs_baseline=Comparison.untestable(1))
    assert arm_sentence(arm, summary) == (
        f"{arm.name}: too few seeds for a verdict against none (1 seed finished in both "
        "arms: no test is possible); no p-value or interval is given."
    )


def test_answer_counts_the_verdicts(html: str, summary: StudySummary) -> None:
    verdicts = [a.vs_baseline.verdict for a in summary.others if a.vs_baseline]
    text = answer(summary)
    assert (
        f"{verdicts.count('worse')} worse" in text and f"{verdicts.count('better')} better" in text
    )
    assert f'<p class="answer">{text}</p>' in html


def test_sweep_includes_base_arm_and_listed_arms(study: Path) -> None:
    points = sweep_points(load_inputs(study), "l2", "none")
    assert [(p.arm, p.strength) for p in points] == [
        ("none", 0.0),
        ("l2=0.0001", 1e-4),
        ("l2=1e-3", 1e-3),
        ("l2=0.01", 1e-2),
        ("l2=0.1", 0.1),
    ]


def test_strength_axis_shows_zero_and_off() -> None:
    axis = strength_axis([0.0, 1e-4, 1e-2])
    assert axis.x == [-5.0, -4.0, -2.0] and axis.labels[0] == "0 (off)"
    radius = strength_axis([1.0, 2.0, math.inf])
    assert radius.x[-1] == pytest.approx(math.log10(2.0) + 1) and radius.labels[-1] == "off"


def test_markdown_holds_the_tables_and_links_saved_plots(
    study: Path, summary: StudySummary
) -> None:
    md = (study / "report.md").read_text(encoding="utf-8")
    for arm in summary.arms:
        assert f"| {md_escape(arm.name)} |" in md
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert (study / link).is_file(), link
    assert "## What to choose" in md and "Caveats:" in md


def _small_study(root: Path, keep: list[str], rename: dict[str, str], name: str) -> None:
    # summary.json is removed: `reglab report` must compute it from the edited runs
    """Keep a few arms (renamed) and rename the study, everywhere a report reads them."""
    for table in ("runs.csv", "epochs.csv"):
        frame = pd.read_csv(root / table)
        frame = frame[frame["arm"].isin(keep)]
        if table == "runs.csv":  # one run of the second arm diverged
            frame.loc[frame["run_id"] == frame["run_id"].iloc[4], ["status", "test_acc"]] = [
                "diverged",
                float("nan"),
            ]
        frame["arm"] = frame["arm"].replace(rename)
        frame.to_csv(root / table, index=False)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["arms"] = [rename.get(a, a) for a in keep]
    (root / "manifest.json").write_text(json.dumps(manifest))
    spec = tomllib.loads((root / "spec.toml").read_text())
    spec.update(arms=manifest["arms"], name=name)
    del spec["sweeps"]
    (root / "spec.toml").write_text(tomli_w.dumps(spec))
    (root / "summary.json").unlink()


def test_user_text_is_escaped(report_study: Path, tmp_path: Path) -> None:
    root = copy_study(report_study, tmp_path / "evil")
    arms = ["none", "dropout=0.5", "dropout=0.5+bn"]
    _small_study(root, arms, {"dropout=0.5+bn": EVIL}, name='<img src=x onerror="alert(2)">')
    assert main(["report", str(root)]) == 0
    html_path, md_path = root / "report.html", root / "report.md"
    html = html_path.read_text(encoding="utf-8")
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert "<h2>Validation curves over strength</h2>" not in html  # no sweep left
    md = md_path.read_text(encoding="utf-8")
    assert "<script" not in md and "&lt;script&gt;" in md
    # two arms against the baseline: the answer gives each comparison in full
    lead = re.search(r'<p class="answer">(.*?)</p>', html)
    assert lead is not None and "dropout=0.5 vs none: " in lead.group(1)
    # (a diverged run is shown from packs/, the source of truth: tests/test_cli_edges.py)


def test_md_escape() -> None:
    assert md_escape("a|b <i>x_y</i>\nz") == "a\\|b &lt;i&gt;x\\_y&lt;/i&gt; z"


def test_biasvar_folder_alone(tmp_path: Path) -> None:
    (tmp_path / "biasvar.json").write_text(json.dumps(_biasvar("dropout")))
    html_path, md_path = write_report(tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert "<h2>Bias and variance</h2>" in html and "<h2>Verdicts</h2>" not in html
    assert html.count("<img") == 1
    # a biasvar.json without the bootstrap over rounds claims no lowest loss
    assert "No lowest loss is stated" in html and "lowest at dropout" not in html
    assert "bias and variance of dropout on digits" in md_path.read_text(encoding="utf-8")


def test_cli_writes_both_and_prints_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "biasvar.json").write_text(json.dumps(_biasvar()))
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"wrote {tmp_path / 'report.html'}", f"wrote {tmp_path / 'report.md'}"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "does not exist"),
        (lambda p: p, "is not a reglab study: it has neither runs.csv nor biasvar.json"),
    ],
)
def test_cli_refuses_what_is_not_a_study(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    assert main(["report", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_report_reads_summary_json_and_never_writes_it(
    report_study: Path, tmp_path: Path
) -> None:
    root = copy_study(report_study, tmp_path / "s")
    summary = root / "summary.json"
    before = summary.read_bytes(), summary.stat().st_mtime_ns
    write_report(root)
    assert (summary.read_bytes(), summary.stat().st_mtime_ns) == before
    summary.unlink()
    with pytest.raises(StudyError, match=r"has no summary\.json newer than its runs\.csv"):
        write_report(root)
    assert not summary.exists()


def test_cli_recomputes_a_stale_summary(
    report_study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A resumed study has newer runs than its summary: `reglab report` summarizes it again."""
    root = copy_study(report_study, tmp_path / "s")
    stale = json.loads((root / "summary.json").read_text(encoding="utf-8"))
    for arm in stale["arms"]:  # what a summary written before the last packs would say
        arm["n"] = 3 if arm["name"] == "dropout=0.5" else arm["n"]
    (root / "summary.json").write_text(json.dumps(stale), encoding="utf-8")
    stamp = (root / "summary.json").stat().st_mtime_ns
    os.utime(root / "runs.csv", ns=(stamp + 1, stamp + 1))  # newer, yet not in the future
    assert main(["report", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"wrote {root / 'summary.json'}"
    summary = load_summary(StudyDir(root))
    assert summary is not None and summary.arm("dropout=0.5").n == 4
