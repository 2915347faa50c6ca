"""Results on disk: atomic writes and the study directory layout."""

from reglab.atomic import write_json, write_npz, write_text, write_torch
from reglab.store.study_dir import StudyDir, spec_identity

__all__ = ["StudyDir", "spec_identity", "write_json", "write_npz", "write_text", "write_torch"]
