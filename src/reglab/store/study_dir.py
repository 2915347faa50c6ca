"""The study directory: every result of a study as files a user can open.

    DIR/spec.toml        the resolved spec (the study's identity; resume checks it)
    DIR/plan.json        runs grouped into packs (fixed at the first start)
    DIR/arms.json        the arms, parsed once: name, techniques, sweep origin (or null)
    DIR/manifest.json    versions, device, git revision, seeds, wall times per pack
    DIR/packs/pack-K.json, pack-K.npz   one finished pack: run and epoch records; test
                         predictions, class probabilities (float16; ``proba_mc/``: MC
                         dropout's) and weight histograms (npz, no pickles)
    DIR/checkpoints/pack-K.pt          the unfinished pack's state after its last epoch
    DIR/runs.csv, DIR/epochs.csv       one row per run / per run and epoch (all packs), the
                         typed records of ``reglab.store.records`` (serialized there only)
    DIR/summary.json, comparisons.csv, report.html, report.md   (analysis and report)

CSV was chosen over Parquet: it opens in anything and needs no extra dependency. Every file
is written atomically, and a pack's records land as one unit, so an interrupted study
resumes from its last finished pack and the last checkpoint of the pack it was in.
"""

from __future__ import annotations

import contextlib
import io
import json
import tomllib
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import torch

from reglab.atomic import write_json, write_npz, write_text, write_torch
from reglab.config import DataConfig, ModelConfig, OptimizerConfig, TrainConfig
from reglab.errors import ConfigError, StudyError
from reglab.store.records import (
    EpochRecord,
    RunRecord,
    read_epochs_csv,
    read_runs_csv,
    table_csv,
)

__all__ = ["StudyDir", "spec_identity"]

T = TypeVar("T")


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
        if self.root.exists() and not self.root.is_dir():
            raise StudyError(
                f"{str(self.root)!r} is a file, not a folder: give --out a new or empty folder."
            )
        if path.exists():
            self.remove_stale_temps()
            try:
                saved = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise StudyError(
                    f"{str(path)!r} is damaged ({err}), so this folder's study cannot be "
                    "checked; restore that file, or use another --out."
                ) from None
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

    def pack_damage(self, k: int) -> str | None:
        """Why finished pack ``k``'s files cannot be read (None when they can)."""
        for ext, check in (("json", _check_json), ("npz", _check_npz)):
            path = self._pack(k, ext)
            if path.exists():
                problem = check(path)
                if problem is not None:
                    return f"{path.relative_to(self.root)} is damaged ({problem})"
        return None

    def drop_damaged_packs(self, indices: Sequence[int]) -> list[str]:
        """Remove finished packs whose files are damaged, so a resume trains them again."""
        dropped = []
        for k in indices:
            problem = self.pack_damage(k)
            if problem is not None:
                self._pack(k, "json").unlink(missing_ok=True)  # records first: not done
                self._pack(k, "npz").unlink(missing_ok=True)
                dropped.append(f"{problem}: training pack {k} again")
        return dropped

    def remove_stale_temps(self) -> None:
        """Temporary files of writes that a killed process left behind (never read)."""
        for folder in (self.root, self.root / "packs", self.root / "checkpoints"):
            if folder.is_dir():
                for tmp in folder.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)

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
            data = self._pack_json(path)
            runs.extend(RunRecord.from_row(row) for row in data["runs"])
            epochs.extend(EpochRecord.from_row(row) for row in data["epochs"])
        return runs, epochs

    def _pack_json(self, path: Path) -> Any:
        problem = _check_json(path)
        if problem is not None:
            raise StudyError(_damaged(path, problem))
        return json.loads(path.read_text(encoding="utf-8"))

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """One array per run id from every finished pack (e.g. 'pred', 'hist')."""
        out: dict[str, np.ndarray] = {}
        prefix = f"{name}/"
        for path in sorted((self.root / "packs").glob("pack-*.npz")):
            arrays = _read_npz(path)
            out.update({k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)})
        return out

    def write_targets(self, y: np.ndarray) -> None:
        """The test targets, once, so per-example analyses (McNemar) need no dataset; a
        damaged file is written again (the runner checked the data is the study's)."""
        path = self.root / "targets.npz"
        if not path.exists() or _check_npz(path) is not None:
            write_npz(path, y=y)

    def targets_whole(self) -> bool:
        path = self.root / "targets.npz"
        return path.exists() and _check_npz(path) is None

    def targets(self) -> np.ndarray | None:
        path = self.root / "targets.npz"
        if not path.exists():
            return None
        return np.asarray(_read_npz(path)["y"])

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

    def repair_tables(self) -> bool:
        """Rebuild runs.csv and epochs.csv from packs/ when they differ; True if it did."""
        if not self._from_packs() or self.tables_current():
            return False
        self.write_tables()
        return True

    def tables_current(self) -> bool:
        """True when runs.csv and epochs.csv hold exactly the finished packs' records."""
        runs, epochs = self.pack_records()
        for name, records in (("runs.csv", runs), ("epochs.csv", epochs)):
            path = self.root / name
            try:
                if path.read_text(encoding="utf-8") != table_csv(records):
                    return False
            except (OSError, UnicodeDecodeError):
                return False
        return True

    def run_records(self) -> list[RunRecord]:
        """The finished runs as typed records: from packs/ (the source of truth) when the
        study has them, so a damaged runs.csv is never what a report reads."""
        if self._from_packs():
            return self.pack_records()[0]
        return _read_table(self._table_path("runs.csv"), read_runs_csv)

    def epoch_records(self) -> list[EpochRecord]:
        """The finished runs' epochs as typed records (from packs/, as :meth:`run_records`)."""
        if self._from_packs():
            return self.pack_records()[1]
        return _read_table(self._table_path("epochs.csv"), read_epochs_csv)

    def runs(self) -> pd.DataFrame:
        return self._frame("runs.csv", 0)

    def epochs(self) -> pd.DataFrame:
        return self._frame("epochs.csv", 1)

    def _frame(self, name: str, which: int) -> pd.DataFrame:
        if self._from_packs():
            return pd.read_csv(io.StringIO(table_csv(self.pack_records()[which])))
        return _read_table(self._table_path(name), pd.read_csv)

    def _from_packs(self) -> bool:
        """True for a study with packs/; refuses one whose plan is not finished, so nothing
        is ever reported from part of a study."""
        plan = self.read_json("plan.json")
        if plan is None or not (self.root / "packs").is_dir():
            return False
        missing = [p["index"] for p in plan if not self.pack_done(int(p["index"]))]
        if missing:
            raise StudyError(
                f"{str(self.root)!r} is unfinished: {len(missing)} of {len(plan)} packs have "
                "no results yet; run the study's command again to resume it."
            )
        return True

    def _table_path(self, name: str) -> Path:
        path = self.root / name
        if not path.exists():
            raise StudyError(f"{str(self.root)!r} has no {name}: is it a finished reglab study?")
        return path


