"""Studies: specs, plans of packs, experiment kinds, the one runner, executors, progress.

spec.py          StudySpec (TOML), typed arms and sweeps
plan.py          PlannedRun / PlannedPack (runs grouped into packs)
experiments/     one module per experiment kind: spec -> plan, records -> result
executors/       PackJob -> PackOutcome; in-process (local.py), more beside it
runner.py        run_plan: claim, resume, checkpoints, OOM halving, manifest, progress
"""

from reglab.study.executors import (
    Executor,
    JobEvents,
    LocalExecutor,
    PackJob,
    PackOutcome,
    PackSetup,
)
from reglab.study.experiments import Experiment, StudyExperiment
from reglab.study.plan import PlannedPack, PlannedRun, plan_study
from reglab.study.progress import (
    LogProgress,
    Outlook,
    Progress,
    QuietProgress,
    RichProgress,
    make_progress,
)
from reglab.study.runner import Ran, run_plan, run_study_packs
from reglab.study.spec import StudySpec, Sweep, load_spec

__all__ = [
    "Executor",
    "Experiment",
    "JobEvents",
    "LocalExecutor",
    "LogProgress",
    "Outlook",
    "PackJob",
    "PackOutcome",
    "PackSetup",
    "PlannedPack",
    "PlannedRun",
    "Progress",
    "QuietProgress",
    "Ran",
    "RichProgress",
    "StudyExperiment",
    "StudySpec",
    "Sweep",
    "load_spec",
    "make_progress",
    "plan_study",
    "run_plan",
    "run_study_packs",
]
