"""`reglab export tensorboard`: event files read back and checked against the study's tables.

The event files are parsed here with no TensorBoard installed: TFRecord framing (length, masked
CRC-32C, payload, masked CRC-32C) around tensorboardX's own ``Event`` protobuf.
"""

from __future__ import annotations

import shutil
import struct
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tensorboardX.crc32c import crc32c
from tensorboardX.proto.event_pb2 import Event
from tensorboardX.proto.plugin_hparams_pb2 import HParamsPluginData

from reglab.cli import main
from reglab.export import export_tensorboard, run_name
from reglab.export.tensorboard import EPOCH_SCALARS, FINAL_METRICS
from reglab.study import StudySpec, run_study_packs

pytestmark = pytest.mark.xdist_group("studies")

ARMS = ["none", "dropout=0.5+bn", "maxnorm=3+es=1"]
TECHNIQUES = {"dropout", "input_dropout", "l1", "l2", "wd", "maxnorm", "bn", "es_patience"}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny study on digits (3 arms x 2 seeds x 3 epochs, seconds on a CPU)."""
    spec = StudySpec.from_dict(
        {
            "seeds": 2,
            "arms": ARMS,
            "data": {"name": "digits", "val_size": 300},
            "model": {"hidden": [16]},
            "train": {"epochs": 3, "train_eval_size": 500, "device": "cpu"},
        }
    )
    out = tmp_path_factory.mktemp("study") / "tb"
    run_study_packs(spec, out)
    return out


@pytest.fixture
def copy(study: Path, tmp_path: Path) -> Path:
    """A private copy of the study, so tests may export into it or damage it."""
    return Path(shutil.copytree(study, tmp_path / "study"))


# ---- reading event files -------------------------------------------------------------------
def masked_crc32c(data: bytes) -> int:
    """TFRecord's checksum: CRC-32C, rotated right by 15 bits, plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_events(run_dir: Path) -> list[Event]:
    events = []
    for path in sorted(run_dir.glob("events.out.tfevents.*")):
        data, pos = path.read_bytes(), 0
        while pos < len(data):
            header = data[pos : pos + 8]
            (length,) = struct.unpack("<Q", header)
            assert struct.unpack("<I", data[pos + 8 : pos + 12])[0] == masked_crc32c(header)
            payload = data[pos + 12 : pos + 12 + length]
            crc = data[pos + 12 + length : pos + 16 + length]
            assert struct.unpack("<I", crc)[0] == masked_crc32c(payload)
            event = Event()
            event.ParseFromString(payload)
            events.append(event)
            pos += 16 + length
    return events


def scalars(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    out: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for event in read_events(run_dir):
        for value in event.summary.value:
            if value.HasField("simple_value"):
                out[value.tag].append((event.step, value.simple_value))
    return dict(out)


def hparams_content(run_dir: Path, tag: str) -> HParamsPluginData:
    for event in read_events(run_dir):
        for value in event.summary.value:
            if value.tag == tag:
                assert value.metadata.plugin_data.plugin_name == "hparams"
                content = HParamsPluginData()
                content.ParseFromString(value.metadata.plugin_data.content)
                return content
    raise AssertionError(f"no {tag} in {run_dir}")


def session_hparams(run_dir: Path) -> dict[str, Any]:
    start = hparams_content(run_dir, "_hparams_/session_start_info").session_start_info
    return {k: getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()}


# ---- tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arm", "seed", "name"),
    [
        ("none", 0, "none__seed0"),
        ("dropout=0.5+bn", 0, "dropout-0.5_bn__seed0"),
        ("l1=1e-5", 3, "l1-1e-5__seed3"),
        ("maxnorm=3+es=2", 1, "maxnorm-3_es-2__seed1"),
        ("dropout=0.5 + bn", 2, "dropout-0.5-_-bn__seed2"),
    ],
)
def test_run_name_is_readable_and_path_safe(arm: str, seed: int, name: str) -> None:
    assert run_name(arm, seed) == name


