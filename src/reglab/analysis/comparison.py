"""A paired comparison of an arm with the baseline, as summary.json holds it.

:class:`Comparison` (the verdict and what is shown beside it), :class:`Paired` (a paired test
of a secondary metric: gap, sparsity, time per step) and :class:`Equivalent` (TOST against
the study's margin); :mod:`reglab.analysis.results` re-exports them::

    >>> Comparison.untestable(0, "diverged").verdict
    'diverged'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from reglab.analysis.stats import McNemarResult, PairedComparison

__all__ = ["Comparison", "Equivalent", "Interval", "Paired", "SummaryVerdict"]

SummaryVerdict = Literal[
    "better", "worse", "no detectable difference", "too few seeds", "diverged"
]  # the statistics' verdicts, and "diverged": an arm without one finished run

Interval = tuple[float | None, float | None]


def _j(value: float | None) -> float | None:
    """A float as JSON holds it: None for None, NaN and infinity."""
    return None if value is None or not math.isfinite(value) else float(value)


def _interval(ci: Any) -> Interval:
    lo, hi = ci if ci else (None, None)
    return (lo, hi)


@dataclass(frozen=True)
class Paired:
    """A paired test of one secondary metric (gap, sparsity, time per step) against the
    baseline: ``delta`` = mean(arm - baseline) over the paired seeds, its t interval, the
    paired-t p and its Holm adjustment over the study's arms for THIS metric (one family per
    metric). ``verdict`` is "higher"/"lower" when p_holm < alpha, "no detectable difference"
    otherwise, "too few seeds" when no test is defined (``p_value`` None)."""

    n_pairs: int
    delta: float | None
    ci95: Interval
    p_value: float | None
    p_holm: float | None
    verdict: str

    @property
    def detected(self) -> bool:
        return self.verdict in ("higher", "lower")

    def to_json(self) -> dict[str, Any]:
        return {
            "n_pairs": self.n_pairs,
            "delta": _j(self.delta),
            "ci95": [_j(v) for v in self.ci95],
            "p_value": _j(self.p_value),
            "p_holm": _j(self.p_holm),
            "verdict": self.verdict,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Paired | None:
        if data is None:
            return None
        return cls(
            data["n_pairs"], data["delta"], _interval(data["ci95"]), data["p_value"],
            data["p_holm"], data["verdict"],
        )  # fmt: skip


@dataclass(frozen=True)
class Equivalent:
    """TOST of the arm against the baseline within ±``margin`` (metric units) at alpha:
    ``verdict`` "equivalent" only when both one-sided tests reject; ``ci`` is the
    (1 - 2 alpha) interval. Not Holm-adjusted (one TOST per arm, each at alpha)."""

    margin: float
    p_value: float | None
    ci: Interval
    verdict: str

    def to_json(self) -> dict[str, Any]:
        return {
            "margin": self.margin,
            "p_value": _j(self.p_value),
            "ci": [_j(v) for v in self.ci],
            "verdict": self.verdict,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Equivalent | None:
        if data is None:
            return None
        return cls(data["margin"], data["p_value"], _interval(data["ci"]), data["verdict"])


@dataclass(frozen=True)
class Comparison:
    """An arm against the baseline, paired by seed, on the study's metric (higher is better
    for accuracy, lower for a loss); the verdict uses ``p_holm``.

    ``verdict``: better / worse / no detectable difference (paired t, Holm), "too few
    seeds" (``too_few`` says why: fewer than 3 pairs or sd(d) 0; no p, interval or power)
    or "diverged" (the arm has no finished run). ``note`` says why no test ran at all.
    Beside the verdict, never deciding it: Wilcoxon (``p_wilcoxon``, Holm-adjusted
    ``p_wilcoxon_holm``, ``wilcoxon_can_reject`` at this n, ``disagree`` with the t
    verdict), the sign-flip randomization test ``p_sign_flip``, the seed-bootstrap
    ``boot_ci95``, ``prob_improvement`` (P(an arm run beats a baseline run)), ``d_av`` and
    ``cohen_dz`` (d_z: delta / sd of the differences, not on Cohen's scale), the power
    analysis at ``power_alpha`` (alpha / k) from the sample sd, and ``equivalence`` (TOST
    against the study's margin). ``gap``, ``sparsity`` and ``step_seconds`` are paired tests
    of those metrics, Holm-adjusted within each metric. ``mcnemar`` (pooled over seeds) is
    a description of one test set, not a test of the arms; it is None in new summaries.
    """

    n_pairs: int
    delta: float | None
    ci95: Interval
    p_value: float | None
    p_holm: float | None
    verdict: SummaryVerdict
    p_wilcoxon: float | None = None
    cohen_dz: float | None = None
    min_detectable_effect: float | None = None
    seeds_needed: int | None = None
    gap_delta: float | None = None
    mcnemar: McNemarResult | None = None
    note: str | None = None
    too_few: str | None = None
    p_wilcoxon_holm: float | None = None
    wilcoxon_min_p: float | None = None
    wilcoxon_can_reject: bool | None = None
    disagree: bool = False
    p_sign_flip: float | None = None
    boot_ci95: Interval = (None, None)
    prob_improvement: float | None = None
    d_av: float | None = None
    power_alpha: float | None = None
    sd_diff: float | None = None
    equivalence: Equivalent | None = None
    gap: Paired | None = None
    sparsity: Paired | None = None
    step_seconds: Paired | None = None

    @classmethod
    def paired(
        cls,
        comp: PairedComparison,
        gap_delta: float | None = None,
        mcnemar: McNemarResult | None = None,
        **extra: Any,
    ) -> Comparison:
        """From the statistics' PairedComparison (already Holm-adjusted) and the extras
        (``equivalence``, ``gap``, ``sparsity``, ``step_seconds``, a flipped ``verdict``)."""
        testable = comp.too_few is None
        fields_ = dict(
            n_pairs=comp.n, delta=_j(comp.delta), ci95=(_j(comp.ci95[0]), _j(comp.ci95[1])),
            p_value=_j(comp.p_value), p_holm=_j(comp.p_holm), verdict=comp.verdict,
            p_wilcoxon=_j(comp.p_wilcoxon), cohen_dz=_j(comp.cohen_dz),
            min_detectable_effect=_j(comp.min_detectable_effect),
            seeds_needed=comp.seeds_needed if testable else None,
            gap_delta=gap_delta, mcnemar=mcnemar, too_few=comp.too_few,
            p_wilcoxon_holm=_j(comp.p_wilcoxon_holm), wilcoxon_min_p=_j(comp.wilcoxon_min_p),
            wilcoxon_can_reject=comp.wilcoxon_can_reject if testable else None,
            disagree=comp.disagree, p_sign_flip=_j(comp.p_sign_flip),
            boot_ci95=(_j(comp.boot_ci95[0]), _j(comp.boot_ci95[1])),
            prob_improvement=_j(comp.prob_improvement), d_av=_j(comp.d_av),
            power_alpha=_j(comp.power_alpha) if testable else None, sd_diff=_j(comp.sd_diff),
        )  # fmt: skip
        fields_.update(extra)
        return cls(**fields_)  # type: ignore[arg-type]

    @classmethod
    def untestable(cls, n_pairs: int, verdict: SummaryVerdict = "too few seeds") -> Comparison:
        """No paired seed (or the arm diverged in every run): no statistic at all."""
        note = (
            "every run of this arm diverged: nothing to compare"
            if verdict == "diverged"
            else f"{n_pairs} seed{'s' * (n_pairs != 1)} finished in both arms: no test is possible"
        )
        return cls(n_pairs, None, (None, None), None, None, verdict, note=note)

    def to_json(self) -> dict[str, Any]:
        head = {
            "n_pairs": self.n_pairs,
            "delta": _j(self.delta),
            "ci95": [_j(v) for v in self.ci95],
            "p_value": _j(self.p_value),
            "p_holm": _j(self.p_holm),
        }
        if self.note is not None:
            return {**head, "verdict": self.verdict, "note": self.note}
        mc = self.mcnemar
        out = {
            **head,
            "p_wilcoxon": _j(self.p_wilcoxon),
            "cohen_dz": _j(self.cohen_dz),
            "verdict": self.verdict,
            "min_detectable_effect": _j(self.min_detectable_effect),
            "seeds_needed": self.seeds_needed,
            "gap_delta": _j(self.gap_delta),
            "mcnemar": None
            if mc is None
            else {"n01": mc.n01, "n10": mc.n10, "statistic": mc.statistic, "p_value": mc.p_value},
        }
        for name in _EXTRA_SCALARS:
            value = getattr(self, name)
            out[name] = _j(value) if isinstance(value, float) else value
        out["boot_ci95"] = [_j(v) for v in self.boot_ci95]
        for name in ("equivalence", "gap", "sparsity", "step_seconds"):
            value = getattr(self, name)
            out[name] = None if value is None else value.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Comparison:
        mc = data.get("mcnemar")
        return cls(
            n_pairs=data["n_pairs"],
            delta=data["delta"],
            ci95=_interval(data["ci95"]),
            p_value=data["p_value"],
            p_holm=data["p_holm"],
            verdict=data["verdict"],
            p_wilcoxon=data.get("p_wilcoxon"),
            cohen_dz=data.get("cohen_dz"),
            min_detectable_effect=data.get("min_detectable_effect"),
            seeds_needed=data.get("seeds_needed"),
            gap_delta=data.get("gap_delta"),
            mcnemar=None if mc is None else McNemarResult(**mc),
            note=data.get("note"),
            **{k: data.get(k, _DEFAULTS[k]) for k in _EXTRA_SCALARS},
            boot_ci95=_interval(data.get("boot_ci95")),
            equivalence=Equivalent.from_json(data.get("equivalence")),
            gap=Paired.from_json(data.get("gap")),
            sparsity=Paired.from_json(data.get("sparsity")),
            step_seconds=Paired.from_json(data.get("step_seconds")),
        )


_EXTRA_SCALARS = (
    "too_few",
    "p_wilcoxon_holm",
    "wilcoxon_min_p",
    "wilcoxon_can_reject",
    "disagree",
    "p_sign_flip",
    "prob_improvement",
    "d_av",
    "power_alpha",
    "sd_diff",
)  # Comparison's scalar fields beyond the DESIGN.md contract, in summary.json's order
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Comparison)}
