"""Demos: the list, the guide writer, and each demo's claim checked in the direction it states,
in a tiny setting (``quick``) where the effect is reliable; one demo end to end via the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from reglab.demos import DEMOS, QUESTIONS, Check, DemoResult, get_demo, run_demo, write_guide
from reglab.demos.base import duration
from reglab.demos.curves import run_curves
from reglab.errors import ConfigError
from reglab.store import StudyDir

pytestmark = pytest.mark.xdist_group("demos")


def _reglab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reglab", *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=cwd,
    )


def test_list_shows_every_demo_on_one_line_with_its_time() -> None:
    proc = _reglab("demo", "--list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 + len(DEMOS)
    for demo, line in zip(DEMOS, lines[1:], strict=True):
        assert demo.name in line and duration(demo.cpu_seconds) in line


def test_unknown_demo_is_refused_with_the_known_names() -> None:
    with pytest.raises(ConfigError, match="The 'name' parameter of reglab demo must be one of "):
        get_demo("nope")
    assert get_demo("2").name == "sparsity"
    proc = _reglab("demo", "nope")
    assert proc.returncode != 0 and "homework" in proc.stderr + proc.stdout


def test_guide_has_every_question_its_demos_results_and_figures(tmp_path: Path) -> None:
    fig = tmp_path / "run" / "fig-x.png"
    fig.parent.mkdir()
    fig.write_bytes(b"\x89PNG fake")
    result = DemoResult(
        "sparsity", tmp_path, "digits", "| a |\n|---|\n| 1 |\n", (fig,),
        (Check("L1 is sparse", True, "37% vs 8%"), Check("L2 is sparse", False, "8%")), 1.0,
    )  # fmt: skip
    guide = write_guide(tmp_path / "docs" / "guide.md", {"sparsity": result})
    text = guide.read_text()
    for q in QUESTIONS:
        assert q.title in text
    assert "`reglab demo sparsity`" in text and "| 1 |" in text
    assert "holds here (37% vs 8%)" in text and "**does not hold here** (8%)" in text
    assert "![fig-x](guide/sparsity-fig-x.png)" in text
    assert (tmp_path / "docs" / "guide" / "sparsity-fig-x.png").read_bytes() == fig.read_bytes()
    assert "Demo `homework` was not run" in text  # a missing demo is said, not skipped


def test_sparsity_demo_end_to_end_l1_far_sparser_than_l2(tmp_path: Path) -> None:
    out = tmp_path / "sparsity"
    proc = _reglab("demo", "sparsity", "--quick", "--device", "cpu", "--quiet", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "demo.md").exists() and (out / "study" / "report.html").exists()
    assert (out / "fig-weight-histograms.png").stat().st_size > 1000
    runs = StudyDir(out / "study").run_records()
    share = {a: np.mean([r.sparsity for r in runs if r.arm == a]) for a in ("l1=1e-3", "l2=1e-3")}
    assert share["l1=1e-3"] > 2 * share["l2=1e-3"] + 0.1, share
    assert "holds: L1 leaves far more near-zero weights" in proc.stdout
    again = _reglab("demo", "sparsity", "--quick", "--device", "cpu", "-q", "--out", str(out))
    assert again.returncode == 0 and "holds: L1" in again.stdout  # resumes: nothing retrained


@pytest.mark.slow
def test_early_stopping_best_epoch_before_the_last_when_overfitting(tmp_path: Path) -> None:
    result = run_demo("early-stopping", tmp_path / "es", quick=True, device="cpu")
    val = run_curves(tmp_path / "es" / "study", "none", "val_loss")  # [R, E]
    best = np.argmin(val, axis=1) + 1
    assert np.all(best < val.shape[1]), best
    assert result.checks[0].held


@pytest.mark.slow
def test_bias_rises_as_l2_grows(tmp_path: Path) -> None:
    # The 0-1 variance is reported but not asserted: in every setting tried here (1,200 and
    # 200 bootstrap images, 5-15 epochs, Adam) it did not fall as L2 grew (at l2=0.1 the
    # underfit rounds' majority votes disagree); the guide says so.
    result = run_demo("biasvar", tmp_path / "bv", quick=True, device="cpu")
    held = {c.claim: c.held for c in result.checks}
    assert held["Bias rises as the L2 penalty grows"], result.checks
    assert "Variance falls as the L2 penalty grows" in held
    # the probabilities' spread over rounds (squared-loss variance) does fall, and the
    # per-image values the test pairs average to the decomposition's own variance
    spread = "The spread of the predicted probabilities over rounds falls as the L2 penalty grows"
    assert held[spread], result.checks
    from reglab.api.biasvar import run_biasvar
    from reglab.config import DataConfig, ModelConfig
    from reglab.demos.biasvar import _proba_variance

    res = run_biasvar(
        DataConfig("digits", val_size=300),
        "l2",
        [0.0, 1e-3, 0.1],
        rounds=3,
        epochs=5,
        model=ModelConfig(hidden=(128,)),
        device="cpu",
        out=tmp_path / "bv" / "l2",
    )  # fmt: skip  (resumes the demo's run: nothing trains)
    for i, point in enumerate(res.points):
        assert point.proba_variance is not None
        assert abs(float(_proba_variance(res, i).mean()) - point.proba_variance) < 1e-6


@pytest.mark.slow
def test_dropout_shrinks_the_train_test_gap_on_a_small_subset(tmp_path: Path) -> None:
    result = run_demo("homework", tmp_path / "hw", quick=True, device="cpu")
    gap = next(c for c in result.checks if "gap" in c.claim)
    runs = StudyDir(tmp_path / "hw" / "curve" / "n-100").run_records()
    by_seed = {
        a: {r.seed: r.train_acc - r.test_acc for r in runs if r.arm == a}
        for a in ("none", "dropout=0.5")
    }
    seeds = sorted(by_seed["none"])
    drop, none = ([by_seed[a][k] for k in seeds] for a in ("dropout=0.5", "none"))
    assert np.mean(drop) < np.mean(none), by_seed  # the direction, on 100 images
    ref = stats.ttest_rel(drop, none)  # the claim holds only where the paired test rejects
    assert gap.held == (ref.pvalue < 0.05) and f"p = {ref.pvalue:.2g}, n = 3 seeds" in gap.detail
    # the homework's own comparison, then the epochs and width axes: one study per setting
    from reglab.study import load_spec

    hw = tmp_path / "hw"
    for part, field, values in (("epochs", "epochs", (2, 6)), ("width", "hidden", (32, 128))):
        for v in values:
            folder = hw / part / f"{part[0] if part == 'epochs' else 'h'}-{v}"
            spec = load_spec(folder / "spec.toml")
            assert (spec.train.epochs if field == "epochs" else spec.model.hidden) in (v, (v,))
            assert len(StudyDir(folder).run_records()) == 6  # 2 arms x 3 seeds
        assert f"**By {'epochs' if part == 'epochs' else 'hidden units'}**" in result.body
    assert "homework (1 run, 10 epochs)" in result.body and "98.07%" in result.body
    claims = [c.claim for c in result.checks]
    assert any("longer training" in c for c in claims) and any("wider" in c for c in claims)
    assert any("one-run difference" in c for c in claims)


def test_srivastava_preset_is_a_valid_spec_with_its_short_cpu_variant() -> None:
    from reglab.api import with_overrides
    from reglab.study import load_spec

    path = Path(__file__).resolve().parents[1] / "examples" / "srivastava2014.toml"
    spec = load_spec(path)
    assert spec.model.hidden == (1024, 1024, 1024) and spec.optimizer.momentum_final == 0.99
    reg = spec.regularization(spec.all_arms[1])
    assert (reg.input_dropout, reg.dropout, reg.maxnorm) == (0.2, 0.5, 3.0)
    short = with_overrides(spec, dataset="digits", epochs=5, seeds=3)
    assert (short.data.name, short.train.epochs, len(short.seeds)) == ("digits", 5, 3)


def test_every_demo_answers_a_question_of_the_guide() -> None:
    asked = {name for q in QUESTIONS for name in q.demos}
    assert asked == {d.name for d in DEMOS}
    assert not [q.title for q in QUESTIONS if q.missing]  # every question has its measurement


def test_a_trend_claim_holds_only_when_welch_rejects_equal_gains() -> None:
    from reglab.demos.claims import larger_gain

    big, small = [0.030, 0.032, 0.029, 0.031], [0.001, 0.002, 0.000, 0.003]
    assert larger_gain("c", big, small, "a", "b").held
    assert not larger_gain("c", small, big, "a", "b").held  # significant, wrong direction
    close = [0.002, 0.0, 0.004, 0.001]
    check = larger_gain("c", close, small, "a", "b")  # larger mean, not significant
    p = stats.ttest_ind(close, small, equal_var=False).pvalue
    assert p > 0.05 and not check.held and f"Welch p = {p:.2g}" in check.detail
    assert not larger_gain("c", [0.1], small, "a", "b").held  # one seed: nothing to test


def test_a_paired_claim_holds_only_in_its_direction_when_the_paired_t_test_rejects() -> None:
    from reglab.demos.claims import paired_test

    a, b = [0.10, 0.12, 0.11, 0.13], [0.05, 0.06, 0.05, 0.08]  # a − b ≈ +0.055, tight
    test = paired_test(a, b)
    ref = stats.ttest_rel(a, b)
    assert (test.t, test.p, test.n) == pytest.approx((ref.statistic, ref.pvalue, 4))
    assert test.diff == pytest.approx(np.mean(np.subtract(a, b)))
    assert test.shows("higher") and not test.shows("lower")  # significant, stated direction
    assert not paired_test(b, a).shows("higher") and paired_test(b, a).shows("lower")
    assert f"paired t(3) = {ref.statistic:.3g}, p = {ref.pvalue:.2g}, n = 4 seeds" == test.text()
    noisy = [0.10, 0.02, 0.15, 0.03]  # a higher mean than b's, not significant
    p = stats.ttest_rel(noisy, b).pvalue
    assert np.mean(noisy) > np.mean(b) and p > 0.05 and not paired_test(noisy, b).shows("higher")
    one = paired_test([0.3], [0.1])  # one seed: nothing to test
    assert not one.shows("higher") and one.text() == "n = 1 seeds: too few to test"
    assert paired_test([0.3, np.nan, 0.4], [0.1, 0.2, np.nan]).n == 1  # NaN pairs left out
    same = paired_test([0.2, 0.3], [0.2, 0.3])  # identical: scipy's t is 0/0
    assert (same.t, same.p) == (0.0, 1.0) and not same.shows("lower")


def test_an_ensemble_claim_is_a_one_sample_t_test_of_its_members_against_it() -> None:
    from reglab.demos.claims import mean_test, value_test

    members = [0.950, 0.952, 0.949, 0.951, 0.953]
    ref = stats.ttest_1samp(members, 0.958)
    test = value_test(0.958, members)  # the ensemble above its members
    assert (test.t, test.p) == pytest.approx((-ref.statistic, ref.pvalue))
    assert test.shows("higher") and test.text().startswith("one-sample t(4) = ")
    assert test.text().endswith("n = 5 members")
    assert not value_test(0.940, members).shows("higher")  # wrong direction
    assert not value_test(0.9515, members).shows("higher")  # above the mean, not significant
    assert not value_test(0.958, members[:1]).shows("higher")  # one member: no test
    budget = mean_test([26, 28, 27, 25], 30)  # stop epochs against a budget of 30
    assert budget.shows("lower") and budget.diff == pytest.approx(-3.5)
    assert budget.p == pytest.approx(stats.ttest_1samp([26, 28, 27, 25], 30).pvalue)
    assert not mean_test([30, 30, 30, 26], 30).shows("lower")  # one seed stopped: p = 0.39


@pytest.mark.slow
def test_wd_and_l2_are_one_network_under_sgd_and_apart_under_adam(tmp_path: Path) -> None:
    result = run_demo("adam-decay", tmp_path / "ad", quick=True, device="cpu")
    same, apart = result.checks
    rel = {}
    for opt in ("sgd", "adam"):  # per seed |‖W₁‖ l2 − ‖W₁‖ wd| / ‖W₁‖ wd
        runs = StudyDir(tmp_path / "ad" / opt).run_records()
        norm = {
            a: {r.seed: r.weight_l2[0] for r in runs if r.arm.startswith(a)} for a in ("l2", "wd")
        }
        rel[opt] = [abs(norm["l2"][k] - norm["wd"][k]) / norm["wd"][k] for k in sorted(norm["wd"])]
    assert len(rel["adam"]) == 3 and max(rel["sgd"]) < 0.01 and min(rel["adam"]) > 0.10, rel
    assert same.held and apart.held, (same, apart)
    p = stats.ttest_1samp(rel["adam"], 0.10).pvalue  # against the claim's 10%
    assert "against 10%: one-sample t(2) = " in apart.detail and f"p = {p:.2g}" in apart.detail
