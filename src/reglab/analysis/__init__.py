"""Analysis: statistics over seeds and bias–variance decompositions (pure numpy/scipy).

>>> from reglab.analysis import paired_comparison, with_holm, decompose_01
"""

from __future__ import annotations

from reglab.analysis.biasvar import (
    BiasVariance01,
    BiasVarianceSquared,
    decompose_01,
    decompose_squared,
    empirical_squared_loss,
)
from reglab.analysis.power import min_detectable_effect, paired_t_power, seeds_needed
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
    with_holm,
)

__all__ = [
    "MIN_SEEDS",
    "VERDICTS",
    "BiasVariance01",
    "BiasVarianceSquared",
    "McNemarResult",
    "PairedComparison",
    "Summary",
    "Verdict",
    "decide",
    "decompose_01",
    "decompose_squared",
    "describe",
    "empirical_squared_loss",
    "holm",
    "mcnemar",
    "min_detectable_effect",
    "paired_comparison",
    "paired_t_power",
    "seeds_needed",
    "with_holm",
]
