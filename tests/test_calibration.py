"""NLL and ECE per run, MC-dropout evaluation and seed ensembles, against plain references:
ECE against a NumPy implementation of Guo et al. 2017 and a hand-computed case, the MC
average against a plain PyTorch network fed the same masks, ensembles against NumPy."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reglab import seeding
from reglab.analysis.ensemble import ensemble_scores, study_ensembles
from reglab.analysis.summary import write_summary
from reglab.api import ensembles, run_study
from reglab.arms import parse_arm
from reglab.config import EvalConfig, ModelConfig, OptimizerConfig, TrainConfig
from reglab.engine import Member, PackTrainer, train_pack
from reglab.engine.calibration import expected_calibration_error, nll
from reglab.engine.mc_dropout import MC_BLOCK, mc_plan, mc_probabilities, mc_site_key
from reglab.errors import ConfigError
from reglab.store import StudyDir
from reglab.store.records import RunRecord, read_runs_csv
from reglab.study import StudySpec
from tests.engine_helpers import reference_model, tiny_dataset
from tests.study_helpers import TINY, tiny_spec


def numpy_ece(proba: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Guo et al. 2017, eq. 3, written out: bins ((m-1)/M, m/M], sum |B|/n |acc - conf|."""
    conf, pred = proba.max(1), proba.argmax(1)
    total = 0.0
    for m in range(1, bins + 1):
        lo, hi = (m - 1) / bins, m / bins
        inside = (conf > lo) & (conf <= hi)
        if inside.any():
            acc = (pred[inside] == y[inside]).mean()
            total += inside.sum() / len(y) * abs(acc - conf[inside].mean())
    return float(total)


def random_proba(k: int, n: int, c: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(k, n, c)) * 3
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    return p, rng.integers(0, c, n)


