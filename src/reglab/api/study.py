"""Run a study or the classic comparison from Python, and get results to tabulate and plot.

    >>> import reglab
    >>> result = reglab.compare(arms=["none", "dropout=0.5"], seeds=5, epochs=10)
    >>> result.table()            # arm, n, mean, CI, delta vs baseline, p, verdict
    >>> result.epochs             # per-run, per-epoch records (pandas)
    >>> result = reglab.run_study("examples/ablation.toml", out="runs/ablation")
    >>> result = reglab.run_study("examples/sweeps.toml", epochs=1, seeds=2)  # overrides
    >>> result.report()           # inline in Jupyter; result.plot("curves") -> a Figure

The same code path serves ``reglab compare`` and ``reglab run``: a spec is built (from
arguments or a TOML file), trained pack by pack (resumable), summarized with paired
statistics and reported (report.html, report.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from reglab.analysis.results import StudySummary
from reglab.analysis.summary import (
    SUMMARY_FILE,
    comparisons_table,
    load_summary,
    summary_is_current,
    write_summary,
)
from reglab.api.overrides import Overrides, dataset_from_file
from reglab.data import check_name
from reglab.engine import set_threads
from reglab.store import StudyDir, inside, slug, spec_identity
from reglab.study import (
    Executor,
    Progress,
    RichProgress,
    StudyExperiment,
    StudySpec,
    load_spec,
    make_progress,
    run_plan,
)
from reglab.study.executors import ExecutorKind, make_executor

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from reglab.analysis.ensemble import ArmEnsemble
    from reglab.api.plots import PlotKind

__all__ = [
    "StudyResult",
    "classic_spec",
    "compare",
    "compare_spec",
    "default_out",
    "ensembles",
    "run_spec",
    "run_study",
    "with_overrides",
]


@dataclass(frozen=True)
class StudyResult:
    """A finished study: its directory, typed summary (summary.json) and record tables.

    >>> result.summary.arm("dropout=0.5").vs_baseline.verdict
    >>> result.report()              # shows the report inline in Jupyter; else its path
    >>> result.plot("curves")        # a matplotlib Figure
    """

    directory: Path
    summary: StudySummary

    @property
    def runs(self) -> pd.DataFrame:
        return StudyDir(self.directory).runs()

    @property
    def epochs(self) -> pd.DataFrame:
        return StudyDir(self.directory).epochs()

    def table(self) -> pd.DataFrame:
        """One row per arm: mean test accuracy, gap, delta vs baseline, CI, p, verdict."""
        return comparisons_table(self.summary)

    @property
    def report_path(self) -> Path:
        return self.directory / "report.html"

    def report(self) -> Any:
        """Write the report if it is missing, then show it inline when running in Jupyter
        (an IPython HTML display object); elsewhere return its path."""
        if not self.report_path.is_file():
            from reglab.report import write_report

            write_report(self.directory)
        try:
            from IPython import get_ipython
            from IPython.display import HTML
        except ImportError:
            return self.report_path
        shell = get_ipython()
        if shell is None or "IPKernelApp" not in getattr(shell, "config", {}):
            return self.report_path
        # an iframe keeps the report's styles off the notebook; its figures are inline PNGs
        page = html.escape(self.report_path.read_text(encoding="utf-8"), quote=True)
        frame = '<iframe srcdoc="{}" style="width:100%;height:900px;border:0"></iframe>'
        return HTML(frame.format(page))

    def plot(self, kind: PlotKind = "accuracy") -> Figure:
        """A main figure as a matplotlib Figure: ``accuracy`` (mean test accuracy with 95%
        CIs per arm) or ``curves`` (validation accuracy per epoch per arm)."""
        from reglab.api.plots import plot_study

        return plot_study(self.summary, self.epochs, kind)

    def ensembles(self) -> list[ArmEnsemble]:
        """Each arm's seed ensemble (mean test probabilities of its seeds) with accuracy,
        NLL and ECE, beside its members' mean (reglab.analysis.ensemble)."""
        return ensembles(self.directory)


def ensembles(directory: str | Path) -> list[ArmEnsemble]:
    """The seed ensembles of the finished study in ``directory``, one per arm::

    >>> [(e.arm, e.k, e.ensemble.acc, e.members.acc) for e in ensembles("runs/quickstart")]
    """
    from reglab.analysis.ensemble import study_ensembles

    return study_ensembles(StudyDir(directory))


