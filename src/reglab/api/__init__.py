"""The notebook-facing API: one function per experiment, each returning a typed result.

>>> from reglab.api import compare, run_study
>>> result = run_study("examples/sweeps.toml", epochs=1, seeds=2, dataset="digits")
>>> result.summary            # StudySummary (typed; summary.json)
>>> result.report()           # the report, inline in Jupyter (else its path)
>>> result.plot("accuracy")   # a matplotlib Figure ("accuracy" or "curves")

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
        ensembles,
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
    "ensembles",
    "learning_curve_table",
    "list_studies",
    "plot_study",
    "run_biasvar",
    "run_learning_curve",
    "run_spec",
    "run_study",
    "with_overrides",
]

_BIASVAR: tuple[str, ...] = ("BIASVAR_TECHNIQUES", "DEFAULT_STRENGTHS", "BiasVariancePoint")
_BIASVAR += ("BiasVarianceProgress", "BiasVarianceResult", "run_biasvar")
_CURVE = ("LearningCurveResult", "learning_curve_table", "run_learning_curve")
_WHERE = {name: "reglab.api.biasvar" for name in _BIASVAR}
_WHERE |= {name: "reglab.api.learning_curve" for name in _CURVE}
_WHERE |= {n: "reglab.api.diff" for n in ("ArmDiff", "StudyDiff", "diff_studies")}
_WHERE |= {n: "reglab.api.listing" for n in ("StudyEntry", "list_studies")}
_WHERE |= {n: "reglab.api.overrides" for n in ("Overrides", "dataset_from_file")}
_WHERE |= {n: "reglab.api.plots" for n in ("PlotKind", "plot_study")}
_WHERE |= {name: "reglab.api.study" for name in __all__ if name not in _WHERE}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
