"""The notebook-facing API: one function per experiment, each returning a result to save.

>>> from reglab.api import run_biasvar

Names are imported on first use (:mod:`reglab._lazy`): ``import reglab.api`` alone loads
neither scipy nor pandas nor torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reglab._lazy import lazy_exports

if TYPE_CHECKING:
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

_BIASVAR: tuple[str, ...] = ("BIASVAR_TECHNIQUES", "DEFAULT_STRENGTHS", "BiasVariancePoint")
_BIASVAR += ("BiasVarianceProgress", "BiasVarianceResult", "run_biasvar")
_CURVE = ("LearningCurveResult", "learning_curve_table", "run_learning_curve")
_WHERE = {name: "reglab.api.biasvar" for name in _BIASVAR}
_WHERE |= {name: "reglab.api.learning_curve" for name in _CURVE}
_WHERE |= {name: "reglab.api.study" for name in __all__ if name not in _WHERE}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
