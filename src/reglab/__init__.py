"""reglab: a lab for regularization in deep learning.

Trains the variants of a network (Dropout, L1, L2, weight decay, max-norm, Batch Norm,
Early Stopping) across many seeds as one batched network, and reports what each did.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
