"""Seed ensembles: each arm's K seeds averaged into one classifier, against its members.

A study keeps every classification run's test class probabilities (``proba/<run_id>`` in
its packs, float16 [N_test, C]). The ensemble of an arm averages its finished seeds'
probabilities (Lakshminarayanan et al. 2017, "deep ensembles", without their adversarial
training); its accuracy, NLL and ECE are set beside the members' mean, computed from the
same stored probabilities, so the comparison is like for like::

    >>> for e in study_ensembles(StudyDir("runs/quickstart")):
    ...     print(e.arm, e.k, e.ensemble.acc, e.members.acc)

NLL floors probabilities at the smallest float16 above 0 (``FLOAT16_FLOOR``): a stored 0
counts as 6e-8, so a member's NLL here can differ slightly from runs.csv's test_loss
(computed from float32 logits) on confidently wrong examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from reglab.engine.calibration import FLOAT16_FLOOR, expected_calibration_error, nll
from reglab.errors import StudyError
from reglab.store import StudyDir

__all__ = ["ArmEnsemble", "Scores", "ensemble_scores", "study_ensembles"]


@dataclass(frozen=True)
class Scores:
    """Accuracy, mean negative log-likelihood and expected calibration error (15 bins)."""

    acc: float
    nll: float
    ece: float


@dataclass(frozen=True)
class ArmEnsemble:
    """One arm's seed ensemble (``k`` seeds) and its members' mean scores."""

    arm: str
    k: int
    ensemble: Scores
    members: Scores


def ensemble_scores(proba: np.ndarray, y: np.ndarray) -> tuple[Scores, Scores]:
    """(the ensemble's scores, the members' mean scores) for proba [K, N, C], labels y [N]."""
    p = torch.as_tensor(np.asarray(proba, dtype=np.float32))  # [K, N, C]
    labels = torch.as_tensor(np.asarray(y)).long()  # [N]
    mean = p.mean(0, keepdim=True)  # [1, N, C]
    return _scores(mean, labels).pop(), _mean(_scores(p, labels))


def study_ensembles(
    store: StudyDir, arms: Sequence[str] | None = None, *, mc: bool = False
) -> list[ArmEnsemble]:
    """Every arm's seed ensemble from a finished study directory (finished runs only).

    ``arms`` picks and orders them (default: the study's order); ``mc``: ensemble the
    members' MC-dropout probabilities instead (``[eval] mc_samples``; arms with dropout).
    Arms whose runs kept no probabilities are left out; a study where none did is refused
    with one clear error.
    """
    y = store.targets()
    proba = store.arrays("proba_mc" if mc else "proba")
    if y is None or not proba:
        raise StudyError(
            f"{str(store.root)!r} kept no test class probabilities"
            + (" with MC dropout ([eval] mc_samples = 0, or no arm drops)" if mc else "")
            + " (a regression study, or one made before reglab stored them): its seeds "
            "cannot be ensembled."
        )
    runs = [r for r in store.run_records() if r.status == "ok" and r.run_id in proba]
    order = list(arms) if arms is not None else list(dict.fromkeys(r.arm for r in runs))
    out = []
    for arm in order:
        members = sorted((r for r in runs if r.arm == arm), key=lambda r: r.seed)
        if members:
            stacked = np.stack([proba[r.run_id] for r in members])  # [K, N, C]
            ens, mean = ensemble_scores(stacked, y)
            out.append(ArmEnsemble(arm, len(members), ens, mean))
    return out


def _scores(p: torch.Tensor, y: torch.Tensor) -> list[Scores]:
    """One Scores per member of p [M, N, C]."""
    acc = (p.argmax(-1) == y).float().mean(1).tolist()
    loss = nll(p, y, floor=FLOAT16_FLOOR).tolist()
    ece = expected_calibration_error(p, y).tolist()
    return [Scores(a, n, e) for a, n, e in zip(acc, loss, ece, strict=True)]


def _mean(scores: list[Scores]) -> Scores:
    return Scores(
        float(np.mean([s.acc for s in scores])),
        float(np.mean([s.nll for s in scores])),
        float(np.mean([s.ece for s in scores])),
    )
