"""The notebook-facing API: one function per experiment, each returning a typed result.

>>> from reglab.api import compare, run_study
>>> result = run_study("examples/sweeps.toml", epochs=1, seeds=2, dataset="digits")
>>> result.summary            # StudySummary (typed; summary.json)
>>> result.report()           # the report, inline in Jupyter (else its path)
>>> result.plot("accuracy")   # a matplotlib Figure ("accuracy" or "curves")
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
from reglab.api.diff import ArmDiff, StudyDiff, diff_studies
from reglab.api.learning_curve import (
    LearningCurveResult,
    learning_curve_table,
    run_learning_curve,
)
from reglab.api.listing import StudyEntry, list_studies
from reglab.api.overrides import Overrides, dataset_from_file
from reglab.api.plots import PlotKind, plot_study
from reglab.api.study import (
    StudyResult,
    classic_spec,
    compare,
    compare_spec,
    default_out,
    run_spec,
    run_study,
    with_overrides,
)

__all__ = [
    "BIASVAR_TECHNIQUES",
    "DEFAULT_STRENGTHS",
    "ArmDiff",
    "BiasVariancePoint",
    "BiasVarianceProgress",
    "BiasVarianceResult",
    "LearningCurveResult",
    "Overrides",
    "PlotKind",
    "StudyDiff",
    "StudyEntry",
    "StudyResult",
    "classic_spec",
    "compare",
    "compare_spec",
    "dataset_from_file",
    "default_out",
    "diff_studies",
    "learning_curve_table",
    "list_studies",
    "plot_study",
    "run_biasvar",
    "run_learning_curve",
    "run_spec",
    "run_study",
    "with_overrides",
]
