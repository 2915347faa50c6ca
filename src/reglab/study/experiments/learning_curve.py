"""The learning-curve experiment: one study of the same spec per training-set size.

Size n is an ordinary study (:class:`StudyExperiment`) of the spec with
``data.train_subset = n`` (a fixed, nested, class-balanced subset), in ``ROOT/n-<n>/``, run and
resumed by the study runner on its own. The curve's root is claimed like a study directory,
with ``learning_curve_spec.toml`` (the spec without train_subset) as its identity::

    >>> curve = LearningCurveSpec.of(spec, [1000, 5000])   # sizes checked before training
    >>> curve.claim(Path("runs/lc"))
    >>> [(n, s.data.train_subset) for n, s in curve.studies()]
    [(1000, 1000), (5000, 5000)]
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reglab.data import load_dataset
from reglab.data.split import split_indices
from reglab.errors import ConfigError, invalid
from reglab.store import StudyDir, spec_identity
from reglab.study.spec import StudySpec

__all__ = ["MIN_SIZE", "SPEC_FILE", "LearningCurveSpec"]

OWNER = "run_learning_curve"
MIN_SIZE = 10
SPEC_FILE = "learning_curve_spec.toml"


@dataclass(frozen=True)
class LearningCurveSpec:
    """A curve: ``base`` (the spec without train_subset) at ascending distinct ``sizes``."""

    base: StudySpec
    sizes: tuple[int, ...]

    @staticmethod
    def of(spec: StudySpec, sizes: Sequence[int]) -> LearningCurveSpec:
        """Check ``sizes`` (ints >= 10 and >= the class count, no repeats, none larger than
        the training set: the data layer says how large it is) before any training."""
        ordered = _checked_sizes(sizes)
        base = dataclasses.replace(spec, data=dataclasses.replace(spec.data, train_subset=None))
        _check_fits(base, ordered)
        return LearningCurveSpec(base, tuple(ordered))

    def claim(self, root: Path) -> bool:
        """Take ``root`` for this curve (True: it resumes); the sizes' studies claim their own."""
        identity = spec_identity(self.base.to_dict())
        return StudyDir(root).claim(self.base.to_toml(), identity, SPEC_FILE, "learning curve")

    def studies(self) -> Iterator[tuple[int, StudySpec]]:
        """Each size with its study's spec (named ``<name>-n<size>``)."""
        for size in self.sizes:
            data = dataclasses.replace(self.base.data, train_subset=size)
            yield size, dataclasses.replace(self.base, name=f"{self.base.name}-n{size}", data=data)


def _checked_sizes(sizes: Sequence[int]) -> list[int]:
    """Ascending distinct ints >= MIN_SIZE, or a ConfigError naming the bad one."""
    constraint = f"a non-empty list of distinct ints >= {MIN_SIZE} (training examples)"
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence) or not sizes:
        raise invalid("sizes", OWNER, constraint, sizes)
    for size in sizes:
        if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < MIN_SIZE:
            raise invalid("sizes", OWNER, constraint, size)
    ordered = sorted(int(s) for s in sizes)
    if len(set(ordered)) != len(ordered):
        raise invalid("sizes", OWNER, constraint, list(sizes))
    return ordered


def _check_fits(base: StudySpec, sizes: list[int]) -> None:
    """Refuse sizes below the class count or above the training set, before any training."""
    full = load_dataset(base.data)  # a bad val_size surfaces here, unprefixed
    classification = full.task == "classification"
    if classification and sizes[0] < full.num_classes:
        raise invalid(
            "sizes", OWNER, f"ints >= the number of classes ({full.num_classes})", sizes[0]
        )
    labels = np.concatenate([full.y_train.numpy(), full.y_val.numpy()])  # the official train
    largest = dataclasses.replace(base.data, train_subset=sizes[-1])
    try:
        split_indices(labels, largest, dataset=base.data.name, classification=classification)
    except ConfigError as err:
        raise ConfigError(f"Learning-curve size {sizes[-1]}: {err}") from None
