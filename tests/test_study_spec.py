"""Spec and arm-string validation, sweeps, round trips and planning."""

from __future__ import annotations

import re

import pytest
import torch

from reglab.arms import format_arm, parse_arm, parse_arms
from reglab.errors import ConfigError
from reglab.study import StudySpec, load_spec, plan_study
from tests.study_helpers import TINY, tiny_spec

ARM_ERRORS = [
    (
        "dropout=2",
        "In arm 'dropout=2', part 'dropout=2': The 'dropout' parameter of "
        "Regularization must be a float in [0, 1). Got 2.0 instead.",
    ),
    (
        "drop=0.5",
        "In arm 'drop=0.5', part 'drop=0.5': unknown technique 'drop'; known: none, "
        "dropout, indrop, l1, l2, wd, maxnorm, bn, es, sdrop, augment, noise, smooth.",
    ),
    ("bn=1", "In arm 'bn=1', part 'bn=1': 'bn' takes no value (write just 'bn')."),
    ("l2", "In arm 'l2', part 'l2': 'l2' needs a value, e.g. 'l2=0.5'."),
    (
        "l2=abc",
        "In arm 'l2=abc', part 'l2=abc': the value of 'l2' must be a number. Got 'abc' instead.",
    ),
    (
        "es=1.5",
        "In arm 'es=1.5', part 'es=1.5': the value of 'es' must be an integer. Got '1.5' instead.",
    ),
    (
        "es=-1",
        "The 'patience' parameter of EarlyStopping must be an int in [0, inf). Got -1 instead.",
    ),
    ("dropout=0.5+dropout=0.2", "'dropout' is given twice."),
    ("none+bn", "In arm 'none+bn', part 'none': 'none' stands alone; it cannot be combined"),
    (
        "maxnorm=0",
        "The 'maxnorm' parameter of Regularization must be a float in (0, inf). Got 0.0 instead.",
    ),
    ("", "An arm must be a non-empty string"),
]


@pytest.mark.parametrize(("arm", "message"), ARM_ERRORS)
def test_bad_arms_name_the_part_the_constraint_and_the_value(arm: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_arm(arm)


@pytest.mark.parametrize(
    "arm",
    [
        "none",
        "dropout=0.5",
        "l1=1e-05+l2=0.0001",
        "bn",
        "dropout=0.5+maxnorm=3+bn",
        "es=3",
        "indrop=0.2+wd=0.01",
    ],
)
def test_arm_round_trip(arm: str) -> None:
    assert format_arm(parse_arm(arm)) == arm


def test_arms_list_rejects_duplicates() -> None:
    assert parse_arms("none, dropout=0.5") == ["none", "dropout=0.5"]
    with pytest.raises(ConfigError, match="listed twice"):
        parse_arms("none,none")


SPEC_ERRORS = [
    (
        {"seeds": 0},
        "The 'seeds' parameter of the study must be a count >= 1 or a list of "
        "seeds. Got 0 instead.",
    ),
    ({"seeds": [1, 1]}, "must be a list without repeats. Got [1, 1] instead."),
    (
        {"train": {"epochs": 0}},
        "[train] The 'epochs' parameter of TrainConfig must be an int in [1, inf). Got 0 instead.",
    ),
    (
        {"train": {"batch_size": "32"}},
        "The 'batch_size' parameter of TrainConfig must be an int in [1, inf). Got '32' instead.",
    ),
    (
        {"optimizer": {"name": "rmsprop"}},
        "The 'name' parameter of OptimizerConfig must be one "
        "of 'adam', 'adamw', 'sgd'. Got 'rmsprop' instead.",
    ),
    (
        {"train": {"cuda_graph": "yes"}},
        "The 'cuda_graph' parameter of TrainConfig must be true or false. Got 'yes' instead.",
    ),
    ({"model": {"hiden": [3]}}, "Unknown setting 'hiden' for ModelConfig"),
    ({"tarin": {}}, "unknown key 'tarin'"),
    (
        {"baseline": "bn"},
        "The 'baseline' parameter of the study must be one of the arms "
        "(none, dropout=0.5). Got 'bn' instead.",
    ),
    ({"sweeps": [{"technique": "bn", "values": [1]}]}, "The 'technique' parameter of Sweep"),
    ({"sweeps": [{"technique": "dropout", "values": [0.5, 1.5]}]}, "Got 1.5 instead."),
    ({"arms": ["none", "l2=1e-4", "l2=1e-4"]}, "appears twice"),
]


@pytest.mark.parametrize(("change", "message"), SPEC_ERRORS)
def test_bad_specs_are_refused_before_training(change, message) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        StudySpec.from_dict({**TINY, **change}, where="spec.toml")


def test_how_a_study_runs_is_not_part_of_its_identity() -> None:
    from reglab.store.study_dir import spec_identity

    base = tiny_spec().to_dict()
    moved = tiny_spec(train={**TINY["train"], "device": "cuda", "cuda_graph": False}).to_dict()
    assert spec_identity(base) == spec_identity(moved)
    longer = tiny_spec(train={**TINY["train"], "epochs": 4}).to_dict()
    assert spec_identity(base) != spec_identity(longer)


def test_spec_file_round_trip_and_sweeps(tmp_path) -> None:
    spec = tiny_spec(sweeps=[{"technique": "l2", "values": [1e-4, 1e-3], "base": "dropout=0.5"}])
    assert spec.all_arms == ["none", "dropout=0.5", "dropout=0.5+l2=0.0001", "dropout=0.5+l2=0.001"]
    path = tmp_path / "spec.toml"
    path.write_text(spec.to_toml())
    assert load_spec(path) == spec


def test_spec_file_errors(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_spec(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("seeds = [\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_spec(bad)
    bad.write_text('arms = ["none", "dropout=9"]\n')
    with pytest.raises(ConfigError, match=r"In .*bad.toml: In arm 'dropout=9'"):
        load_spec(bad)


def test_plan_groups_by_arm_or_structure_and_caps_pack_size() -> None:
    cpu = torch.device("cpu")
    spec = tiny_spec(arms=["none", "dropout=0.5", "bn", "bn+l2=1e-4"], seeds=3)
    by_arm = plan_study(spec, (64,), 10, cpu)
    assert [len(p.runs) for p in by_arm] == [3, 3, 3, 3]
    assert all(len({r.arm for r in p.runs}) == 1 for p in by_arm)
    structure = plan_study(
        tiny_spec(arms=spec.arms, seeds=3, train={"pack_by": "structure"}), (64,), 10, cpu
    )
    groups = [{r.arm.reg.bn for r in p.runs} for p in structure]
    assert [len(p.runs) for p in structure] == [6, 6] and groups == [{False}, {True}]
    capped = plan_study(tiny_spec(seeds=5, train={"pack_size": 2}), (64,), 10, cpu)
    assert [len(p.runs) for p in capped] == [2, 2, 1, 2, 2, 1]
    ids = [r.run_id for p in capped for r in p.runs]
    assert len(ids) == len(set(ids)) == 10
