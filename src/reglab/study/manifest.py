"""Provenance of a study: versions, device, git revision, seeds, times (manifest.json)."""

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
from reglab.data import Dataset

__all__ = ["git_revision", "manifest"]


def manifest(
    kind: str,
    seeds: Sequence[int],
    arms: Sequence[str],
    baseline: str,
    device: torch.device,
    data: Dataset,
    previous: dict[str, Any] | None = None,
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
            "name": data.name,
            "source": data.source,
            "checksum": data.checksum,
            "train": len(data.y_train),
            "val": len(data.y_val),
            "test": len(data.y_test),
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
