"""docs/guide.md: each homework question, answered in our own words and by a measurement.

The guide is generated: :func:`write_guide` runs (or resumes) every demo, then writes the
Markdown with each demo's tables, checked claims and figures (copied next to the guide, in
``<guide dir>/<guide stem>/``). ``reglab demo --all --guide docs/guide.md`` calls it::

    >>> write_guide(Path("docs/guide.md"), {d.name: run_demo(d.name) for d in DEMOS})
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reglab.atomic import write_text
from reglab.demos.base import DemoResult, duration
from reglab.demos.registry import DEMOS

__all__ = ["QUESTIONS", "Question", "write_guide"]


@dataclass(frozen=True)
class Question:
    """A homework question: our short answer, and the demos that measure it."""

    title: str
    answer: str
    demos: tuple[str, ...]
    missing: str = ""


QUESTIONS: tuple[Question, ...] = (
    Question(
        "What is regularization, and why does it matter?",
        "A network with many more weights than training examples can fit its training set "
        "exactly, noise included, and then does worse on images it has not seen. "
        "Regularization is anything that makes such a fit harder or less attractive: a "
        "penalty on the size of the weights (L1, L2), a limit on them (max-norm, weight "
        "decay), noise during training (Dropout), a shorter training (early stopping). "
        "Whether it *matters* is an empirical question about a given model and data set: "
        "one run per arm (the homework's 98.07% vs 97.97%) cannot answer it, because two "
        "seeds of the same arm differ by about as much. Below, each arm runs on several "
        "paired seeds and the difference comes with its 95% interval and a Holm-adjusted test. "
        "The Dropout paper's own MNIST setup (Srivastava et al. 2014: max-norm, SGD with a "
        "momentum ramp and a decaying learning rate) is the second demo, at CPU size.",
        ("homework", "srivastava"),
    ),
    Question(
        "The bias–variance trade-off, and how regularization moves it",
        "Train the same model on many resamples of the training set: the *bias* is how often "
        "the majority vote of those models is wrong, the *variance* how often a single model "
        "disagrees with that vote (0-1 loss, Domingos 2000). A stronger penalty should make "
        "the models simpler and more alike — more bias, less variance — with the test error "
        "lowest somewhere in between. The 0-1 split has a catch: once a penalty is strong "
        "enough to underfit, the rounds' majority votes become unstable and the 0-1 "
        "variance rises again, while the spread of the predicted probabilities (the "
        "squared-loss split of the same runs) keeps falling. The demo reports both.",
        ("biasvar",),
    ),
    Question(
        "L1 vs L2",
        "L1 adds l1·Σ|w| to the loss: its gradient has the same size for every non-zero "
        "weight, so weights that the data does not need are pushed all the way to (about) "
        "zero — sparsity, a built-in feature selection. L2 adds l2·Σw²: its gradient is "
        "proportional to the weight, so every weight shrinks by a fraction and few become "
        "exactly small. Under Adam an L2 penalty is not the same as weight decay (the "
        "penalty's gradient is rescaled per weight; decay is not), which the second demo "
        "measures.",
        ("sparsity", "adam-decay"),
    ),
    Question(
        "Regularization and generalization",
        "Generalization is measured here as the train–test accuracy gap, both measured "
        "cleanly (evaluation mode, no dropout, no penalty). The less data, the larger the gap "
        "and the more room a regularizer has; with enough data the gain should shrink or "
        "vanish. The learning curve below tests exactly that. Memorization is the extreme "
        "case: with random labels there is nothing to generalize, yet the network fits them.",
        ("homework", "memorization"),
    ),
    Question(
        "Dropout in training vs inference",
        "During training Dropout zeroes each hidden unit with probability p and (inverted "
        "dropout) scales the survivors by 1/(1−p), so at inference the full network is used "
        "unchanged and its expected activations match training's. The alternative, "
        "Monte-Carlo dropout, keeps the masks on at test time and averages many passes, "
        "which approximates an ensemble. A seed ensemble averages networks trained from "
        "different seeds. Accuracy is not the whole story: how well the predicted "
        "probabilities match the outcomes is measured by the NLL and the expected "
        "calibration error (ECE).",
        ("inference",),
    ),
    Question(
        "Early stopping",
        "Watch a validation loss (from a split of the training data, never the test set); "
        "stop when it has not improved for `patience` epochs and restore the weights of the "
        "best epoch. It limits how far the optimizer can move from the initial weights, "
        "which acts like a penalty, and it saves time.",
        ("early-stopping",),
    ),
    Question(
        "Batch Normalization as a regularizer",
        "Batch Norm standardizes each hidden unit over the minibatch, then rescales it. It "
        "mainly makes optimization easier (faster, less sensitive to the learning rate); the "
        "minibatch statistics add noise, which is often said to regularize. Its interplay "
        "with Dropout (which changes the variance BN has estimated) is measured too.",
        ("batchnorm",),
    ),
    Question(
        "How to choose a technique",
        "Let the data decide, within a budget: little data and a large model call for "
        "strong regularization; much data for little. Check bias vs variance first (a large "
        "train–test gap is variance: regularize; low train accuracy is bias: do not). L1 "
        "when sparse, interpretable weights matter. Early stopping whenever training time "
        "matters. And measure the cost: the table below puts each technique's gain next to "
        "its training time.",
        ("budget",),
    ),
)


def write_guide(path: Path, results: Mapping[str, DemoResult]) -> Path:
    """Write the guide to ``path`` from finished demo ``results`` (by demo name), copying
    their figures to ``path.parent / path.stem``; return ``path``."""
    figures = path.parent / path.stem
    figures.mkdir(parents=True, exist_ok=True)
    by_name = {d.name: d for d in DEMOS}
    parts, shown = [_HEAD], set()
    for number, q in enumerate(QUESTIONS, 1):
        parts.append(f"## {number}. {q.title}\n\n{q.answer}\n")
        if q.missing:
            parts.append(f"*{q.missing}*\n")
        for name in q.demos:
            if name not in results:
                parts.append(f"*Demo `{name}` was not run for this version of the guide.*\n")
                continue
            demo, result = by_name[name], results[name]
            if name in shown:  # measured once: later questions point back to it
                parts.append(f"*Measured by demo {demo.number} above ({demo.title}).*\n")
                continue
            shown.add(name)
            for f in result.figures:
                shutil.copyfile(f, figures / f"{name}-{f.name}")
            parts.append(
                f"### Demo {demo.number}: {demo.title} — `reglab demo {name}`\n\n"
                + result.markdown(figure_prefix=f"{path.stem}/{name}-")
                + f"\n*Trains in {duration(demo.cpu_seconds)} on 2 CPU cores (measured with nothing "
                f"else running); its studies and reports are in `runs/demos/{name}/`.*\n"
            )
    write_text(path, "\n".join(parts))
    return path


_HEAD = """# The guide: regularization questions, answered by measurements

*Generated by `reglab demo --all --guide docs/guide.md`; every number and figure below comes
from the demos' runs (each a normal reglab study folder under `runs/demos/`, with its
report). Do not edit by hand: change the demos (`src/reglab/demos/`) and regenerate.*

Most demos run on scikit-learn's digits (real 8×8 handwritten digits; 1,200 training, 300
validation, 297 test images) so that each finishes in minutes on 2 CPU cores; with 297 test
images one image is 0.34 pp, so read differences with their intervals. The homework's own
comparison (demo 1), the inference demo (3) and the Dropout paper's setup (9) run on MNIST
(a subset or few epochs, sized for the CPU). Each claim is stated the way textbooks state it,
and marked whether it held *in this setting*; several do not. `reglab demo --list` lists the
demos with their times on 2 CPU cores (all ten from scratch: about 9 min; no GPU was
available to time them). Demos are numbered as in issue 16.
"""