def run_study(
    spec: StudySpec | str | Path,
    out: str | Path | None = None,
    *,
    overrides: Overrides | None = None,
    arms: str | Sequence[str] | None = None,
    baseline: str | None = None,
    seeds: int | Sequence[int] | None = None,
    epochs: int | None = None,
    dataset: str | None = None,
    data: str | Path | None = None,
    device: str | None = None,
    batch_size: int | None = None,
    hidden: Sequence[int] | None = None,
    train_subset: int | None = None,
    label_noise: float | None = None,
    margin: float | None = None,
    allow_large: bool | None = None,
    threads: int | None = None,
    quiet: bool = False,
    progress: Progress | None = None,
    report: bool = True,
    executor: ExecutorKind | Executor = "local",
    address: str | None = None,
    workers: int | None = None,
) -> StudyResult:
    """Train (or resume) a study, then write summary.json, comparisons.csv and the report.

        >>> run_study("examples/sweeps.toml", epochs=1, seeds=2, dataset="digits")

    The keywords override the spec (as ``reglab run``'s options do; see :class:`Overrides`);
    ``data`` is a user data file to add and train on; ``threads`` sets torch's CPU threads
    (default: :func:`reglab.engine.default_threads`).

    ``executor``: ``"local"`` (this process), ``"ray"`` (a Ray cluster at ``address``, or a
    local Ray when None, with ``workers`` actors; needs ``pip install 'reglab[ray]'``), or an
    executor object to use as it is.
    """
    if not isinstance(spec, StudySpec):
        spec = load_spec(spec)
    given = Overrides(
        arms=arms if arms is None or isinstance(arms, str) else tuple(arms),
        baseline=baseline,
        seeds=seeds if seeds is None or isinstance(seeds, int) else tuple(seeds),
        epochs=epochs,
        dataset=dataset_from_file(data) if data is not None else dataset,
        device=device,
        batch_size=batch_size,
        hidden=None if hidden is None else tuple(hidden),
        train_subset=train_subset,
        label_noise=label_noise,
        margin=margin,
        allow_large=allow_large,
    )
    spec = merge(overrides, given).apply(spec)
    return run_spec(
        spec,
        out,
        threads=threads,
        progress=progress or make_progress(quiet),
        report=report,
        executor=executor,
        address=address,
        workers=workers,
    )


def run_spec(
    spec: StudySpec,
    out: str | Path | None,
    *,
    threads: int | None = None,
    progress: Progress,
    report: bool = True,
    executor: ExecutorKind | Executor = "local",
    address: str | None = None,
    workers: int | None = None,
) -> StudyResult:
    """Run ``spec`` as given (no overrides) in ``out`` (default: :func:`default_out`); its
    packs train where ``executor`` says (see :func:`run_study`)."""
    directory = Path(out) if out is not None else default_out(spec)
    set_threads(threads)
    try:
        with make_executor(executor, address, workers=workers, note=progress.note) as chosen:
            store = run_plan(StudyExperiment(spec), directory, progress, chosen).store
    finally:
        if isinstance(progress, RichProgress):
            progress.close()  # also after an error or Ctrl-C: give the terminal back
    # A finished study run again writes nothing (it may sit on a read-only disk).
    current = load_summary(store) if summary_is_current(store) else None
    if current is not None and current.margin != spec.analysis.margin:
        current = None  # another equivalence margin: the analysis is redone (no retraining)
    summary = current if current is not None else write_summary(store, margin=spec.analysis.margin)
    page = directory / "report.html"
    fresh = (
        page.exists() and page.stat().st_mtime_ns >= (directory / SUMMARY_FILE).stat().st_mtime_ns
    )
    if report and not (current is not None and fresh):
        from reglab.report import write_report

        write_report(directory)
    return StudyResult(directory, summary)


def classic_spec(dataset: str = "mnist", val_size: int | None = None) -> StudySpec:
    """The notebook's experiment (MLP 512 ReLU, Adam 1e-3, batch 32, 10 epochs, 5 seeds,
    none vs dropout=0.5) on ``dataset``; :class:`Overrides` change the rest."""
    check_name(dataset)
    data: dict[str, Any] = {"name": dataset}  # val_size: the spec's one default rule
    data |= {"val_size": val_size} if val_size is not None else {}
    return StudySpec.from_dict(
        {
            "name": "compare",  # a generic name: default_out names the folder by arms
            "arms": ["none", "dropout=0.5"],
            "seeds": 5,
            "data": data,
            "model": {"hidden": [512]},
            "optimizer": {"lr": 1e-3},
            "train": {"epochs": 10, "batch_size": 32, "device": "auto"},
        },
        where="the compare options",
    )


