"""Results on disk: atomic writes, the study directory layout, typed run and epoch records."""

from reglab.atomic import write_json, write_npz, write_text, write_torch
from reglab.store.names import inside, slug
from reglab.store.records import EpochRecord, RunRecord, Techniques
from reglab.store.study_dir import StudyDir, spec_identity

__all__ = [
    "EpochRecord",
    "RunRecord",
    "StudyDir",
    "Techniques",
    "inside",
    "slug",
    "spec_identity",
    "write_json",
    "write_npz",
    "write_text",
    "write_torch",
]