# ---- ECE and NLL ----------------------------------------------------------------------------
def test_ece_hand_computed() -> None:
    # confidences 0.9 (right), 0.6 (wrong), 0.8 (right), 0.95 (right): three bins
    # (0.8667, 0.9333]: {0.9}; (0.5333, 0.6]: {0.6}; (0.7333, 0.8]: {0.8}; (0.9333, 1]: {0.95}
    proba = torch.tensor([[[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.05, 0.95]]])
    y = torch.tensor([0, 1, 1, 1])
    expected = (0.1 + 0.6 + 0.2 + 0.05) / 4
    assert expected_calibration_error(proba, y).item() == pytest.approx(expected, abs=1e-6)
    two_in_one_bin = torch.tensor([[[0.9, 0.1], [0.1, 0.9]]])  # both conf 0.9, one right
    assert expected_calibration_error(two_in_one_bin, torch.tensor([0, 0])).item() == (
        pytest.approx(abs(0.5 - 0.9), abs=1e-6)
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ece_and_nll_match_numpy(seed: int) -> None:
    p, y = random_proba(3, 500, 7, seed)
    got = expected_calibration_error(torch.tensor(p, dtype=torch.float32), torch.tensor(y))
    want = [numpy_ece(p[i], y) for i in range(3)]
    np.testing.assert_allclose(got.numpy(), want, atol=1e-5)
    loss = nll(torch.tensor(p, dtype=torch.float32), torch.tensor(y)).numpy()
    np.testing.assert_allclose(loss, -np.log(p[:, np.arange(500), y]).mean(1), rtol=1e-5)


def test_perfectly_calibrated_and_overconfident() -> None:
    y = torch.zeros(1000, dtype=torch.long)
    sure = torch.tensor([1.0, 0.0]).expand(1, 1000, 2)
    assert expected_calibration_error(sure, y).item() == 0.0
    wrong = torch.tensor([0.0, 1.0]).expand(1, 1000, 2)  # conf 1, accuracy 0
    assert expected_calibration_error(wrong, y).item() == pytest.approx(1.0)


# ---- per run: test_loss is the NLL, test_ece measured, MC off by default ----------------------
def _trained(epochs: int = 2) -> PackTrainer:
    data = tiny_dataset()
    members = [Member(0, parse_arm("none")), Member(0, parse_arm("dropout=0.5+indrop=0.2"))]
    members.append(Member(1, parse_arm("dropout=0.3")))
    trainer = PackTrainer(
        data, ModelConfig(hidden=(16,)), OptimizerConfig(), TrainConfig(epochs=epochs), members
    )
    train_pack(trainer)
    return trainer


@torch.no_grad()
def test_run_nll_and_ece_against_plain_pytorch() -> None:
    trainer = _trained()
    results = trainer.finish()
    data = trainer.data
    for i, r in enumerate(results):
        logits = reference_model(trainer, i)(data.x_test).double()
        assert r.test_loss == pytest.approx(F.cross_entropy(logits, data.y_test).item(), rel=1e-5)
        p = logits.softmax(1).numpy()
        assert r.test_ece == pytest.approx(numpy_ece(p, data.y_test.numpy()), abs=1e-5)
        assert r.test_proba is not None and r.test_proba.dtype == np.float16
        np.testing.assert_allclose(r.test_proba, p, atol=1e-3)
        assert math.isnan(r.test_acc_mc) and math.isnan(r.test_nll_mc)  # mc_samples 0


def test_mc_dropout_changes_nothing_else_and_skips_members_without_dropout() -> None:
    trainer = _trained()
    plain, mc = trainer.finish(), trainer.finish(mc_samples=8)
    for a, b in zip(plain, mc, strict=True):
        assert (a.test_acc, a.test_loss, a.test_ece) == (b.test_acc, b.test_loss, b.test_ece)
    assert math.isnan(mc[0].test_acc_mc) and math.isnan(mc[0].test_ece_mc)  # no dropout
    for r in mc[1:]:
        assert 0 < r.test_acc_mc <= 1 and r.test_nll_mc > 0 and 0 <= r.test_ece_mc <= 1
    again = trainer.finish(mc_samples=8)  # reproducible, bit for bit
    for a, b in zip(again[1:], mc[1:], strict=True):
        assert (a.test_acc_mc, a.test_nll_mc, a.test_ece_mc) == (
            b.test_acc_mc, b.test_nll_mc, b.test_ece_mc,
        )  # fmt: skip
        assert a.test_proba_mc is not None and b.test_proba_mc is not None
        np.testing.assert_array_equal(a.test_proba_mc, b.test_proba_mc)
    assert mc[0].test_proba_mc is None  # no dropout: no MC probabilities kept


@torch.no_grad()
def test_mc_average_equals_plain_pytorch_with_the_same_masks() -> None:
    """Member 1 (input dropout 0.2, hidden 0.5) by hand: nn.Linear/ReLU, masks applied as
    inverted dropout (what nn.Dropout does in train mode), softmax averaged over samples."""
    trainer = _trained()
    net, x = trainer.model, trainer.data.x_test  # [N, D]
    regs = [m.reg for m in trainer.members]
    plan = mc_plan(
        [m.seed for m in trainer.members],
        torch.tensor([r.input_dropout for r in regs]),
        torch.tensor([r.dropout for r in regs]),
        layers=1,
    )
    assert plan is not None
    samples = 6
    got = mc_probabilities(net, plan, x, samples)  # [M, N, C]
    ref = reference_model(trainer, 1)
    seed, blocks = trainer.members[1].seed, list(x.split(MC_BLOCK))
    key_in, key_h = (torch.tensor([mc_site_key(seed, s)]) for s in (0, 1))
    want = []
    for b, xb in enumerate(blocks):
        total = torch.zeros(len(xb), 4)
        for s in range(samples):
            step = s * len(blocks) + b
            keep_in = seeding.keep_mask(key_in, step, xb.shape, torch.tensor([0.2]))[0]
            keep_h = seeding.keep_mask(key_h, step, (len(xb), 16), torch.tensor([0.5]))[0]
            h = ref[1](ref[0](xb * keep_in / 0.8))
            total += ref[2](h * keep_h / 0.5).softmax(1)
        want.append(total / samples)
    torch.testing.assert_close(got[1], torch.cat(want), rtol=1e-5, atol=1e-6)
    # member 0 drops nothing: its MC "average" is the plain evaluation
    torch.testing.assert_close(got[0], ref_softmax(trainer, 0), rtol=1e-5, atol=1e-6)


@torch.no_grad()
def ref_softmax(trainer: PackTrainer, i: int) -> torch.Tensor:
    return reference_model(trainer, i)(trainer.data.x_test).detach().softmax(1)


@torch.no_grad()
def test_mc_masks_average_to_weight_scaling() -> None:
    """Inverted dropout's masks are unbiased: with hidden dropout only, the output logits are
    linear in the masked units, so their mean over many MC passes tends to the plain
    (weight-scaled) pass."""
    trainer = _trained(epochs=1)
    net, x = trainer.model, trainer.data.x_test[:32]
    plan = mc_plan([0, 0, 1], torch.zeros(3), torch.tensor([0.0, 0.5, 0.3]), layers=1)
    assert plan is not None
    plain = net.forward(x, training=False)  # [M, 32, C]
    scale = plain.abs().mean()
    total, errors = torch.zeros_like(plain), {}
    for s in range(4000):
        total += net.forward(x, training=False, drop=plan, step=s)
        if s + 1 in (250, 4000):
            errors[s + 1] = float((total / (s + 1) - plain).abs().mean() / scale)
    assert errors[4000] < 0.01 and errors[4000] < errors[250] / 2  # ~ 1 / sqrt(samples)
    one = net.forward(x, training=False, drop=plan, step=0)
    assert float((one - plain)[1].abs().max() / scale) > 0.2  # a single pass is far off


def test_mc_is_member_independent() -> None:
    """A member's MC metrics do not depend on who shares its pack."""
    data = tiny_dataset()
    cfg = (ModelConfig(hidden=(16,)), OptimizerConfig(), TrainConfig(epochs=1))
    solo = PackTrainer(data, *cfg, [Member(3, parse_arm("dropout=0.5"))])
    pair = PackTrainer(
        data, *cfg, [Member(0, parse_arm("none")), Member(3, parse_arm("dropout=0.5"))]
    )
    a, b = train_pack(solo), train_pack(pair)
    ra, rb = solo.finish(mc_samples=5)[0], pair.finish(mc_samples=5)[1]
    assert a[0].test_acc == pytest.approx(b[1].test_acc, abs=1e-6)
    assert ra.test_nll_mc == pytest.approx(rb.test_nll_mc, rel=1e-4)
    assert ra.test_acc_mc == pytest.approx(rb.test_acc_mc, abs=1e-6)


# ---- the spec setting -------------------------------------------------------------------------
def test_eval_config_validates_and_round_trips() -> None:
    with pytest.raises(ConfigError, match=r"The 'mc_samples' parameter of EvalConfig must be an int in \[0, 10000\]\. Got -1 instead\."):  # fmt: skip
        EvalConfig(mc_samples=-1)
    with pytest.raises(ConfigError, match="mc_samples"):
        StudySpec.from_dict({**TINY, "eval": {"mc_samples": 2.5}})
    with pytest.raises(ConfigError, match="Unknown setting 'samples'"):
        StudySpec.from_dict({**TINY, "eval": {"samples": 3}})
    spec = tiny_spec(eval={"mc_samples": 30})
    assert spec.eval == EvalConfig(30)
    assert StudySpec.from_dict(spec.to_dict()) == spec


def test_mc_samples_is_in_the_identity_only_when_on() -> None:
    from reglab.store import spec_identity

    off, on = tiny_spec(), tiny_spec(eval={"mc_samples": 10})
    assert "eval" not in off.to_dict() and "eval" not in tiny_spec(eval={}).to_dict()
    assert spec_identity(on.to_dict()) != spec_identity(off.to_dict())


# ---- records: old rows load ------------------------------------------------------------------
def _record(**changes: object) -> RunRecord:
    from reglab.store.records import Techniques

    base = RunRecord("r0", "none", 0, 0, 0, "ok", 0.9, 0.3, 0.95, 0.2, 2, 3, "", None, 1.0,
                     0.1, 0.0, (1.0,), (2.0,), Techniques())  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_records_round_trip_and_old_rows_read_as_nan(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rec = _record(test_ece=0.05, test_acc_mc=0.91, test_nll_mc=0.25, test_ece_mc=0.02)
    assert RunRecord.from_row(rec.to_row()) == rec
    old = {k: v for k, v in rec.to_row().items() if "ece" not in k and "_mc" not in k}
    back = RunRecord.from_row(old)
    assert math.isnan(back.test_ece) and math.isnan(back.test_nll_mc)
    path = tmp_path / "runs.csv"
    import pandas as pd

    pd.DataFrame([old]).to_csv(path, index=False)
    assert math.isnan(read_runs_csv(path)[0].test_ece_mc)


# ---- end to end: a study with MC dropout, its ensembles, an old study ---------------------------
@pytest.fixture(scope="module")
def mc_study(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("mc") / "study"
    spec = tiny_spec(seeds=3, eval={"mc_samples": 4})
    return run_study(spec, out, quiet=True, report=True)


def test_study_records_calibration_and_ensembles(mc_study) -> None:  # type: ignore[no-untyped-def]
    runs = mc_study.runs
    assert runs["test_ece"].notna().all()
    assert runs.loc[runs["arm"] == "none", "test_acc_mc"].isna().all()
    assert runs.loc[runs["arm"] == "dropout=0.5", "test_nll_mc"].notna().all()
    store = StudyDir(mc_study.directory)
    proba, y = store.arrays("proba"), store.targets()
    assert y is not None
    for arm in ("none", "dropout=0.5"):
        ids = runs.loc[runs["arm"] == arm].sort_values("seed")["run_id"]
        stacked = np.stack([proba[i].astype(np.float64) for i in ids])  # [K, N, C]
        mean = stacked.mean(0)
        (e,) = [e for e in mc_study.ensembles() if e.arm == arm]
        assert e.k == 3
        assert e.ensemble.acc == pytest.approx((mean.argmax(1) == y).mean())
        assert e.ensemble.nll == pytest.approx(-np.log(mean[np.arange(len(y)), y]).mean(), rel=1e-4)
        assert e.ensemble.ece == pytest.approx(numpy_ece(mean, y), abs=1e-4)
        accs = [(s.argmax(1) == y).mean() for s in stacked]
        assert e.members.acc == pytest.approx(np.mean(accs))
    assert ensembles(mc_study.directory) == mc_study.ensembles()
    summary = mc_study.summary
    assert summary.arm("none").test_ece.mean is not None
    assert summary.arm("dropout=0.5").test_nll_mc.mean is not None
    assert summary.arm("none").test_nll_mc.mean is None
    report = (mc_study.directory / "report.md").read_text(encoding="utf-8")
    assert "Calibration" in report and "ECE" in report


def test_old_study_without_the_columns_still_loads(mc_study, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A study written before these columns (pack JSON and runs.csv without them, no
    probabilities) is read, summarized and refused for ensembles with one clear error."""
    import shutil

    from reglab.errors import StudyError

    old = tmp_path / "old"
    shutil.copytree(mc_study.directory, old)
    new_cols = ("test_ece", "test_acc_mc", "test_nll_mc", "test_ece_mc")
    for path in (old / "packs").glob("pack-*.json"):
        data = json.loads(path.read_text())
        data["runs"] = [{k: v for k, v in r.items() if k not in new_cols} for r in data["runs"]]
        path.write_text(json.dumps(data))
    for path in (old / "packs").glob("pack-*.npz"):
        with np.load(path) as npz:
            kept = {k: npz[k] for k in npz.files if not k.startswith("proba/")}
        np.savez_compressed(path, **kept)
    store = StudyDir(old)
    assert all(math.isnan(r.test_ece) for r in store.run_records())
    summary = write_summary(store)
    assert summary.arm("none").test_ece.mean is None
    assert summary.arm("none").test_acc.mean is not None
    with pytest.raises(StudyError, match="kept no test class probabilities"):
        study_ensembles(store)


def test_ensemble_scores_against_numpy() -> None:
    p, y = random_proba(5, 400, 4, 7)
    ens, members = ensemble_scores(p.astype(np.float32), y)
    mean = p.mean(0)
    assert ens.acc == pytest.approx((mean.argmax(1) == y).mean())
    assert ens.nll == pytest.approx(-np.log(mean[np.arange(400), y]).mean(), rel=1e-5)
    assert ens.ece == pytest.approx(numpy_ece(mean, y), abs=1e-5)
    assert members.nll == pytest.approx(np.mean(-np.log(p[:, np.arange(400), y]).mean(1)), rel=1e-5)
    assert members.ece == pytest.approx(np.mean([numpy_ece(q, y) for q in p]), abs=1e-5)


def test_cnn_spatial_and_dense_dropout_get_mc_metrics(tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = tiny_spec(
        arms=["none", "sdrop=0.2", "dropout=0.5"],
        model={"family": "cnn", "channels": [4], "hidden": [16]},
        train={"epochs": 1, "train_eval_size": 200, "device": "cpu"},
        eval={"mc_samples": 3},
    )
    runs = run_study(spec, tmp_path / "cnn", quiet=True, report=False).runs
    by_arm = runs.set_index(["arm", "seed"])
    assert by_arm.loc["none", "test_acc_mc"].isna().all()
    for arm in ("sdrop=0.2", "dropout=0.5"):
        assert by_arm.loc[arm, "test_nll_mc"].notna().all()
        assert (by_arm.loc[arm, "test_nll_mc"] != by_arm.loc[arm, "test_loss"]).all()


def test_mc_samples_on_the_command_line(tmp_path, capsys) -> None:
    """`--mc-samples N` on compare sets [eval] mc_samples: MC columns for dropout runs only;
    a bad value is one error line with exit code 2 and nothing written."""
    import csv

    from reglab.cli import main

    out = tmp_path / "s"
    args = ["compare", "--dataset", "digits", "--epochs", "1", "--seeds", "2", "--hidden", "16"]
    assert main([*args, "--device", "cpu", "-q", "--mc-samples", "4", "--out", str(out)]) == 0
    assert "mc_samples = 4" in (out / "spec.toml").read_text()
    rows = list(csv.DictReader((out / "runs.csv").open()))
    for row in rows:
        has_mc = row["test_acc_mc"] not in ("", "nan") and 0 < float(row["test_acc_mc"]) <= 1
        assert has_mc == (row["arm"] == "dropout=0.5"), row
    bad = tmp_path / "bad"
    assert main([*args, "--device", "cpu", "--mc-samples", "-1", "--out", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "The 'mc_samples' parameter of EvalConfig must be an int in [0," in err
    assert "Traceback" not in err and not bad.exists()
