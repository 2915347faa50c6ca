"""Experiment kinds: each turns its typed spec into a plan of packs and its records into its
result (study: ``study.py``; bias–variance: ``biasvar.py``; learning curve: ``learning_curve.py``)."""

from reglab.study.experiments.base import Experiment
from reglab.study.experiments.study import StudyExperiment

__all__ = ["Experiment", "StudyExperiment"]
