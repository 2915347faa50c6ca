"""Section "Setup and provenance": what was trained, on what, where, with which versions.

>>> section(load_inputs("runs/quickstart")).blocks[0].rows[1]
['dataset', 'digits: train 1200 / val 300 / test 297']
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reglab.report.blocks import Section, Table
from reglab.report.inputs import ReportInputs
from reglab.report.numbers import NA, finite

__all__ = ["options", "section", "setup_table"]


def section(inputs: ReportInputs) -> Section:
    return Section("Setup and provenance", "setup", [setup_table(inputs)])


def options(table: dict[str, Any], skip: tuple[str, ...] = ()) -> str:
    """A spec table as 'k=v, k=v' (nested tables left out)."""
    return ", ".join(
        f"{k}={v}" for k, v in table.items() if k not in skip and not isinstance(v, dict)
    )


def _wall_time(manifest: dict[str, Any]) -> str:
    try:
        start = datetime.strptime(manifest["started"], "%Y-%m-%dT%H:%M:%S%z")
        end = datetime.strptime(manifest["finished"], "%Y-%m-%dT%H:%M:%S%z")
    except (KeyError, TypeError, ValueError):
        return NA
    packs = manifest.get("packs") or {}
    training = sum(finite(p.get("seconds")) or 0.0 for p in packs.values())
    return f"{(end - start).total_seconds():.0f} s from start to finish; {training:.1f} s training {len(packs)} packs"


def _analysis(inputs: ReportInputs) -> str:
    s = inputs.summary
    if s is None:
        return NA
    what = (
        "test accuracy (higher is better)" if s.higher_is_better else "test MSE (lower is better)"
    )
    margin = f"{100 * s.margin:g} pp" if s.higher_is_better else f"{s.margin:g}"
    return (
        f"metric {what}; paired t-test over seeds, Holm, α={s.alpha}; at least 3 paired "
        f"seeds for a verdict; equivalence margin ±{margin} (paired TOST)"
    )


def _label_noise(data: dict[str, Any]) -> str:
    """'; label noise 1 (seed 0): 1081 of 1200 training labels changed ...' or ''."""
    noise = data.get("labels_changed")
    if not isinstance(noise, dict):
        return ""
    return (
        f"; label noise {noise.get('rate')} (seed {noise.get('seed')}): "
        f"{noise.get('train_changed')} of {data.get('train', '?')} training labels and "
        f"{noise.get('val_changed')} of {data.get('val', '?')} validation labels changed "
        "to a random class; test labels untouched"
    )


def setup_table(inputs: ReportInputs) -> Table:
    """Dataset, model, optimizer, schedule, seeds, device, versions, revision, wall time."""
    spec, man, summary = inputs.spec, inputs.manifest, inputs.summary
    data = man.get("dataset") or (summary.dataset if summary else {})
    model, opt, train = spec.get("model", {}), spec.get("optimizer", {}), spec.get("train", {})
    sizes = " / ".join(f"{k} {data[k]}" for k in ("train", "val", "test") if k in data)
    devices = sorted({s.get("device", "?") for s in man.get("sessions", [])})
    seeds = man.get("seeds") or (summary.seeds if summary else None) or []
    rows = [
        ["study", f"{spec.get('name', '?')} ({inputs.root})"],
        ["dataset", f"{data.get('name', '?')}: {sizes}{_label_noise(data)}"],
        ["data source", str(data.get("source", NA))],
        ["data checksum (sha256)", str(data.get("checksum", NA))],
        ["model", f"MLP, {options(model)}"],
        ["optimizer", f"{opt.get('name', '?')} ({options(opt, ('name',))})"],
        ["training", options(train)],
        ["early stopping (for es=N arms)", options(spec.get("early_stopping", {}))],
        ["seeds", ", ".join(map(str, seeds))],
        ["arms", ", ".join(man.get("arms") or [a.name for a in inputs.arms])],
        ["baseline", str(inputs.baseline)],
        ["analysis", _analysis(inputs)],
        ["device", "; ".join(devices) or NA],
        [
            "versions",
            options({k: man[k] for k in ("reglab", "python", "torch", "numpy") if k in man}),
        ],
        [
            "platform",
            f"{man.get('platform', NA)}, cpu {man.get('cpu', NA)}, {man.get('threads', NA)} threads",
        ],
        ["git revision", str(man.get("git_revision") or NA)],
        ["started / finished", f"{man.get('started', NA)} / {man.get('finished', NA)}"],
        ["wall time", _wall_time(man)],
    ]
    return Table(["setting", "value"], rows)
