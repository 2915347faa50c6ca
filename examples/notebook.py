"""The notebook comparison from Python: run it, tabulate it, plot it.

python examples/notebook.py                 # MNIST, 5 seeds, 10 epochs (minutes on a CPU)
python examples/notebook.py --quick         # digits, 3 epochs (seconds)
"""

from __future__ import annotations

import sys

import reglab

quick = "--quick" in sys.argv
result = reglab.compare(
    arms=["none", "dropout=0.5"],
    seeds=5,
    epochs=3 if quick else 10,
    dataset="digits" if quick else "mnist",
    out="runs/notebook-quick" if quick else "runs/notebook",
)
print(result.table().to_string(index=False))

# Learning curves: mean validation accuracy per arm and epoch, over seeds.
curves = result.epochs.groupby(["arm", "epoch"])[["train_acc", "val_acc"]].mean()
print(curves.unstack("arm").round(4).to_string())
print(f"report: {result.report_path}")  # result.report() shows it inline in Jupyter
