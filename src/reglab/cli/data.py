"""``reglab data``: fetch and inspect datasets.

reglab data fetch mnist                  # download once, verify, cache
reglab data fetch mnist --from ~/mnist   # import IDX files or Keras' mnist.npz
reglab data info mnist                   # split sizes, class counts, checksum, source
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from reglab.config import DataConfig

# reglab.data (torch, numpy) is imported inside the commands so that `reglab --help` and
# the other command groups start fast.

__all__ = ["data_app"]

data_app = typer.Typer(
    help="Fetch and inspect datasets (mnist, digits, synthetic).", no_args_is_help=True
)


@data_app.command("fetch")
def fetch_command(
    name: str = typer.Argument(..., help="Dataset: mnist, digits or synthetic."),
    from_path: Path | None = typer.Option(
        None, "--from", help="Import MNIST from a folder of IDX files or Keras' mnist.npz."
    ),
) -> None:
    """Obtain, verify and cache a dataset; print its path and checksum.

    Example: reglab data fetch mnist
    """
    from reglab.data import check_name, fetch
    from reglab.data.cache import read_sidecar

    check_name(name)
    if name != "mnist" and from_path is None:
        typer.echo(
            f"{name}: nothing needs fetching "
            f"({'ships with scikit-learn' if name == 'digits' else 'generated'})."
        )
        return
    path = fetch(name, from_path=from_path)
    meta = read_sidecar(path)
    typer.echo(f"{name}: {path}\nsha256: {meta['sha256']}\nsource: {meta['source']}")


@data_app.command("info")
def info_command(
    name: str = typer.Argument(..., help="Dataset: mnist, digits or synthetic."),
    val_size: int | None = typer.Option(
        None,
        "--val-size",
        help="Validation examples taken from the end of the training set "
        "(default: 10000 for mnist, 300 for digits, 500 for synthetic).",
    ),
) -> None:
    """Show split sizes, per-class counts, checksum, cache path and source.

    Example: reglab data info mnist --val-size 5000
    """
    from reglab.data import SUGGESTED_VAL_SIZE, cache_file, check_name, load_dataset

    check_name(name)
    cfg = DataConfig(name, val_size=SUGGESTED_VAL_SIZE[name] if val_size is None else val_size)
    info = load_dataset(cfg).info()
    file = cache_file(name)
    typer.echo(
        f"dataset   {name} ({info['task']}, {_outputs(info)}, input "
        f"{'x'.join(map(str, info['input_shape']))})"
    )
    typer.echo(f"source    {info['source']}")
    typer.echo(f"sha256    {info['checksum']}")
    typer.echo(f"file      {file if file is not None else '(generated in memory)'}")
    if "noise_std" in info:
        typer.echo(f"noise     std {info['noise_std']:g} (f_test: noise-free test targets)")
    typer.echo("")
    for line in _split_table(info):
        typer.echo(line)


def _outputs(info: dict[str, Any]) -> str:
    return f"{info['num_classes']} classes" if info["task"] == "classification" else "1 output"


def _split_table(info: dict[str, Any]) -> list[str]:
    """Rows: the official training set, its train / val parts, and the test set."""
    splits = info["splits"]
    train, val, test = splits["train"], splits["val"], splits["test"]
    official = {"size": train["size"] + val["size"]}
    if "class_counts" in train:
        official["class_counts"] = [
            a + b for a, b in zip(train["class_counts"], val["class_counts"], strict=True)
        ]
    rows = [("train (official)", official), ("  train", train), ("  val", val), ("test", test)]
    n_classes = len(test.get("class_counts", []))
    header = ["split", "size", *(str(c) for c in range(n_classes))]
    table = [header] + [
        [label, str(s["size"]), *map(str, s.get("class_counts", []))] for label, s in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    ]
