"""Section "Calibration": test NLL and expected calibration error per arm, with MC dropout
(``[eval] mc_samples``) and each arm's seed ensemble where the study has them.

Shown for classification studies whose runs measured ECE (studies made before that have no
such column and get no section). The numbers are means over seeds, described, not tested::

    >>> calibration_table(load_inputs("runs/quickstart")).headers
    ['arm', 'test acc', 'NLL', 'ECE', 'ensemble (k) acc', 'ensemble NLL', 'ensemble ECE']
"""

from __future__ import annotations

from reglab.analysis.ensemble import ArmEnsemble, study_ensembles
from reglab.analysis.results import Described
from reglab.errors import StudyError
from reglab.report import numbers
from reglab.report.blocks import Paragraph, Section, Table
from reglab.report.inputs import ReportInputs
from reglab.store import StudyDir

__all__ = ["calibration_table", "section"]


def section(inputs: ReportInputs) -> Section | None:
    """The section, or None for a study without calibration measurements."""
    if inputs.summary is None or inputs.summary.metric != "test_acc":
        return None
    if all(a.test_ece.mean is None for a in inputs.arms):
        return None
    text = (
        "NLL: mean negative log-likelihood of the test labels (the test loss); ECE: expected "
        "calibration error over 15 equal-width confidence bins (Guo et al. 2017; 0 is "
        "perfectly calibrated). Means over each arm's seeds; no test compares them here."
    )
    if any(a.test_acc_mc.mean is not None for a in inputs.arms):
        text += (
            f" MC: dropout kept on at test time, softmax averaged over "
            f"{_mc_samples(inputs)} passes (arms with dropout only)."
        )
    if _ensembles(inputs):
        text += " Ensemble: the mean class probabilities of the arm's k seeds, as one model."
    return Section("Calibration", "calibration", [calibration_table(inputs), Paragraph(text)])


def calibration_table(inputs: ReportInputs) -> Table:
    """One row per arm: accuracy, NLL, ECE; then MC dropout's and the ensemble's if any."""
    mc = any(a.test_acc_mc.mean is not None for a in inputs.arms)
    ensembles = {e.arm: e for e in _ensembles(inputs)}
    headers = ["arm", "test acc", "NLL", "ECE"]
    headers += ["MC acc", "MC NLL", "MC ECE"] if mc else []
    headers += ["ensemble (k) acc", "ensemble NLL", "ensemble ECE"] if ensembles else []
    rows = []
    for arm in inputs.arms:
        row = [arm.name, numbers.pct(arm.test_acc.mean), _num(arm.test_loss), _num(arm.test_ece)]
        if mc:
            row += [numbers.pct(arm.test_acc_mc.mean), _num(arm.test_nll_mc), _num(arm.test_ece_mc)]
        if ensembles:
            row += _ensemble_cells(ensembles.get(arm.name))
        rows.append(row)
    return Table(headers, rows, frozenset(range(1, len(headers))))


def _ensemble_cells(e: ArmEnsemble | None) -> list[str]:
    if e is None:
        return ["n/a"] * 3
    s = e.ensemble
    return [f"{numbers.pct(s.acc)} ({e.k})", f"{s.nll:.3f}", f"{s.ece:.3f}"]


def _num(d: Described) -> str:
    return "n/a" if d.mean is None else f"{d.mean:.3f}"


def _ensembles(inputs: ReportInputs) -> list[ArmEnsemble]:
    """Seed ensembles of arms with at least 2 finished seeds (none for older studies)."""
    try:
        found = study_ensembles(StudyDir(inputs.root), [a.name for a in inputs.arms])
    except StudyError:
        return []
    return [e for e in found if e.k >= 2]


def _mc_samples(inputs: ReportInputs) -> object:
    return (inputs.spec.get("eval") or {}).get("mc_samples", "?")