def compare_spec(
    arms: str | Sequence[str] = ("none", "dropout=0.5"),
    *,
    seeds: int = 5,
    epochs: int = 10,
    dataset: str = "mnist",
    device: str = "auto",
    batch_size: int = 32,
    hidden: Sequence[int] = (512,),
    lr: float = 1e-3,
    val_size: int | None = None,
    train_subset: int | None = None,
    label_noise: float | None = None,
    baseline: str | None = None,
    margin: float | None = None,
    allow_large: bool = False,
    tf32: bool = False,
) -> StudySpec:
    """The classic notebook experiment as a spec (MNIST, MLP 512 ReLU, Adam 1e-3, batch 32)."""
    return Overrides(
        arms=arms if isinstance(arms, str) else tuple(arms),
        baseline=baseline,
        seeds=seeds,
        epochs=epochs,
        device=device,
        batch_size=batch_size,
        hidden=tuple(hidden),
        train_subset=train_subset,
        label_noise=label_noise,
        lr=lr,
        margin=margin,
        allow_large=allow_large or None,
        tf32=tf32 or None,
    ).apply(classic_spec(dataset, val_size), where="the compare options")


def compare(
    arms: str | Sequence[str] = ("none", "dropout=0.5"),
    *,
    seeds: int = 5,
    epochs: int = 10,
    dataset: str = "mnist",
    data: str | Path | None = None,
    device: str = "auto",
    batch_size: int = 32,
    hidden: Sequence[int] = (512,),
    lr: float = 1e-3,
    val_size: int | None = None,
    train_subset: int | None = None,
    label_noise: float | None = None,
    baseline: str | None = None,
    margin: float | None = None,
    allow_large: bool = False,
    out: str | Path | None = None,
    threads: int | None = None,
    quiet: bool = False,
    progress: Progress | None = None,
    executor: ExecutorKind | Executor = "local",
    address: str | None = None,
    workers: int | None = None,
) -> StudyResult:
    """Run the classic comparison over ``seeds`` seeds (``data``: a user data file to add
    and use instead of ``dataset``); see :func:`compare_spec` for the options and
    :func:`run_study` for ``executor``, ``address`` and ``workers``."""
    spec = compare_spec(
        arms,
        seeds=seeds,
        epochs=epochs,
        dataset=dataset_from_file(data) if data is not None else dataset,
        device=device,
        batch_size=batch_size,
        hidden=hidden,
        lr=lr,
        val_size=val_size,
        train_subset=train_subset,
        label_noise=label_noise,
        baseline=baseline,
        margin=margin,
        allow_large=allow_large,
    )
    return run_spec(
        spec,
        out,
        threads=threads,
        progress=progress or make_progress(quiet),
        executor=executor,
        address=address,
        workers=workers,
    )


def merge(first: Overrides | None, then: Overrides) -> Overrides:
    """``first`` with every field ``then`` sets (not None) replaced by ``then``'s."""
    if first is None:
        return then
    changes = {f.name: getattr(then, f.name) for f in dataclasses.fields(then)}
    return dataclasses.replace(first, **{k: v for k, v in changes.items() if v is not None})


def default_out(spec: StudySpec, root: str | Path = "runs") -> Path:
    """``runs/<name or arms>-<dataset>``, readable; the same spec maps to the same folder
    (so running it again resumes). A short suffix (from the spec's identity) is added only
    when that folder already holds a different study. Names are slugified
    (:func:`reglab.store.slug`), so a folder never leaves ``root``::

        >>> default_out(compare_spec("none,dropout=0.5", dataset="digits"))
        PosixPath('runs/none_dropout=0.5-digits')
    """
    root = Path(root)
    label = "_".join(spec.all_arms) if spec.name in _GENERIC_NAMES else spec.name
    base = f"{slug(label)}-{slug(spec.data.name, 'data')}"
    folder = inside(root, base)
    if _free_or_same(folder, spec):
        return folder
    identity = json.dumps(spec_identity(spec.to_dict()), sort_keys=True)
    return inside(root, f"{base}-{hashlib.sha256(identity.encode()).hexdigest()[:6]}")


_GENERIC_NAMES = ("study", "compare")


def _free_or_same(folder: Path, spec: StudySpec) -> bool:
    """True when ``folder`` is new or empty, or holds this very spec (a resume)."""
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return True
    try:
        saved = tomllib.loads((folder / "spec.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return spec_identity(saved) == spec_identity(spec.to_dict())


def with_overrides(spec: StudySpec, **changes: Any) -> StudySpec:
    """A spec with CLI overrides applied (None keeps the spec's value): :class:`Overrides`."""
    return Overrides(**changes).apply(spec)
