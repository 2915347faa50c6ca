"""Section "Bias and variance": the test error decomposed over a technique's strength.

From biasvar.json (``reglab biasvar``); in a study's report when the folder holds one, and
the whole report of a bias–variance folder alone (with its own setup table)::

    >>> [s.title for s in sections(json.loads(Path("runs/bv/biasvar.json").read_text()))]
    ['Setup and provenance', 'Bias and variance']
"""

from __future__ import annotations

from typing import Any

from reglab.report.blocks import Block, Image, Paragraph, Section, Table
from reglab.report.numbers import NA, finite, pct, seconds
from reglab.report.plotting import OKABE_ITO, new_figure, num, png, strength_axis, strength_label
from reglab.report.sections.setup import options

__all__ = [
    "biasvar_curve",
    "biasvar_note",
    "biasvar_table",
    "lead",
    "lowest_sentence",
    "sections",
    "setup_table",
]


def sections(biasvar: dict[str, Any], with_setup: bool = True) -> list[Section]:
    """The bias–variance section (and its setup, for a bias–variance folder alone)."""
    image = Image(
        "bias_variance",
        biasvar_curve(biasvar),
        "Expected test loss, bias and variance against the technique's strength (log scale, "
        "0 = technique off).",
    )
    blocks: list[Block] = [image, biasvar_table(biasvar)]
    blocks += [Paragraph(t) for t in biasvar_note(biasvar) if t]
    if not with_setup:
        blocks.append(setup_table(biasvar))
        return [Section("Bias and variance", "biasvar", blocks)]
    setup = Section("Setup and provenance", "setup", [setup_table(biasvar)])
    return [setup, Section("Bias and variance", "biasvar", blocks)]


def lead(bv: dict[str, Any]) -> tuple[str, str]:
    """The title and the one-paragraph answer of a bias–variance folder's report."""
    title = f"reglab report: bias and variance of {bv.get('technique', '?')} on {bv.get('dataset', '?')}"
    text = (
        f"Bias and variance of the test error of {bv.get('rounds', '?')} bootstrap-trained models "
        f"per strength ({bv.get('epochs', '?')} epochs each): {lowest_sentence(bv)}"
    )
    return title, text


def biasvar_note(biasvar: dict[str, Any]) -> list[str]:
    """The measured ends, the lowest loss with its bootstrap uncertainty, negative net
    variance, the tie rule; the definition last (the CLI prints all but it)."""
    points = sorted(
        (p for p in biasvar["points"] if finite(p.get("loss")) is not None),
        key=lambda p: p["strength"],
    )
    if not points:
        return ["No strength had two finished rounds: nothing could be decomposed."]
    first, last = points[0], points[-1]
    out = [
        f"From strength {first['strength']:g} to {last['strength']:g} (one decomposition "
        f"each, no interval), the bias goes from {first['bias']:.4f} to {last['bias']:.4f} "
        f"and the variance from {first['variance']:.4f} to {last['variance']:.4f}.",
        lowest_sentence(biasvar),
    ]
    negative = [p for p in points if (finite(p.get("net_variance")) or 0.0) < 0]
    if negative:
        shown = ", ".join(f"{p['strength']:g} ({p['net_variance']:+.4f})" for p in negative)
        out.append(
            f"Net variance (unbiased − biased, Domingos 2000) is negative at strength {shown}: "
            "there the models' disagreement falls mostly on examples whose main prediction "
            "is wrong, so variance lowers the 0-1 loss on balance."
        )
    proba = [p for p in points if finite(p.get("proba_loss")) is not None]
    if proba:
        shown = "; ".join(
            f"{p['strength']:g}: {p['proba_loss']:.4f} = {p['proba_bias_sq']:.4f} + "
            f"{p['proba_variance']:.4f}"
            for p in proba
        )
        out.append(
            "On the class probabilities (squared loss against the one-hot label, the Brier "
            f"score summed over classes; loss = bias² + variance exactly), by strength: {shown}."
        )
    if biasvar.get("task") != "regression":
        rounds = biasvar.get("rounds")
        odd = isinstance(rounds, int) and rounds % 2 == 1
        out.append(
            f"Main prediction: the per-example mode of the {rounds} rounds; "
            f"{biasvar.get('tie_rule', 'ties go to the smallest class index')}"
            + (
                " (an odd number of rounds rules out a tie between two classes; three or more voted classes can still tie)."
                if odd
                else "."
            )
        )
    return [*out, str(biasvar.get("definition", ""))]


