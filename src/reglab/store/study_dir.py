"""The study directory: every result of a study as files a user can open.

    DIR/spec.toml        the resolved spec (the study's identity; resume checks it)
    DIR/plan.json        runs grouped into packs (fixed at the first start)
    DIR/arms.json        the arms, parsed once: name, techniques, sweep origin (or null)
    DIR/manifest.json    versions, device, git revision, seeds, wall times per pack
    DIR/packs/pack-K.json, pack-K.npz   one finished pack: run and epoch records; test
                         predictions and weight histograms (npz, no pickles)
    DIR/checkpoints/pack-K.pt          the unfinished pack's state after its last epoch
    DIR/runs.csv, DIR/epochs.csv       one row per run / per run and epoch (all packs), the
                         typed records of ``reglab.store.records`` (serialized there only)
    DIR/summary.json, comparisons.csv, report.html, report.md   (analysis and report)

CSV was chosen over Parquet: it opens in anything and needs no extra dependency. Every file
is written atomically, and a pack's records land as one unit, so an interrupted study
resumes from its last finished pack and the last checkpoint of the pack it was in.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from reglab.atomic import write_json, write_npz, write_text, write_torch
from reglab.errors import StudyError
from reglab.store.records import (
    EpochRecord,
    RunRecord,
    read_epochs_csv,
    read_runs_csv,
    table_csv,
)

__all__ = ["StudyDir", "spec_identity"]


class StudyDir:
    """Paths and reads/writes of one study directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # ---- identity ----------------------------------------------------------------------
    @property
    def spec_path(self) -> Path:
        return self.root / "spec.toml"

    def claim(
        self,
        spec_toml: str,
        identity: dict[str, Any],
        spec_file: str = "spec.toml",
        kind: str = "study",
    ) -> bool:
        """Take the directory for this spec; True when it resumes the same study.

        ``identity`` is the part of the spec that must match to resume (not the device);
        ``spec_file`` the file that holds it and ``kind`` what to call the owner in errors
        (a learning curve claims its root with ``learning_curve_spec.toml``).
        """
        path = self.root / spec_file
        if path.exists():
            try:
                saved = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise StudyError(f"{str(path)!r} is corrupt ({err}).") from None
            if spec_identity(saved) != identity:
                what = "a different study" if kind == "study" else f"the {kind} of a different spec"
                raise StudyError(
                    f"{str(self.root)!r} holds {what} (its {spec_file} differs from this one). "
                    "Use another --out, or delete that directory to start over."
                )
            return True
        if self.root.exists() and any(self.root.iterdir()):
            raise StudyError(
                f"{str(self.root)!r} is not empty and holds no reglab {kind} (no {spec_file}). "
                "Choose an empty or new --out directory."
            )
        write_text(path, spec_toml)
        return False

    # ---- plan and manifest ----------------------------------------------------------------
    def read_json(self, name: str) -> Any:
        path = self.root / name
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise StudyError(f"{str(path)!r} is corrupt ({err}); delete it to rebuild.") from None

    def write_json(self, name: str, obj: Any) -> None:
        write_json(self.root / name, obj)

    # ---- packs ---------------------------------------------------------------------------
    def _pack(self, k: int, ext: str) -> Path:
        return self.root / "packs" / f"pack-{k:03d}.{ext}"

    def pack_done(self, k: int) -> bool:
        return self._pack(k, "json").exists() and self._pack(k, "npz").exists()

    def write_pack(
        self,
        k: int,
        runs: Sequence[RunRecord],
        epochs: Sequence[EpochRecord],
        arrays: Mapping[str, np.ndarray],
    ) -> None:
        """A finished pack: arrays first, records last (their presence marks it done)."""
        write_npz(self._pack(k, "npz"), **arrays)
        rows = {"runs": [r.to_row() for r in runs], "epochs": [e.to_row() for e in epochs]}
        write_json(self._pack(k, "json"), rows)
        self.checkpoint_path(k).unlink(missing_ok=True)

    def pack_records(self) -> tuple[list[RunRecord], list[EpochRecord]]:
        """Every finished pack's records, in pack order."""
        runs: list[RunRecord] = []
        epochs: list[EpochRecord] = []
        for path in sorted((self.root / "packs").glob("pack-*.json")):
            data = self.read_json(str(path.relative_to(self.root)))
            runs.extend(RunRecord.from_row(row) for row in data["runs"])
            epochs.extend(EpochRecord.from_row(row) for row in data["epochs"])
        return runs, epochs

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """One array per run id from every finished pack (e.g. 'pred', 'hist')."""
        out: dict[str, np.ndarray] = {}
        for path in sorted((self.root / "packs").glob("pack-*.npz")):
            with np.load(path, allow_pickle=False) as npz:
                prefix = f"{name}/"
                out.update({k[len(prefix) :]: npz[k] for k in npz.files if k.startswith(prefix)})
        return out

    def write_targets(self, y: np.ndarray) -> None:
        """The test targets, once, so per-example analyses (McNemar) need no dataset."""
        if not (self.root / "targets.npz").exists():
            write_npz(self.root / "targets.npz", y=y)

    def targets(self) -> np.ndarray | None:
        path = self.root / "targets.npz"
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as npz:
            return np.asarray(npz["y"])

    # ---- checkpoints ---------------------------------------------------------------------
    def checkpoint_path(self, k: int) -> Path:
        return self.root / "checkpoints" / f"pack-{k:03d}.pt"

    def save_checkpoint(self, k: int, state: dict[str, Any]) -> None:
        write_torch(self.checkpoint_path(k), state)

    def load_checkpoint(self, k: int) -> dict[str, Any] | None:
        path = self.checkpoint_path(k)
        if not path.exists():
            return None
        try:
            state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:  # a torn or foreign file: start that pack again
            path.unlink(missing_ok=True)
            raise StudyError(
                f"Checkpoint {str(path)!r} is unreadable ({err}); it was removed, "
                "run the same command again to redo that pack."
            ) from None
        return state

    # ---- tables --------------------------------------------------------------------------
    def write_tables(self) -> None:
        """runs.csv and epochs.csv, rebuilt from the finished packs."""
        runs, epochs = self.pack_records()
        write_text(self.root / "runs.csv", table_csv(runs))
        write_text(self.root / "epochs.csv", table_csv(epochs))

    def run_records(self) -> list[RunRecord]:
        """runs.csv as typed records."""
        return read_runs_csv(self._table_path("runs.csv"))

    def epoch_records(self) -> list[EpochRecord]:
        """epochs.csv as typed records."""
        return read_epochs_csv(self._table_path("epochs.csv"))

    def runs(self) -> pd.DataFrame:
        return self._csv("runs.csv")

    def epochs(self) -> pd.DataFrame:
        return self._csv("epochs.csv")

    def _csv(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self._table_path(name))

    def _table_path(self, name: str) -> Path:
        path = self.root / name
        if not path.exists():
            raise StudyError(f"{str(self.root)!r} has no {name}: is it a finished reglab study?")
        return path


def spec_identity(spec: dict[str, Any]) -> dict[str, Any]:
    """The parts of a spec dict that define the study's results (not where it runs)."""
    out = {k: v for k, v in spec.items() if k != "name"}
    # how it runs, not what it computes (a resumed study keeps its saved plan.json)
    where = ("device", "cuda_graph", "tf32", "checkpoint_seconds", "pack_by")
    out["train"] = {k: v for k, v in spec.get("train", {}).items() if k not in where}
    return out
