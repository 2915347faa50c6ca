"""A learning curve's report: accuracy, gap and the edge over the baseline against the number
of training examples, per arm, with 95% CIs over seeds (each size is its own study).

    >>> title, lead = curve_lead(load_curve("runs/lc"))
    >>> [s.title for s in curve_sections(load_curve("runs/lc"))]
    ['Setup', 'Accuracy and gap by training-set size', 'Edge over the baseline', 'Table']
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from reglab.analysis.results import ArmSummary
from reglab.report.blocks import Bullets, Image, Paragraph, Section, Table
from reglab.report.curve import CurveInputs
from reglab.report.numbers import (
    DIFFERENCE,
    SHARE,
    clip_interval,
    interval_pct,
    interval_pp,
    p_value,
    pct,
    plain_pp,
    pp,
)
from reglab.report.plotting import OKABE_ITO, new_figure, num, png, share_limits

__all__ = ["accuracy_and_gap_by_size", "curve_lead", "curve_sections", "delta_by_size"]

_ARM_COLOURS = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky")]


def curve_lead(curve: CurveInputs) -> tuple[str, str]:
    """The report's title and its one-paragraph answer (the largest size's comparisons)."""
    name = curve.spec.get("name") or curve.root.name
    sizes, big = curve.sizes, curve.largest
    base = big.arm(curve.baseline)
    parts = [
        f"On {big.dataset_name or 'the data'}, {len(curve.arms)} arms at {len(sizes)} "
        f"training-set sizes ({_sizes(sizes)}), {big.n_seeds} paired seeds each.",
        f"At n={sizes[-1]:,} the baseline {base.name} reaches {pct(base.test_acc.mean)} test "
        f"accuracy (95% CI {interval_pct(base.test_acc.ci95)})"
        + (
            f", from {pct(_acc(curve, sizes[0], base.name))} at n={sizes[0]:,}."
            if len(sizes) > 1
            else "."
        ),
    ]
    for arm in big.others:
        vs = arm.vs_baseline
        if vs is not None:
            parts.append(
                f"{arm.name} vs {base.name} at n={sizes[-1]:,}: {pp(vs.delta)} "
                f"(95% CI {interval_pp(vs.ci95)}, Holm p={p_value(vs.p_holm)}), {vs.verdict}."
            )
    return f"reglab learning curve: {name}", " ".join(parts)


def curve_sections(curve: CurveInputs) -> list[Section]:
    """Setup, the accuracy-and-gap figure, the edge over the baseline, the full table."""
    out = [_setup(curve)]
    out.append(
        Section(
            "Accuracy and gap by training-set size",
            "by-size",
            [
                Image(
                    "accuracy_and_gap_by_size",
                    accuracy_and_gap_by_size(curve),
                    "Test accuracy and generalization gap (clean train − test accuracy) per "
                    "arm against the number of training examples (log scale): mean and 95% CI "
                    "over seeds (CIs clipped to valid values).",
                )
            ],
        )
    )
    delta = delta_by_size(curve)
    if delta is not None:
        out.append(
            Section(
                "Edge over the baseline",
                "edge",
                [
                    Image(
                        "delta_by_size",
                        delta,
                        f"Test accuracy minus {curve.baseline}'s, paired by seed, at each size: "
                        "mean and 95% CI; filled markers: detectably different (Holm-corrected "
                        "within the size).",
                    ),
                    *map(Paragraph, _edge_notes(curve)),
                ],
            )
        )
    out.append(Section("Table", "table", [_table(curve)]))
    return out


def _setup(curve: CurveInputs) -> Section:
    big = curve.largest
    rows = [
        ["dataset", big.dataset_name or "n/a"],
        ["training-set sizes", _sizes(curve.sizes)],
        ["arms", ", ".join(curve.arms)],
        ["baseline", curve.baseline],
        ["seeds per arm and size", str(big.n_seeds)],
        ["studies", ", ".join(f"n-{n}/" for n in curve.sizes)],
    ]
    blocks: list[Paragraph | Table | Bullets] = [Table(["setting", "value"], rows)]
    blocks.append(
        Paragraph(
            "Each size is an ordinary study of the same spec on a fixed, nested, class-balanced "
            "subset of the training set; its folder holds its runs and summary "
            "(reglab report on that folder writes the size's full report)."
        )
    )
    if curve.pending:
        blocks.append(
            Paragraph(
                f"Not finished yet (left out): n={', '.join(map(str, curve.pending))}; running "
                "the same `reglab learning-curve` command again resumes them."
            )
        )
    return Section("Setup", "setup", list(blocks))


def _table(curve: CurveInputs) -> Table:
    rows = []
    for size in curve.sizes:
        for arm in curve.summaries[size].arms:
            vs = arm.vs_baseline
            rows.append(
                [
                    f"{size:,}",
                    arm.name,
                    str(arm.n),
                    f"{pct(arm.test_acc.mean)} {interval_pct(arm.test_acc.ci95)}",
                    f"{plain_pp(arm.gap.mean)} {interval_pp(arm.gap.ci95, signed=False)}",
                    "—" if vs is None else f"{pp(vs.delta)} {interval_pp(vs.ci95)}",
                    "—" if vs is None else p_value(vs.p_holm),
                    "baseline" if vs is None else vs.verdict,
                ]
            )
    headers = ["size", "arm", "n", "test acc [95% CI]", "gap [95% CI]", "Δ vs baseline [95% CI]"]
    return Table([*headers, "p (Holm)", "verdict"], rows, numeric=frozenset({0, 2, 3, 4, 5, 6}))


def _edge_notes(curve: CurveInputs) -> list[str]:
    """Per arm: where its edge over the baseline is detectable, if anywhere."""
    out = []
    for name in curve.arms:
        if name == curve.baseline:
            continue
        found = [
            (n, a.vs_baseline.verdict)
            for n in curve.sizes
            if (a := curve.arm_at(n, name)) is not None
            and a.vs_baseline is not None
            and a.vs_baseline.verdict in ("better", "worse")
        ]
        where = "; ".join(f"{v} at n={n:,}" for n, v in found) or "at no size"
        out.append(f"{name} differs detectably from {curve.baseline}: {where}.")
    return out


# ---- figures ---------------------------------------------------------------------------------
def accuracy_and_gap_by_size(curve: CurveInputs) -> bytes:
    """Two panels against size (log x): test accuracy (%) and gap (pp), one line per arm."""
    fig = new_figure(10.0, 3.9)
    left, right = fig.subplots(1, 2)
    for ax, metric, label, valid in (
        (left, "test_acc", "test accuracy (%)", SHARE),
        (right, "gap", "generalization gap (pp)", DIFFERENCE),
    ):
        for i, name in enumerate(curve.arms):
            _arm_line(ax, curve, name, i, metric, valid)
        _size_axis(ax, curve.sizes)
        ax.set_ylabel(label)
    share_limits(left, "y")
    left.set_title("test accuracy", fontsize=10)
    right.set_title("train − test accuracy", fontsize=10)
    fig.legend(
        *left.get_legend_handles_labels(),
        loc="outside upper center",
        ncols=min(4, len(curve.arms)),
        frameon=False,
    )
    return png(fig)


def delta_by_size(curve: CurveInputs) -> bytes | None:
    """Each arm's paired difference from the baseline against size; None with one arm."""
    others = [name for name in curve.arms if name != curve.baseline]
    if not others:
        return None
    fig = new_figure(7.0, 3.6)
    ax = fig.subplots()
    ax.axhline(0, color=OKABE_ITO["black"], lw=0.8)
    for i, name in enumerate(others, 1):
        pts = [
            (n, a.vs_baseline)
            for n in curve.sizes
            if (a := curve.arm_at(n, name)) and a.vs_baseline
        ]
        x = _offset([n for n, _ in pts], i, len(curve.arms))
        mean = np.array([num(vs.delta) for _, vs in pts]) * 100
        bounds = [clip_interval(vs.ci95, DIFFERENCE) for _, vs in pts]
        err = _yerr(mean, bounds)
        colour = _colour(curve, name, i)
        ax.errorbar(x, mean, yerr=err, color=colour, capsize=3, label=name, marker="none")
        filled = [vs.verdict in ("better", "worse") for _, vs in pts]
        for xi, yi, f in zip(x, mean, filled, strict=True):
            ax.plot(xi, yi, "o", color=colour, mfc=colour if f else "white", zorder=3)
    _size_axis(ax, curve.sizes)
    ax.set_ylabel(f"Δ test accuracy vs {curve.baseline} (pp)")
    fig.legend(loc="outside upper center", ncols=min(4, len(others)), frameon=False)
    return png(fig)


