"""Device choice: ``auto`` takes CUDA when present, else the CPU; ``cuda:N`` picks a GPU.

>>> resolve_device("auto")       # cuda:0's device when a GPU is present, else cpu
>>> resolve_device("cuda:1")     # the second GPU; an error if there is no such GPU
>>> set_threads(None)            # torch's CPU threads: default_threads(); returns it
"""

from __future__ import annotations

import os
import re

import torch

from reglab.errors import invalid

__all__ = ["default_threads", "resolve_device", "set_threads"]

_NAMES = "one of 'auto', 'cpu', 'cuda', 'cuda:N'"


def resolve_device(name: str) -> torch.device:
    """'auto' | 'cpu' | 'cuda' | 'cuda:N' -> a torch.device; a GPU that is not here is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    match = re.fullmatch(r"cuda(?::([0-9]+))?", name) if isinstance(name, str) else None
    if match is None:
        raise invalid("device", "reglab", _NAMES, name)
    if not torch.cuda.is_available():
        raise invalid("device", "reglab", "'cpu' or 'auto' on a machine without a CUDA GPU", name)
    if match.group(1) is not None:
        count = torch.cuda.device_count()
        if int(match.group(1)) >= count:
            raise invalid(
                "device", "reglab", f"'cuda' or 'cuda:N' with N in [0, {count - 1}] here", name
            )
    return torch.device(name)


def default_threads() -> int:
    """Half of the CPU cores this process may use, at least 1.

    torch's own default (every core) oversubscribes a shared machine: on this project's
    2-core machine, with the other core busy, one training step (MLP 784-512-10, batch 128)
    took 14-19 ms with 1 thread and 134-254 ms with 2; a batched matmul 15 vs 19-27 ms.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) // 2)


def set_threads(threads: int | None) -> int:
    """Set torch's CPU threads (None: :func:`default_threads`); returns the number set."""
    n = default_threads() if threads is None else threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise invalid("threads", "reglab", "an int in [1, inf)", threads)
    torch.set_num_threads(n)
    return n