def test_scalars_match_epochs_csv(copy: Path) -> None:
    result = export_tensorboard(copy)
    assert result.logdir == copy / "tensorboard"
    runs = pd.read_csv(copy / "runs.csv")
    epochs = pd.read_csv(copy / "epochs.csv")
    assert set(result.run_dirs) == set(runs["run_id"])
    assert sorted(p.name for p in result.run_dirs.values()) == sorted(
        run_name(a, s) for a, s in zip(runs["arm"], runs["seed"], strict=True)
    )
    for run_id, run_dir in result.run_dirs.items():
        rows = epochs[epochs["run_id"] == run_id].sort_values("epoch")
        got = scalars(run_dir)
        for name in EPOCH_SCALARS:
            steps, values = zip(*got[f"epoch/{name}"], strict=True)
            assert list(steps) == rows["epoch"].tolist(), (run_id, name)
            assert list(values) == pytest.approx(rows[name].tolist(), rel=1e-6, abs=1e-7)


def test_hparams_sessions_and_final_metrics(copy: Path) -> None:
    result = export_tensorboard(copy, out=copy / "logs")
    runs = pd.read_csv(copy / "runs.csv").set_index("run_id")
    run_id = runs.index[(runs["arm"] == "dropout=0.5+bn") & (runs["seed"] == 0)][0]
    run_dir = result.run_dirs[run_id]
    assert run_dir == copy / "logs" / "dropout-0.5_bn__seed0"
    hp = session_hparams(run_dir)
    assert set(hp) == {"arm", "seed", *TECHNIQUES}
    assert hp["arm"] == "dropout=0.5+bn" and hp["seed"] == 0 and hp["bn"] is True
    assert hp["dropout"] == 0.5 and hp["maxnorm"] == 0.0 and hp["es_patience"] == 0.0
    es = session_hparams(result.run_dirs[runs.index[runs["arm"] == "maxnorm=3+es=1"][0]])
    assert es["maxnorm"] == 3.0 and es["es_patience"] == 1.0 and es["bn"] is False

    final = {tag: values for tag, values in scalars(run_dir).items() if tag in FINAL_METRICS}
    row = runs.loc[run_id]
    expected = [row["test_acc"], row["test_loss"], row["train_acc"] - row["test_acc"]]
    assert [final[t][0][1] for t in FINAL_METRICS] == pytest.approx(expected, rel=1e-6)

    experiment = hparams_content(copy / "logs", "_hparams_/experiment").experiment
    assert {h.name for h in experiment.hparam_infos} == {"arm", "seed", *TECHNIQUES}
    assert [m.name.tag for m in experiment.metric_infos] == list(FINAL_METRICS)


def test_export_again_replaces_event_files(copy: Path) -> None:
    first = export_tensorboard(copy)
    second = export_tensorboard(copy)
    for run_dir in [second.logdir, *second.run_dirs.values()]:
        assert len(list(run_dir.glob("events.out.tfevents.*"))) == 1, run_dir
    assert scalars(first.run_dirs["a00-s0"]) == scalars(second.run_dirs["a00-s0"])


def test_cli_exports(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "tensorboard", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"wrote 6 runs to {copy / 'tensorboard'}" in out
    assert (copy / "tensorboard" / "none__seed1").is_dir()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing", "is not a directory: give a reglab study directory."),
        ("empty", "is not a reglab study directory (no spec.toml)."),
        ("no-epochs", "has no epochs.csv: is it a finished reglab study?"),
        ("no-column", "lacks the column(s) val_acc: was it written by another version"),
    ],
)
def test_cli_errors_are_one_line(
    copy: Path, damage: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = copy
    if damage == "missing":
        target = copy / "nope"
    elif damage == "empty":
        target = copy / "empty"
        target.mkdir()
    elif damage == "no-epochs":
        (copy / "epochs.csv").unlink()
        shutil.rmtree(copy / "packs")  # with packs/, the tables are rebuilt from them
    else:
        shutil.rmtree(copy / "packs")
        epochs = pd.read_csv(copy / "epochs.csv")
        epochs.drop(columns="val_acc").to_csv(copy / "epochs.csv", index=False)
    assert main(["export", "tensorboard", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (target / "tensorboard").exists()
