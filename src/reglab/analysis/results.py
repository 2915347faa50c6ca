"""The typed results of a study: per-arm statistics and paired comparisons with the baseline.

These frozen dataclasses are what the CLI table, the report, the learning curve and the API
read; they become JSON here and nowhere else (``to_json`` / ``from_json``), and
:mod:`reglab.analysis.summary` builds them from a study directory and writes them to
summary.json and comparisons.csv::

    >>> summary = load_summary(StudyDir("runs/quickstart"))       # a StudySummary
    >>> [(a.name, a.vs_baseline.verdict) for a in summary.others]
    [('dropout=0.5', 'better')]
    >>> summary.arm("none").test_acc.ci95
    (0.9791, 0.9803)
    >>> StudySummary.from_json(summary.to_json()) == summary
    True

JSON has no inf or NaN: a non-finite statistic (d_z when every seed moved by the same
amount, a p-value where no test is defined) is written as null and reads back as None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from reglab.analysis.equivalence import DEFAULT_MARGIN
from reglab.analysis.stats import McNemarResult, PairedComparison, Summary

__all__ = [
    "DESCRIBED",
    "ArmRun",
    "ArmSummary",
    "Comparison",
    "Described",
    "Equivalent",
    "Paired",
    "StudySummary",
    "SummaryVerdict",
]

SummaryVerdict = Literal[
    "better", "worse", "no detectable difference", "too few seeds", "diverged"
]  # the statistics' verdicts, and "diverged": an arm without one finished run

DESCRIBED = (
    "test_acc",
    "test_loss",
    "train_acc",
    "gap",
    "loss_gap",
    "train_seconds",
    "best_epoch",
    "stop_epoch",
    "sparsity",
    "dead_units",
)  # the metrics every ArmSummary describes over seeds, in summary.json's order

Interval = tuple[float | None, float | None]


def _j(value: float | None) -> float | None:
    """A float as JSON holds it: None for None, NaN and infinity."""
    return None if value is None or not math.isfinite(value) else float(value)


def _interval(ci: Any) -> Interval:
    lo, hi = ci if ci else (None, None)
    return (lo, hi)


@dataclass(frozen=True)
class Described:
    """One metric of one arm over its seeds: mean, std (ddof=1), Student-t 95% interval.

    All None when no run of the arm has a finite value of the metric.
    """

    mean: float | None = None
    std: float | None = None
    ci95: Interval = (None, None)

    @classmethod
    def of(cls, summary: Summary) -> Described:
        """From the statistics' Summary; an undefined bound (n == 1) becomes None."""
        return cls(_j(summary.mean), _j(summary.std), (_j(summary.ci95[0]), _j(summary.ci95[1])))

    def to_json(self) -> dict[str, Any]:
        return {"mean": _j(self.mean), "std": _j(self.std), "ci95": [_j(v) for v in self.ci95]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Described:
        return cls(data.get("mean"), data.get("std"), _interval(data.get("ci95")))


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


@dataclass(frozen=True)
class ArmRun:
    """One run of an arm as the summary lists it (diverged runs included)."""

    seed: int
    status: str
    test_acc: float | None
    test_loss: float | None
    best_epoch: int
    stop_epoch: int
    train_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            k: _j(v) if isinstance(v, float) else v
            for k, v in ((f.name, getattr(self, f.name)) for f in fields(self))
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArmRun:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class ArmSummary:
    """One arm over its finished seeds: n, each metric of ``DESCRIBED``, the mean |w| norms
    per layer, its runs, and (not for the baseline) the comparison with the baseline."""

    name: str
    n: int
    n_diverged: int
    test_acc: Described
    test_loss: Described
    train_acc: Described
    gap: Described  # train_acc - test_acc, both measured clean
    loss_gap: Described  # test_loss - train_loss
    train_seconds: Described
    best_epoch: Described
    stop_epoch: Described
    sparsity: Described
    dead_units: Described
    weight_l1: tuple[float, ...] = ()
    weight_l2: tuple[float, ...] = ()
    runs: tuple[ArmRun, ...] = ()
    vs_baseline: Comparison | None = None
    time_vs_baseline: float | None = None
    step_seconds: Described = Described()  # per-run mean seconds per step, epoch 1 left out
    step_seconds_range: Interval = (None, None)  # min and max over those epochs and runs

    @property
    def diverged(self) -> bool:
        """True when every run of the arm diverged (n = 0): no statistic describes it."""
        return self.n == 0 and self.n_diverged > 0

    def stat(self, metric: str) -> Described:
        """The described metric by name (one of ``DESCRIBED``)."""
        if metric not in DESCRIBED:
            raise KeyError(f"{metric!r} is not one of {DESCRIBED}")
        value: Described = getattr(self, metric)
        return value

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "n": self.n, "n_diverged": self.n_diverged}
        out.update({m: self.stat(m).to_json() for m in DESCRIBED})
        out["weight_l1"] = [_j(v) for v in self.weight_l1]
        out["weight_l2"] = [_j(v) for v in self.weight_l2]
        out["runs"] = [r.to_json() for r in self.runs]
        if self.vs_baseline is not None:
            out["vs_baseline"] = self.vs_baseline.to_json()
        out["time_vs_baseline"] = _j(self.time_vs_baseline)
        out["step_seconds"] = self.step_seconds.to_json()
        out["step_seconds_range"] = [_j(v) for v in self.step_seconds_range]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArmSummary:
        vs = data.get("vs_baseline")
        return cls(
            name=data["name"],
            n=data["n"],
            n_diverged=data["n_diverged"],
            **{m: Described.from_json(data[m]) for m in DESCRIBED},
            weight_l1=tuple(data.get("weight_l1", ())),
            weight_l2=tuple(data.get("weight_l2", ())),
            runs=tuple(ArmRun.from_json(r) for r in data.get("runs", ())),
            vs_baseline=None if vs is None else Comparison.from_json(vs),
            time_vs_baseline=data.get("time_vs_baseline"),
            step_seconds=Described.from_json(data.get("step_seconds") or {}),
            step_seconds_range=_interval(data.get("step_seconds_range")),
        )


