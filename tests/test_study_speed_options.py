"""The speed options of a study: pack_by per device, TF32, checkpoint interval (issue 18)."""

from __future__ import annotations

import pytest
import torch

from reglab.api.study import compare_spec, with_overrides
from reglab.config import TrainConfig
from reglab.errors import ConfigError
from reglab.store import spec_identity
from reglab.study.plan import pack_by


@pytest.mark.parametrize(
    ("setting", "device", "expected"),
    [
        ("auto", "cpu", "arm"),
        ("auto", "cuda", "structure"),
        ("arm", "cuda", "arm"),
        ("structure", "cpu", "structure"),
    ],
)
def test_pack_by_auto_is_structure_on_cuda_and_arm_on_the_cpu(
    setting: str, device: str, expected: str
) -> None:
    train = TrainConfig(pack_by=setting)  # type: ignore[arg-type]
    assert pack_by(train, torch.device(device)) == expected


def test_tf32_is_off_by_default_and_set_by_the_compare_option() -> None:
    assert compare_spec().train.tf32 is False
    spec = compare_spec(tf32=True)
    assert spec.train.tf32 is True
    assert with_overrides(compare_spec(), tf32=True).train.tf32 is True
    assert with_overrides(spec, tf32=None).train.tf32 is True  # absent flag keeps the spec's


def test_how_a_study_runs_does_not_change_which_study_it_is() -> None:
    """A directory made without these options (or with others) resumes under any of them."""
    base = compare_spec().to_dict()
    other = compare_spec(tf32=True).to_dict()
    other["train"] |= {"checkpoint_seconds": 0.0, "pack_by": "structure"}
    assert spec_identity(base) == spec_identity(other)
    older = compare_spec().to_dict()
    for key in ("tf32", "checkpoint_seconds", "pack_by"):
        del older["train"][key]
    assert spec_identity(older) == spec_identity(base)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tf32", "yes", "The 'tf32' parameter of TrainConfig must be true or false. Got 'yes'"),
        (
            "checkpoint_seconds",
            -1.0,
            "The 'checkpoint_seconds' parameter of TrainConfig must be a float in [0, inf). "
            "Got -1.0",
        ),
    ],
)
def test_bad_speed_options_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        TrainConfig(**{field: value})  # type: ignore[arg-type]
    assert message in str(err.value)
