"""``reglab data``: fetch, add and inspect datasets.

reglab data fetch mnist                  # download once, verify, cache
reglab data fetch mnist --from ~/mnist   # import IDX files or Keras' mnist.npz
reglab data add mytiny tiny.npz          # your own data: .npz, .csv (--label), IDX folder
reglab data ls                           # built-in and added datasets
reglab data info mnist                   # split sizes, class counts, checksum, source
reglab data rm mytiny                    # remove an added dataset from the cache
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
    help="Fetch, add and inspect datasets (mnist, digits, mnist1d, synthetic, your own).",
    no_args_is_help=True,
)


@data_app.command("fetch")
def fetch_command(
    name: str = typer.Argument(..., help="Dataset: mnist, digits, mnist1d or synthetic."),
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
    if name in ("digits", "synthetic", "mnist1d") and from_path is None:
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
    name: str = typer.Argument(..., help="Dataset: a built-in or one you added."),
    val_size: int | None = typer.Option(
        None,
        "--val-size",
        help="Validation examples taken from the end of the training set "
        "(default: 10000 for mnist, 300 for digits, 500 for synthetic and mnist1d, "
        "1/6 of the training set for added datasets).",
    ),
) -> None:
    """Show split sizes, per-class counts, checksum, cache path and source.

    Example: reglab data info mnist --val-size 5000
    """
    from reglab.data import (
        SUGGESTED_VAL_SIZE,
        cache_file,
        check_name,
        load_dataset,
        read_user_meta,
        user_datasets,
    )

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
    if info["image_shape"] is not None:
        typer.echo(
            f"images    {'x'.join(map(str, info['image_shape']))} (channels x height x width)"
        )
    if name in user_datasets():
        meta = read_user_meta(name)
        typer.echo(f"format    {meta.format}, added {meta.added}")
        typer.echo(f"test      {meta.test_split}")
    if "noise_std" in info:
        typer.echo(f"noise     std {info['noise_std']:g} (f_test: noise-free test targets)")
    typer.echo("")
    for line in _split_table(info):
        typer.echo(line)


@data_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="A new name: a-z, 0-9, '_', '-' (e.g. mytiny)."),
    path: Path = typer.Argument(..., help="An .npz, a .csv, or a folder of IDX files."),
    label: str = typer.Option("label", "--label", help="The label column of a CSV file."),
) -> None:
    """Check a data file and copy it into the cache as dataset NAME (with its sha256).

    NPZ: x_train, y_train[, x_test, y_test]; features [N, D] or images [N, H, W] /
    [N, C, H, W]; labels 0..K-1. CSV: a header line, numeric columns, a label column.
    IDX folder: train-images-idx3-ubyte[.gz] and the other three MNIST-format files
    (Fashion-MNIST and KMNIST are verified against their published checksums). Without a test
    split, 20% of each class is set aside once, with a fixed seed.

    Examples:
      reglab data add mytiny tiny.npz
      reglab data add iris iris.csv --label species
      reglab data add fashion ~/Downloads/fashion-mnist
      reglab compare --dataset mytiny --epochs 5
    """
    from reglab.data import add_user_dataset

    meta = add_user_dataset(name, path, label=label)
    verified = f" (verified: {meta.recognised})" if meta.recognised else ""
    typer.echo(
        f"{name}: {meta.n_train} train + {meta.n_test} test examples, {meta.num_classes} classes, "
        f"features {'x'.join(map(str, meta.feature_shape))}{verified}"
    )
    typer.echo(f"sha256: {meta.sha256}\nuse:    reglab compare --dataset {name}")


@data_app.command("ls")
def ls_command() -> None:
    """List the built-in datasets and those you added.

    Example: reglab data ls
    """
    from reglab.data import DATASETS, read_user_meta, user_datasets

    for name in DATASETS:
        typer.echo(f"{name:<16} built-in")
    for name in user_datasets():
        meta = read_user_meta(name)
        typer.echo(
            f"{name:<16} added    {meta.num_classes} classes, {meta.n_train} train + "
            f"{meta.n_test} test, from {meta.source}"
        )


@data_app.command("rm")
def rm_command(name: str = typer.Argument(..., help="A dataset you added.")) -> None:
    """Remove an added dataset from the cache (your original file is not touched).

    Example: reglab data rm mytiny
    """
    from reglab.data import remove_user_dataset

    typer.echo(f"removed {remove_user_dataset(name)}")


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
