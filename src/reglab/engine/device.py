"""Device choice: ``auto`` takes CUDA when present, else the CPU."""

from __future__ import annotations

import torch

from reglab.errors import invalid

__all__ = ["resolve_device"]


def resolve_device(name: str) -> torch.device:
    """'auto' | 'cpu' | 'cuda' -> a torch.device; asking for CUDA without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise invalid("device", "reglab", "'cpu' or 'auto' on a machine without a CUDA GPU", name)
    if name not in ("cpu", "cuda"):
        raise invalid("device", "reglab", "one of 'auto', 'cpu', 'cuda'", name)
    return torch.device(name)
