"""Studies: specs, plans of packs, the resumable runner, progress."""

from reglab.study.plan import PlannedPack, PlannedRun, plan_study
from reglab.study.progress import LogProgress, Progress, QuietProgress, make_progress
from reglab.study.runner import run_study_packs
from reglab.study.spec import StudySpec, Sweep, load_spec

__all__ = [
    "LogProgress",
    "PlannedPack",
    "PlannedRun",
    "Progress",
    "QuietProgress",
    "StudySpec",
    "Sweep",
    "load_spec",
    "make_progress",
    "plan_study",
    "run_study_packs",
]
