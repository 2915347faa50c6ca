"""Provenance of a study: versions, device, git revision, seeds, times (manifest.json).

The manifest also holds the study's data identity (``dataset``: checksum and split): a
resume on data that changed since (a re-added dataset, a replaced MNIST cache) is refused::

    >>> check_same_data(previous_manifest, data_identity(cfg, data), root)   # or StudyError
"""

from __future__ import annotations

import platform
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

import reglab
from reglab.config import DataConfig
from reglab.data import Dataset, DatasetIdentity
from reglab.errors import StudyError

__all__ = ["check_same_data", "data_identity", "git_revision", "manifest"]

_IDENTITY = ("name", "checksum", "val_size", "train_subset", "split", "label_noise", "label_seed")


def data_identity(cfg: DataConfig, data: Dataset) -> dict[str, Any]:
    """What the study's results depend on in its data: content checksum and split."""
    return DatasetIdentity(
        data.name,
        data.checksum,
        cfg.val_size,
        cfg.train_subset,
        label_noise=cfg.label_noise,
        label_seed=cfg.label_seed,
    ).to_dict()


def check_same_data(previous: dict[str, Any] | None, now: dict[str, Any], root: Path) -> None:
    """Refuse to resume a study whose data is not the data it started on."""
    before = (previous or {}).get("dataset") or {}
    changed = [k for k in _IDENTITY if k in before and before[k] != now.get(k)]
    if changed:
        what = ", ".join(f"{k} {before[k]!r} -> {now.get(k)!r}" for k in changed)
        raise StudyError(
            f"{str(root)!r} was trained on other data than dataset {now['name']!r} holds "
            f"now ({what}); its finished runs cannot be mixed with new ones. Restore that "
            "data, or use another --out to start a new study."
        )


def manifest(
    kind: str,
    seeds: Sequence[int],
    arms: Sequence[str],
    baseline: str,
    device: torch.device,
    data: Dataset,
    previous: dict[str, Any] | None = None,
    identity: dict[str, Any] | None = None,
    *,
    tf32: bool = False,
) -> dict[str, Any]:
    """A new manifest, or the previous one with this session appended (resume); ``tf32``:
    whether this session's CUDA matmuls ran in TF32 (``[train] tf32`` on a GPU)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    session: dict[str, Any] = {"started": now, "device": _device_name(device), "tf32": tf32}
    session["host"] = platform.node()
    if previous is not None:
        previous.setdefault("sessions", []).append(session)
        return previous
    return {
        "reglab": reglab.__version__,
        "git_revision": git_revision(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "dataset": {
            **(identity or {"name": data.name, "checksum": data.checksum}),
            "source": data.source,
            "train": len(data.y_train),
            "val": len(data.y_val),
            "test": len(data.y_test),
            **({"labels_changed": data.label_noise.to_dict()} if data.label_noise else {}),
        },
        "experiment": kind,
        "seeds": list(seeds),
        "arms": list(arms),
        "baseline": baseline,
        "started": now,
        "sessions": [session],
        "packs": {},
    }


def git_revision() -> str | None:
    """The git revision of the reglab source tree, when it is a git checkout."""
    root = Path(reglab.__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    return f"cpu: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
