"""Export a study to the tools users already have: TensorBoard event files.

reglab export tensorboard runs/quickstart && tensorboard --logdir runs/quickstart/tensorboard
"""

from reglab.export.tensorboard import TensorBoardExport, export_tensorboard, run_name

__all__ = ["TensorBoardExport", "export_tensorboard", "run_name"]
