"""Item 9: SIGKILL a small digits study at 20 random moments; each resume completes, ends
with the tables of an uninterrupted run, and no killed write leaves a half file.

Children are forked from a forkserver that imported reglab once, so each start costs a fork,
not a Python start-up; each child trains with one thread, like the uninterrupted reference.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from pathlib import Path

from reglab.store import StudyDir
from tests.reliability.conftest import SPEC, table, write_spec

KILLS = 20
# 2 packs of 2 runs, 2 epochs each (so kills land mid-pack, after a checkpoint, between packs)
KILL_SPEC = SPEC.replace("pack_size = 1", "pack_size = 2").replace(
    'name = "digits"', 'name = "digits"\ntrain_subset = 400'
)


def _train(spec: str, out: str) -> None:
    import torch

    from reglab.study import load_spec, run_study_packs

    torch.set_num_threads(1)
    run_study_packs(load_spec(spec), out)


def _whole(root: Path) -> None:
    """Every file under its final name reads back whole (temporary files may remain)."""
    store = StudyDir(root)
    for path in root.rglob("*"):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".npz" and path.parent.name == "packs":
            assert store.pack_damage(int(path.stem.split("-")[1])) is None, path
        elif path.suffix == ".pt":
            assert store.load_checkpoint(int(path.stem.split("-")[1])) is not None


def test_sigkill_at_random_moments_then_resume(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["reglab.study", "torch"])
    spec = str(write_spec(tmp_path, KILL_SPEC))

    def run(out: Path, kill_after: float | None = None) -> float:
        start = time.monotonic()
        child = ctx.Process(target=_train, args=(spec, str(out)))
        child.start()
        if kill_after is not None:
            child.join(kill_after)
            if child.is_alive():
                child.kill()  # SIGKILL
        child.join()
        assert kill_after is not None or child.exitcode == 0, child.exitcode
        return time.monotonic() - start

    whole = tmp_path / "whole"
    seconds = run(whole)
    expected = table(whole / "runs.csv"), table(whole / "epochs.csv")
    rng = random.Random(13)
    for trial in range(KILLS):
        out = tmp_path / f"killed-{trial}"
        run(out, kill_after=rng.uniform(0.0, seconds))
        if out.exists():
            _whole(out)
        run(out)  # resume
        assert table(out / "runs.csv").equals(expected[0]), trial
        assert table(out / "epochs.csv").equals(expected[1]), trial
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest.get("finished")
        assert not list(out.rglob(".*.tmp")) and not list((out / "checkpoints").glob("*"))
