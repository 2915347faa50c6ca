"""Analysis: statistics over seeds and bias–variance decompositions (pure numpy/scipy).

>>> from reglab.analysis import paired_comparison, with_holm, decompose_01
>>> from reglab.analysis import StudySummary  # a study's typed results (analysis.results)
>>> from reglab.analysis import choose, tost_paired

docs/statistics.md says what each test assumes and which variance it covers.

Names are imported on first use (:mod:`reglab._lazy`): reading ``StudySummary`` does not
import scipy.optimize or the bias-variance code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reglab._lazy import lazy_exports

if TYPE_CHECKING:
    from reglab.analysis.biasvar import (
        DEFAULT_ROUNDS,
        TIE_RULE,
        BiasVariance01,
        BiasVarianceSquared,
        decompose_01,
        decompose_probabilities,
        decompose_squared,
        empirical_squared_loss,
    )
    from reglab.analysis.effects import (
        d_av,
        d_z,
        paired_bootstrap_ci,
        probability_of_improvement,
    )
    from reglab.analysis.equivalence import (
        DEFAULT_MARGIN,
        EQUIVALENCE_VERDICTS,
        Equivalence,
        tost_paired,
    )
    from reglab.analysis.nonparametric import (
        mcnemar_per_seed,
        sign_flip_p,
        wilcoxon_min_p,
        wilcoxon_p,
    )
    from reglab.analysis.power import (
        family_level,
        min_detectable_effect,
        paired_t_power,
        seeds_needed,
    )
    from reglab.analysis.results import ArmRun, ArmSummary, Comparison, Described, StudySummary
    from reglab.analysis.selection import ArmStanding, Selection, Standing, choose
    from reglab.analysis.stats import (
        MIN_SEEDS,
        VERDICTS,
        McNemarResult,
        PairedComparison,
        Summary,
        Verdict,
        decide,
        describe,
        holm,
        mcnemar,
        paired_comparison,
        too_few_seeds,
        with_holm,
    )

__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_ROUNDS",
    "EQUIVALENCE_VERDICTS",
    "MIN_SEEDS",
    "TIE_RULE",
    "VERDICTS",
    "ArmRun",
    "ArmStanding",
    "ArmSummary",
    "BiasVariance01",
    "BiasVarianceSquared",
    "Comparison",
    "Described",
    "Equivalence",
    "McNemarResult",
    "PairedComparison",
    "Selection",
    "Standing",
    "StudySummary",
    "Summary",
    "Verdict",
    "choose",
    "d_av",
    "d_z",
    "decide",
    "decompose_01",
    "decompose_probabilities",
    "decompose_squared",
    "describe",
    "empirical_squared_loss",
    "family_level",
    "holm",
    "mcnemar",
    "mcnemar_per_seed",
    "min_detectable_effect",
    "paired_bootstrap_ci",
    "paired_comparison",
    "paired_t_power",
    "probability_of_improvement",
    "seeds_needed",
    "sign_flip_p",
    "too_few_seeds",
    "tost_paired",
    "wilcoxon_min_p",
    "wilcoxon_p",
    "with_holm",
]

_MODULES = {
    "biasvar": (
        "DEFAULT_ROUNDS",
        "TIE_RULE",
        "BiasVariance01",
        "BiasVarianceSquared",
        "decompose_01",
        "decompose_probabilities",
        "decompose_squared",
        "empirical_squared_loss",
    ),
    "effects": ("d_av", "d_z", "paired_bootstrap_ci", "probability_of_improvement"),
    "equivalence": ("DEFAULT_MARGIN", "EQUIVALENCE_VERDICTS", "Equivalence", "tost_paired"),
    "nonparametric": ("mcnemar_per_seed", "sign_flip_p", "wilcoxon_min_p", "wilcoxon_p"),
    "power": ("family_level", "min_detectable_effect", "paired_t_power", "seeds_needed"),
    "results": ("ArmRun", "ArmSummary", "Comparison", "Described", "StudySummary"),
    "selection": ("ArmStanding", "Selection", "Standing", "choose"),
    "stats": (
        "MIN_SEEDS",
        "VERDICTS",
        "McNemarResult",
        "PairedComparison",
        "Summary",
        "Verdict",
        "decide",
        "describe",
        "holm",
        "mcnemar",
        "paired_comparison",
        "too_few_seeds",
        "with_holm",
    ),
}
_WHERE = {name: f"reglab.analysis.{module}" for module, names in _MODULES.items() for name in names}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
