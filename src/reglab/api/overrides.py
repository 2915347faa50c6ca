"""One set of overrides for a study spec, shared by ``reglab compare``, ``reglab run`` and the API.

    >>> spec = Overrides(epochs=1, seeds=2, dataset="digits").apply(load_spec("examples/sweeps.toml"))
    >>> spec.train.epochs, spec.seeds, spec.data.name
    (1, (0, 1), 'digits')

A field left at None keeps the spec's value. ``dataset_from_file`` turns a user's data file
(``--data PATH``) into a dataset name, adding it to the cache once (the same file twice is the
same dataset).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reglab.arms import parse_arms
from reglab.data import SUGGESTED_VAL_SIZE, add_user_dataset, check_name, user_datasets
from reglab.errors import invalid
from reglab.study import StudySpec

__all__ = ["Overrides", "dataset_from_file"]


@dataclass(frozen=True)
class Overrides:
    """Changes to a spec: the study's arms and seeds, the data (dataset, training subset,
    label noise), the model's hidden widths and
    the schedule, Monte-Carlo dropout passes (``mc_samples``), the equivalence margin and the size limits (``allow_large``).
    ``seeds`` is a count (seeds 0..n-1) or a list of seeds."""

    arms: str | tuple[str, ...] | None = None
    baseline: str | None = None
    seeds: int | tuple[int, ...] | None = None
    epochs: int | None = None
    dataset: str | None = None
    device: str | None = None
    batch_size: int | None = None
    hidden: tuple[int, ...] | None = None
    train_subset: int | None = None
    label_noise: float | None = None
    mc_samples: int | None = None
    lr: float | None = None
    margin: float | None = None
    allow_large: bool | None = None
    tf32: bool | None = None

    def apply(self, spec: StudySpec, where: str = "the spec with overrides") -> StudySpec:
        """``spec`` with these overrides; every value is validated as the spec's own are
        (errors name ``where``)."""
        data = spec.to_dict()
        train = {"epochs": self.epochs, "device": self.device, "batch_size": self.batch_size}
        train |= {"tf32": self.tf32}
        data["train"].update({k: v for k, v in train.items() if v is not None})
        if self.seeds is not None:
            data["seeds"] = self.seeds if isinstance(self.seeds, int) else list(self.seeds)
        if self.arms is not None:
            data["arms"] = parse_arms(self.arms if isinstance(self.arms, str) else list(self.arms))
            data.pop("baseline", None)  # new arms: the first is the baseline unless named
        if self.baseline is not None:
            data["baseline"] = self.baseline
        if self.hidden is not None:
            data["model"]["hidden"] = list(self.hidden)
        if self.lr is not None:
            data["optimizer"]["lr"] = self.lr
        if self.margin is not None:
            data["analysis"] = {"margin": self.margin}
        if self.allow_large is not None:
            data["allow_large"] = self.allow_large
        if self.mc_samples is not None:
            data["eval"] = {**data.get("eval", {}), "mc_samples": self.mc_samples}
        data["data"] = self._data(spec).to_dict()
        return StudySpec.from_dict(data, where=where)

    def _data(self, spec: StudySpec) -> Any:
        cfg = spec.data
        if self.dataset is not None and self.dataset != cfg.name:
            name = check_name(self.dataset)
            val = SUGGESTED_VAL_SIZE.get(name, cfg.val_size)
            cfg = dataclasses.replace(cfg, name=name, val_size=val)
        if self.train_subset is not None:
            cfg = dataclasses.replace(cfg, train_subset=self.train_subset)
        if self.label_noise is not None:
            cfg = dataclasses.replace(cfg, label_noise=self.label_noise)
        return cfg


def parse_hidden(text: str, owner: str = "the overrides") -> tuple[int, ...]:
    """'512' or '256,128' -> (512,) or (256, 128)."""
    try:
        return tuple(int(w) for w in text.split(","))
    except ValueError:
        raise invalid(
            "hidden", owner, "comma-separated integers such as 512 or 256,128", text
        ) from None


def dataset_from_file(path: str | Path, *, label: str = "label") -> str:
    """Add the data file (NPZ, CSV or a folder of IDX files) as a user dataset named after
    its stem and content (``<stem>-<sha256[:8]>``), unless it is already there; its name."""
    path = Path(path).expanduser()
    if not path.exists():
        raise invalid("data", "the study", "an existing NPZ or CSV file or IDX folder", str(path))
    name = f"{_slug(path.stem)}-{_digest(path)[:8]}"
    if name not in user_datasets():
        add_user_dataset(name, path, label=label)
    return name


def _slug(stem: str) -> str:
    """A dataset-name-safe form of a file's stem (a-z, 0-9, '_', '-'; at most 40 chars)."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")[:40]
    return slug or "data"


def _digest(path: Path) -> str:
    """sha256 of the file, or of a folder's files (names and contents, in sorted order)."""
    h = hashlib.sha256()
    files: Sequence[Path] = (
        sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    )
    for f in files:
        h.update(f.relative_to(path).as_posix().encode() if path.is_dir() else b"")
        with f.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()