def _arm_line(
    ax: Axes, curve: CurveInputs, name: str, i: int, metric: str, valid: tuple[float, float]
) -> None:
    """One arm's mean over sizes with its clipped 95% CI as error bars."""
    pts = [(n, a.stat(metric)) for n in curve.sizes if (a := curve.arm_at(n, name)) is not None]
    x = _offset([n for n, _ in pts], i, len(curve.arms))
    mean = np.array([num(s.mean) for _, s in pts]) * 100
    err = _yerr(mean, [clip_interval(s.ci95, valid) for _, s in pts])
    ax.errorbar(
        x, mean, yerr=err, color=_colour(curve, name, i), marker="o", ms=4, capsize=3, label=name
    )


def _yerr(mean: np.ndarray, bounds: list[tuple[float | None, float | None]]) -> np.ndarray:
    """Error-bar lengths (2 x K, percent) from clipped bounds; a missing bound draws none."""
    lo = np.array([num(b[0]) for b in bounds]) * 100
    hi = np.array([num(b[1]) for b in bounds]) * 100
    return np.nan_to_num(np.vstack([mean - lo, hi - mean]).clip(min=0))


def _size_axis(ax: Axes, sizes: tuple[int, ...]) -> None:
    """Log x with the curve's sizes as its ticks (no minor ticks: they are not sizes)."""
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [f"{n:,}" for n in sizes])
    ax.minorticks_off()
    lo, hi = sizes[0], sizes[-1]
    pad = 1.25 if hi > lo else 2.0
    ax.set_xlim(lo / pad, hi * pad)
    ax.set_xlabel("training examples (log scale)")
    ax.grid(alpha=0.3)


def _offset(sizes: list[int], i: int, count: int) -> list[float]:
    """Arms side by side around each size (a few % apart on the log axis), so CIs don't hide."""
    shift = 10 ** (0.02 * (i - (count - 1) / 2))
    return [n * shift for n in sizes]


def _colour(curve: CurveInputs, name: str, i: int) -> str:
    return OKABE_ITO["black"] if name == curve.baseline else _ARM_COLOURS[i % len(_ARM_COLOURS)]


def _acc(curve: CurveInputs, size: int, arm: str) -> float | None:
    a: ArmSummary | None = curve.arm_at(size, arm)
    return None if a is None else a.test_acc.mean


def _sizes(sizes: tuple[int, ...]) -> str:
    return ", ".join(f"{n:,}" for n in sizes)
