"""Demo 8: memorization (Zhang et al. 2017): a network fits random labels, explicit
regularizers slow that down but do not prevent it, and the test accuracy stays at chance.

Two ordinary studies with the same arms, seeds and images: ``DIR/random/`` with every
training and validation label replaced by a random class (``[data] label_noise = 1``), and
``DIR/true/`` with the true labels as the reference. Train accuracy is measured each epoch in
evaluation mode on the (random) training labels, so it is the share memorized.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from reglab.analysis.results import StudySummary
from reglab.analysis.stats import paired_t
from reglab.demos.base import Check, Demo, DemoContext, digits_spec, setting_line
from reglab.demos.claims import paired_test
from reglab.demos.tables import markdown_table
from reglab.report import numbers
from reglab.report.plotting import OKABE_ITO, new_figure
from reglab.store import StudyDir
from reglab.study import StudySpec

__all__ = ["MEMORIZATION"]

ARMS = ["none", "dropout=0.5", "l2=1e-3", "wd=0.1"]
COLOURS = {"none": "black", "dropout=0.5": "blue", "l2=1e-3": "vermillion", "wd=0.1": "green"}
FIT = 0.90  # "fits the labels": train accuracy above this
CHANCE = 0.10  # ten classes


def _body(ctx: DemoContext) -> tuple[str, str, list[Path], list[Check]]:
    epochs = ctx.size(200, 30)
    true_spec = digits_spec(
        "demo-memorization-true",
        ARMS,
        ctx,
        seeds=ctx.size(5, 3),
        epochs=epochs,
        hidden=(512,),
        train_subset=ctx.size(500, 200),
        batch_size=ctx.size(32, 10),
        optimizer={"lr": ctx.size(1e-3, 3e-3)},
    )
    random_spec = _random_labels(true_spec)
    random, true = ctx.study("random", random_spec), ctx.study("true", true_spec)
    curves = {a: _train_curves(ctx.out / "random", a) for a in ARMS}  # [S, E] each
    true_curves = {a: _train_curves(ctx.out / "true", a) for a in ARMS}
    mid = epochs // 4  # "epoch E": where the unregularized run is partway through
    rows = [_row(a, "random", curves[a], random, mid) for a in ARMS]
    rows += [_row(a, "true", true_curves[a], true, mid) for a in ARMS]
    header = ["arm", "labels", f"train acc, epoch {mid}", f"train acc, epoch {epochs}"]
    header += [f"epochs to {FIT:.0%} train acc", "test acc [95% CI]"]
    body = markdown_table(header, rows)
    body += f"\n{_changed(ctx.out / 'random')} In the figure the dotted line is chance and "
    body += f"the dashed one epoch {mid}.\n"
    checks = _checks(curves, true_curves, random, true, mid)
    figure = ctx.figure("memorization", _plot(curves, true_curves, mid))
    setting = (
        f"{setting_line(true_spec)}; random labels (label_noise 1, label_seed 0) vs the same "
        "images with their true labels"
    )
    return setting, body, [figure], checks


def _random_labels(spec: StudySpec) -> StudySpec:
    data = dataclasses.replace(spec.data, label_noise=1.0)
    return dataclasses.replace(spec, name="demo-memorization-random", data=data)


def _train_curves(directory: Path, arm: str) -> np.ndarray:
    """Train accuracy per epoch of each seed of ``arm``: [seeds, epochs], rows by seed."""
    records = [r for r in StudyDir(directory).epoch_records() if r.arm == arm]
    seeds = sorted({r.seed for r in records})
    out = np.full((len(seeds), max(r.epoch for r in records)), np.nan)
    for r in records:
        out[seeds.index(r.seed), r.epoch - 1] = r.train_acc
    return out


def _epochs_to_fit(curves: np.ndarray) -> str:
    """Mean first epoch with train accuracy >= FIT, over the seeds that reach it."""
    reached = curves >= FIT  # [S, E]
    hit = reached.any(axis=1)
    if not hit.any():
        return f"not within {curves.shape[1]}"
    first = reached.argmax(axis=1)[hit] + 1
    return f"{first.mean():.0f} ({hit.sum()}/{curves.shape[0]} seeds)"


def _row(arm: str, labels: str, curves: np.ndarray, s: StudySummary, mid: int) -> list[str]:
    a = s.arm(arm)
    return [
        f"`{arm}`",
        labels,
        numbers.pct(np.nanmean(curves[:, mid - 1]), 1),
        numbers.pct(np.nanmean(curves[:, -1]), 1),
        _epochs_to_fit(curves),
        f"{numbers.pct(a.test_acc.mean)} {numbers.interval_pct(a.test_acc.ci95)}",
    ]


def _changed(directory: Path) -> str:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    data = manifest["dataset"]
    changed = data["labels_changed"]
    return (
        f"With random labels {changed['train_changed']} of {data['train']} training labels "
        f"and {changed['val_changed']} of {data['val']} validation labels differ from the "
        "true ones (a random class is the true one a tenth of the time); the test labels are "
        "the true ones."
    )


def _chance_band(n_test: int) -> tuple[float, float]:
    """Where a classifier that ignores the image lands on ``n_test`` images (95%)."""
    half = 1.96 * math.sqrt(CHANCE * (1 - CHANCE) / n_test)
    return CHANCE - half, CHANCE + half


def _checks(
    curves: dict[str, np.ndarray],
    true_curves: dict[str, np.ndarray],
    random: StudySummary,
    true: StudySummary,
    mid: int,
) -> list[Check]:
    end = {a: float(np.nanmean(c[:, -1])) for a, c in curves.items()}
    lo, hi = _chance_band(_n_test(random))
    tests = {a: random.arm(a).test_acc for a in ARMS}
    checks = [
        Check(
            f"Without regularization the network fits random labels (train accuracy > {FIT:.0%})",
            end["none"] > FIT,
            f"{numbers.pct(end['none'], 1)} at the last epoch, mean of "
            f"{curves['none'].shape[0]} seeds",
        ),
        Check(
            "Test accuracy with random labels is at chance (10%) for every arm: each mean "
            "within the 95% band of a classifier that ignores the image",
            all(lo <= (t.mean or 0.0) <= hi for t in tests.values()),
            f"band [{100 * lo:.1f}, {100 * hi:.1f}]%; "
            + ", ".join(f"{a} {numbers.pct(t.mean, 1)}" for a, t in tests.items()),
        ),
    ]
    checks += [_slows(arm, curves, mid) for arm in ARMS[1:]]
    regs = ARMS[1:]
    checks += [
        Check(
            f"... but no regularizer prevents it: each ends above {FIT:.0%} train accuracy",
            all(end[a] > FIT for a in regs),
            ", ".join(f"{a} {numbers.pct(end[a], 1)}" for a in regs),
        ),
        _reference(curves["none"], true_curves["none"], true),
    ]
    return checks


def _slows(arm: str, curves: dict[str, np.ndarray], mid: int) -> Check:
    """Lower train accuracy than none at epoch ``mid``: the paired 95% CI below 0."""
    diff = curves[arm][:, mid - 1] - curves["none"][:, mid - 1]  # [S] paired by seed
    _, (lo, hi) = paired_t(diff) if np.std(diff) > 0 else (1.0, (diff[0], diff[0]))
    return Check(
        f"{arm} slows memorization: lower train accuracy than none at epoch {mid}",
        hi < 0,
        f"Δ {numbers.pp(diff.mean())} {numbers.interval_pp((lo, hi))}, paired over seeds",
    )


def _reference(random: np.ndarray, true: np.ndarray, summary: StudySummary) -> Check:
    """True labels: fitted sooner (paired t-test over seeds of the first epoch at FIT; a
    seed that never gets there counts as one epoch past the last), and the test accuracy
    far above chance (a threshold on the mean over seeds)."""
    first_random, first_true = _first_fit(random), _first_fit(true)
    test = summary.arm("none").test_acc
    sooner = paired_test(_first_fits(true), _first_fits(random))  # rows: the same seeds
    return Check(
        f"With true labels the same network reaches {FIT:.0%} train accuracy sooner and "
        "generalizes (test accuracy above 80%)",
        sooner.shows("lower") and (test.mean or 0.0) > 0.8,
        f"epoch {first_true:.0f} vs {first_random:.0f} with random labels (mean over seeds; "
        f"{sooner.text()}), test {numbers.pct(test.mean, 1)} (mean of {summary.arm('none').n})",
    )


def _first_fits(curves: np.ndarray) -> np.ndarray:
    """Per seed, the first epoch with train accuracy >= FIT, E + 1 where it never is: [S]."""
    epochs = np.arange(1, curves.shape[1] + 1)  # [E]
    return np.where(curves >= FIT, epochs, curves.shape[1] + 1).min(axis=1).astype(float)


def _first_fit(curves: np.ndarray) -> float:
    """Mean over seeds of the first epoch with train accuracy >= FIT (inf if one never does)."""
    epochs = np.arange(1, curves.shape[1] + 1)  # [E]
    return float(np.where(curves >= FIT, epochs, np.inf).min(axis=1).mean())


def _n_test(summary: StudySummary) -> int:
    return int(summary.dataset.get("test", 297))


def _plot(curves: dict[str, np.ndarray], true: dict[str, np.ndarray], mid: int) -> Figure:
    fig = new_figure(7, 2.8)
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, group, title in ((left, curves, "random labels"), (right, true, "true labels")):
        for arm, c in group.items():
            x = np.arange(1, c.shape[1] + 1)
            ax.plot(x, np.nanmean(c, axis=0) * 100, color=OKABE_ITO[COLOURS[arm]], label=arm)
        ax.axhline(100 * CHANCE, color=OKABE_ITO["grey"], lw=0.8, ls=":")
        ax.axvline(mid, color=OKABE_ITO["grey"], lw=0.8, ls="--")
        ax.set(xlabel="epoch", title=title)
    left.set_ylabel("train accuracy % (mean over seeds)")
    left.legend(frameon=False, fontsize=8)
    return fig


MEMORIZATION = Demo(
    number=8,
    name="memorization",
    title="Memorization: random labels are fitted; regularizers slow it, do not prevent it",
    summary="500 digits images with random vs true labels, 200 epochs: none, dropout, l2, wd.",
    cpu_seconds=70,
    body=_body,
)