def _damaged(path: Path, problem: str) -> str:
    return (
        f"{str(path)!r} is damaged ({problem}); run the study's command again to redo "
        "that part (finished packs are kept)."
    )


def _check_json(path: Path) -> str | None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return str(err)
    return None


def _check_npz(path: Path) -> str | None:
    """A zip whose every member reads back and passes its CRC (np.savez writes zips)."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        return f"not a complete npz file: {err}"
    return None if bad is None else f"member {bad!r} fails its CRC"


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    problem = _check_npz(path)
    if problem is not None:
        raise StudyError(_damaged(path, problem))
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _read_table(path: Path, read: Callable[[Path], T]) -> T:
    """A CSV table with one clear error when it is empty or cut short."""
    try:
        return read(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, KeyError, ValueError) as err:
        raise StudyError(
            f"{str(path)!r} is damaged ({type(err).__name__}: {err}) and this folder has no "
            "packs/ to rebuild it from."
        ) from None


def spec_identity(spec: dict[str, Any]) -> dict[str, Any]:
    """The parts of a spec dict that define the study's results (not where it runs).

    Its component tables are read as this version reads them, defaults filled in, so a
    study written before a setting existed (no ``channels`` in its ``[model]``, say) is the
    same study when the setting is at its default, and resumes.
    """
    out = {k: v for k, v in spec.items() if k not in ("name", "analysis")}  # analysis: no retrain
    for key, config in _SECTIONS.items():
        if isinstance(out.get(key), dict):
            with contextlib.suppress(ConfigError):  # invalid: left as written, never equal
                out[key] = config.from_dict(out[key]).to_dict()
    # how it runs, not what it computes (a resumed study keeps its saved plan.json)
    where = ("device", "cuda_graph", "tf32", "checkpoint_seconds", "pack_by")
    out["train"] = {k: v for k, v in out.get("train", {}).items() if k not in where}
    return out


_SECTIONS: dict[str, type[DataConfig | ModelConfig | OptimizerConfig | TrainConfig]] = {
    "data": DataConfig,
    "model": ModelConfig,
    "optimizer": OptimizerConfig,
    "train": TrainConfig,
}
