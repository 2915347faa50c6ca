"""Make examples/data/cancer.npz: a real, small dataset in the NPZ form `reglab data add` reads.

The Wisconsin diagnostic breast cancer data (569 tumours, 30 measurements from digitised
images, malignant 0 / benign 1), as bundled with scikit-learn, standardised per feature
(z-scores over all 569) and saved as ``x_train`` float32 [569, 30] and ``y_train`` int64
[569]; reglab carves the test split when the file is added::

    python examples/make_cancer_npz.py        # writes examples/data/cancer.npz
    reglab data add cancer examples/data/cancer.npz
    reglab run examples/user_data.toml
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer


def main() -> None:
    bunch = load_breast_cancer()
    x = (bunch.data - bunch.data.mean(0)) / bunch.data.std(0)  # [569, 30]
    out = Path(__file__).parent / "data" / "cancer.npz"
    out.parent.mkdir(exist_ok=True)
    np.savez_compressed(out, x_train=x.astype(np.float32), y_train=bunch.target.astype(np.int64))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
