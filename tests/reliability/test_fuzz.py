"""Item 9: hypothesis fuzzing of the arm and spec parsers: whatever the text, the answer is a
parsed value or reglab's own error type (ConfigError), never another exception."""

from __future__ import annotations

import contextlib
import string
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reglab.arms import parse_arm, parse_arms
from reglab.errors import ConfigError
from reglab.study import StudySpec, load_spec

_ARM_ALPHABET = string.ascii_letters + string.digits + "=+.,-e_ \0/"
_PARTS = st.sampled_from(
    ["none", "dropout", "indrop", "l1", "l2", "wd", "maxnorm", "bn", "es", "=", "+", ","]
)
_NUMBERS = st.sampled_from(["0", "0.5", "1e-4", "-1", "nan", "inf", "1e400", "3", "2.5", ""])
arm_text = st.one_of(
    st.text(alphabet=_ARM_ALPHABET, max_size=40),
    st.lists(st.one_of(_PARTS, _NUMBERS), max_size=12).map("".join),
)

_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(["digits", "none", "dropout=0.5", "l2", "cpu", "sgd", "arm"]),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    [
        "name",
        "seeds",
        "arms",
        "baseline",
        "data",
        "model",
        "optimizer",
        "train",
        "early_stopping",
        "sweeps",
        "allow_large",
        "other",
    ]
)
_SECTION_KEYS = st.sampled_from(
    [
        "name",
        "val_size",
        "train_subset",
        "hidden",
        "lr",
        "epochs",
        "batch_size",
        "device",
        "technique",
        "values",
        "base",
        "monitor",
        "patience",
        "pack_size",
        "x",
    ]
)
spec_table = st.dictionaries(
    _KEYS,
    st.one_of(
        _VALUES,
        st.dictionaries(_SECTION_KEYS, _VALUES, max_size=4),
        st.lists(st.dictionaries(_SECTION_KEYS, _VALUES, max_size=3), max_size=2),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(arm_text)
def test_arm_parser_answers_or_raises_config_error(text: str) -> None:
    with contextlib.suppress(ConfigError):
        parse_arm(text)
    with contextlib.suppress(ConfigError):
        parse_arms(text)


@settings(max_examples=300, deadline=None)
@given(spec_table)
def test_spec_parser_answers_or_raises_config_error(table: dict) -> None:  # type: ignore[type-arg]
    try:
        spec = StudySpec.from_dict(table)
    except ConfigError:
        return
    assert StudySpec.from_dict(tomllib.loads(spec.to_toml())) == spec  # it round-trips


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_spec_files_of_any_text_answer_or_raise_config_error(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    path = Path(tmp_path_factory.mktemp("fuzz")) / "spec.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(ConfigError):
        load_spec(path)
