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

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from reglab.analysis.comparison import (
    Comparison,
    Equivalent,
    Interval,
    Paired,
    SummaryVerdict,
    _interval,
    _j,
)
from reglab.analysis.equivalence import DEFAULT_MARGIN
from reglab.analysis.stats import Summary

__all__ = [
    "CALIBRATION",
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
CALIBRATION = ("test_ece", "test_acc_mc", "test_nll_mc", "test_ece_mc")
# described too, optional in summary.json (absent in older ones): ECE, and MC dropout's
# accuracy, NLL and ECE where [eval] mc_samples is on (test_loss is the plain NLL)


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
    test_ece: Described = Described()  # CALIBRATION: all None where not measured
    test_acc_mc: Described = Described()
    test_nll_mc: Described = Described()
    test_ece_mc: Described = Described()

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
        out.update({m: getattr(self, m).to_json() for m in CALIBRATION})
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
            **{m: Described.from_json(data.get(m) or {}) for m in CALIBRATION},
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
