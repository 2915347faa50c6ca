"""The notebook-facing API: one function per experiment, each returning a result to save.

>>> from reglab.api import run_biasvar
"""

from __future__ import annotations

from reglab.api.biasvar import (
    BIASVAR_TECHNIQUES,
    DEFAULT_STRENGTHS,
    BiasVariancePoint,
    BiasVarianceProgress,
    BiasVarianceResult,
    run_biasvar,
)
from reglab.api.learning_curve import (
    LearningCurveResult,
    learning_curve_table,
    run_learning_curve,
)
from reglab.api.study import (
    StudyResult,
    compare,
    compare_spec,
    default_out,
    run_study,
    with_overrides,
)

__all__ = [
    "BIASVAR_TECHNIQUES",
    "DEFAULT_STRENGTHS",
    "BiasVariancePoint",
    "BiasVarianceProgress",
    "BiasVarianceResult",
    "LearningCurveResult",
    "StudyResult",
    "compare",
    "compare_spec",
    "default_out",
    "learning_curve_table",
    "run_biasvar",
    "run_learning_curve",
    "run_study",
    "with_overrides",
]