@dataclass(frozen=True)
class StudySummary:
    """A study's results: its arms in study order, the baseline, the test level, caveats.

    ``dataset`` is the manifest's record of the data (name, sizes, source, checksum).
    ``metric`` is what the verdicts compare: "test_acc" (higher is better) for
    classification, "test_loss" (test MSE, lower is better) for regression. ``margin`` is
    the equivalence margin in the metric's units (0.005 = 0.5 pp of accuracy).
    """

    baseline: str
    arms: tuple[ArmSummary, ...]
    alpha: float = 0.05
    metric: str = "test_acc"
    seeds: tuple[int, ...] | None = None
    dataset: dict[str, Any] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    margin: float = DEFAULT_MARGIN

    @property
    def higher_is_better(self) -> bool:
        return self.metric != "test_loss"

    @property
    def baseline_diverged(self) -> bool:
        """True when every baseline run diverged: no arm can be compared with it."""
        return self.arm(self.baseline).diverged

    def arm(self, name: str) -> ArmSummary:
        """The arm called ``name`` (KeyError when the study has none)."""
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise KeyError(f"no arm {name!r} in this study; its arms: {[a.name for a in self.arms]}")

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.arms]

    @property
    def others(self) -> list[ArmSummary]:
        """Every arm but the baseline, in study order."""
        return [a for a in self.arms if a.name != self.baseline]

    @property
    def n_seeds(self) -> int:
        """The paired seeds per arm (the smallest n over the arms that did not diverge)."""
        return min((a.n for a in self.arms if not a.diverged), default=0)

    @property
    def dataset_name(self) -> str | None:
        name = self.dataset.get("name")
        return None if name is None else str(name)

    def to_json(self) -> dict[str, Any]:
        """summary.json's content (DESIGN.md's contract: ``arms``, each with name, n,
        test_acc {mean, std, ci95} and, but the baseline, vs_baseline {delta, ci95,
        p_value, verdict})."""
        return {
            "dataset": self.dataset,
            "baseline": self.baseline,
            "alpha": self.alpha,
            "metric": self.metric,
            "margin": self.margin,
            "seeds": None if self.seeds is None else list(self.seeds),
            "arms": [a.to_json() for a in self.arms],
            "caveats": list(self.caveats),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StudySummary:
        seeds = data.get("seeds")
        return cls(
            baseline=data["baseline"],
            arms=tuple(ArmSummary.from_json(a) for a in data["arms"]),
            alpha=data.get("alpha", 0.05),
            metric=data.get("metric", "test_acc"),
            seeds=None if seeds is None else tuple(seeds),
            dataset=dict(data.get("dataset") or {}),
            caveats=tuple(data.get("caveats", ())),
            margin=data.get("margin", DEFAULT_MARGIN),
        )