def lowest_sentence(biasvar: dict[str, Any]) -> str:
    """'lowest at strength X' with its bootstrap share and whether it is separable."""
    low = biasvar.get("lowest_loss")
    technique = biasvar.get("technique", "")
    if not isinstance(low, dict):
        return "No lowest loss is stated: fewer than 2 rounds finished at every strength."
    text = (
        f"The expected test loss is lowest at {technique} strength {low['strength']:g} in "
        f"these rounds, and in {100 * low['share']:.0f}% of {low['resamples']} bootstrap "
        f"resamples of the {low['rounds']} rounds (resampled together at every strength)"
    )
    if low.get("runner_up") is None:
        return text + "."
    ci = [finite(v) for v in low.get("diff_ci95", (None, None))]
    shown = NA if None in ci else f"[{ci[0]:+.4f}, {ci[1]:+.4f}]"
    if low.get("separable"):
        return text + (
            f"; the runner-up, strength {low['runner_up']:g}, is higher by a 95% bootstrap "
            f"interval of {shown}."
        )
    return text + (
        f"; it is not separable from strength {low['runner_up']:g}: the 95% bootstrap "
        f"interval of their difference, {shown}, includes 0."
    )


def biasvar_table(biasvar: dict[str, Any]) -> Table:
    """Strength, arm, loss, bias, variance (and noise or test accuracy), rounds used."""
    regression = biasvar.get("task") == "regression"
    last = "noise" if regression else "test acc"
    headers = [
        "strength",
        "arm",
        "loss",
        "bias²" if regression else "bias",
        "variance",
        "net variance",
        last,
        "rounds",
    ]
    rows = []
    keys = ("loss", "bias", "variance", "net_variance")
    for p in sorted(biasvar["points"], key=lambda p: p["strength"]):
        shown = [NA if finite(p.get(k)) is None else f"{p[k]:.4f}" for k in keys]
        shown.append(f"{p.get('noise', NA)}" if regression else pct(p.get("test_acc")))
        rows.append(
            [f"{p['strength']:g}", str(p.get("arm", "")), *shown, str(p.get("rounds_used", NA))]
        )
    return Table(headers, rows, frozenset({0, 2, 3, 4, 5, 6, 7}))


def setup_table(biasvar: dict[str, Any]) -> Table:
    """Provenance of a bias–variance run, from the metadata of biasvar.json."""
    keys = ("dataset", "dataset_checksum", "task", "technique", "strengths", "rounds", "epochs")
    rows = [[k, str(biasvar[k])] for k in keys if k in biasvar]
    for k in ("model", "optimizer", "data"):
        if isinstance(biasvar.get(k), dict):
            rows.append([k, options(biasvar[k])])
    for k in ("batch_size", "device", "seeds", "reglab_version"):
        if k in biasvar:
            rows.append([k, str(biasvar[k])])
    if "train_seconds" in biasvar:
        rows.append(["training time (all models)", seconds(biasvar["train_seconds"])])
    return Table(["setting", "value"], rows)


def biasvar_curve(biasvar: dict[str, Any]) -> bytes:
    """Loss, bias and variance of the test error against the technique's strength."""
    points = sorted(biasvar["points"], key=lambda p: p["strength"])
    axis = strength_axis([float(p["strength"]) for p in points])
    regression = biasvar.get("task") == "regression"
    fig = new_figure(6.5, 3.8)
    ax = fig.subplots()
    series = [
        ("loss", "expected loss", OKABE_ITO["black"], "o"),
        ("bias", "bias²" if regression else "bias", OKABE_ITO["blue"], "s"),
        ("variance", "variance", OKABE_ITO["orange"], "^"),
    ]
    if regression:
        series.append(("noise", "noise", OKABE_ITO["grey"], "x"))
    for key, label, colour, marker in series:
        ax.plot(axis.x, [num(p.get(key)) for p in points], marker=marker, color=colour, label=label)
    axis.apply(ax, strength_label(str(biasvar.get("technique", "technique"))))
    what = "squared error" if regression else "0-1 loss (error rate)"
    ax.set_ylabel(f"test {what}")
    ax.set_title(
        f"bias–variance over {biasvar.get('rounds', '?')} bootstrap rounds "
        f"({biasvar.get('dataset', '?')})",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    # Beside the axes, not over the curves (they cross, so no corner stays free).
    fig.legend(frameon=False, loc="outside right upper")
    return png(fig)
