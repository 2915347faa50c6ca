"""reglab: a lab for regularization in deep learning.

Trains the variants of a network (Dropout, L1, L2, weight decay, max-norm, Batch Norm,
Early Stopping) across many seeds as one batched network, and reports what each did.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "compare", "run_biasvar", "run_study"]

_API = {"compare", "run_study", "run_biasvar", "StudyResult", "compare_spec", "Overrides"}


def __getattr__(name: str) -> Any:
    """``reglab.compare`` etc. without importing torch for ``reglab --help``."""
    if name in _API:
        from reglab import api

        return getattr(api, name)
    raise AttributeError(f"module 'reglab' has no attribute {name!r}")
