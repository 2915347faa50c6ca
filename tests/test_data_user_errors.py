"""Every bad user-data file gets one clear error (exit 2 through the CLI) and nothing is cached.

Each case builds its file in a temporary folder, runs ``reglab data add bad FILE`` through the
real entry point, and checks: exit status 2, one line on stderr naming the file and the
constraint, and an untouched cache (the cache folder is not even created).
"""

from __future__ import annotations

import gzip
import io
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from reglab.cli import main
from reglab.data import known_idx
from reglab.data.known_idx import KnownFile, recognise
from reglab.data.user_arrays import MAX_CLASSES
from reglab.errors import DataError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3)).astype(np.float32)
Y = np.arange(12) % 3


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGLAB_DATA", str(tmp_path / "cache"))
    return tmp_path / "cache"


def npz(**arrays: object) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "data.npz"
        np.savez(path, **arrays)  # type: ignore[arg-type]
        return path

    return make


def text(name: str, content: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_text(content)
        return path

    return make


def truncated_npz(folder: Path) -> Path:
    path = npz(x_train=X, y_train=Y)(folder)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_member_npz(folder: Path) -> Path:
    """A compressed npz with a byte flipped inside x_train's data (zip directory intact)."""
    path = folder / "data.npz"
    np.savez_compressed(path, x_train=RNG.normal(size=(400, 30)), y_train=np.arange(400) % 3)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def npy_named_npz(folder: Path) -> Path:
    path = folder / "data.npz"
    with path.open("wb") as f:
        np.save(f, X)
    return path


class _Touch:
    """Unpickling this would create ``marker``: the test proves it is never unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.marker,))


def pickled_npz(folder: Path) -> Path:
    objects = np.empty(12, dtype=object)
    objects[:] = [_Touch(folder / "UNPICKLED")] * 12
    return npz(x_train=X, y_train=objects)(folder)


def huge_header_npz(folder: Path) -> Path:
    """A 200-byte npz whose header claims 10^12 float32 values (a zip bomb, in effect)."""
    path = folder / "data.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for key, shape in (("x_train", (10**6, 10**6)), ("y_train", (10**6,))):
            member = io.BytesIO()
            header = {"descr": "<f4", "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_1_0(member, header)
            zf.writestr(f"{key}.npy", member.getvalue())
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def idx_folder(*, cut_images: bool = False, drop: str | None = None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        out = folder / "idx"
        out.mkdir()
        images = RNG.integers(0, 256, (12, 4, 4), dtype=np.uint8)
        files = {
            "train-images-idx3-ubyte.gz": idx_bytes(images),
            "train-labels-idx1-ubyte.gz": idx_bytes(Y[:11]),  # 11 labels for 12 images
            "t10k-images-idx3-ubyte.gz": idx_bytes(images[:3]),
            "t10k-labels-idx1-ubyte.gz": idx_bytes(Y[:3]),
        }
        if not cut_images:
            files["train-labels-idx1-ubyte.gz"] = idx_bytes(Y)
        else:
            files["train-images-idx3-ubyte.gz"] = files["train-images-idx3-ubyte.gz"][:-5]
        for name, data in files.items():
            if name != drop:
                (out / name).write_bytes(gzip.compress(data))
        return out

    return make


# (id, file maker, fragments the one-line message must contain)
CASES: list[tuple[str, Callable[[Path], Path], tuple[str, ...]]] = [
    ("x-rank-1", npz(x_train=X[:, 0], y_train=Y), ("x_train shape", "[N, D]", "[12]")),
    ("x-rank-5", npz(x_train=np.zeros((12, 1, 2, 2, 2)), y_train=Y), ("x_train shape",)),
    ("length-mismatch", npz(x_train=X, y_train=Y[:10]), ("y_train shape", "[12]", "[10]")),
    ("float-labels", npz(x_train=X, y_train=Y + 0.5), ("labels in y_train", "integers")),
    ("negative-labels", npz(x_train=X, y_train=Y - 1), ("integers >= 0", "-1")),
    ("one-class", npz(x_train=X, y_train=np.zeros(12)), ("at least 2 classes",)),
    ("lonely-class", npz(x_train=X, y_train=np.r_[Y[:11], 3]), ("class counts", "class 3: 1")),
    ("gap-in-labels", npz(x_train=X, y_train=Y * 2), ("class counts", "class 1: 0")),
    ("absurd-classes", npz(x_train=X, y_train=np.r_[Y[:11], MAX_CLASSES]), ("at most 9999",)),
    ("nan", npz(x_train=np.where(Y[:, None] == 1, np.nan, X), y_train=Y), ("NaN", "index 1")),
    ("inf", npz(x_train=np.where(Y[:, None] == 2, np.inf, X), y_train=Y), ("finite", "index 2")),
    (
        "float32-overflow",
        npz(x_train=X.astype(np.float64) * 1e300, y_train=Y),
        ("float32's range",),
    ),
    ("no-examples", npz(x_train=X[:0], y_train=Y[:0]), ("non-empty", "[0, 3]")),
    ("no-features", npz(x_train=X[:, :0], y_train=Y), ("non-empty", "[12, 0]")),
    ("strings", npz(x_train=X.astype(str), y_train=Y), ("array of numbers", "<U")),
    ("missing-key", npz(x_train=X), ("x_train, y_train", "['x_train']")),
    ("typo-key", npz(X_train=X, y_train=Y), ("x_train, y_train", "X_train")),
    ("test-x-only", npz(x_train=X, y_train=Y, x_test=X), ("x_test and y_test together",)),
    ("test-shape", npz(x_train=X, y_train=Y, x_test=X[:, :2], y_test=Y), ("x_test shape",)),
    ("test-label", npz(x_train=X, y_train=Y, x_test=X, y_test=Y + 1), ("labels in y_test",)),
    ("pickled", pickled_npz, ("y_train", "never unpickles", "dtype object")),
    ("truncated", truncated_npz, ("data.npz", "a complete .npz archive", "truncated")),
    ("corrupt-member", corrupt_member_npz, ("x_train", "truncated or corrupt")),
    ("not-an-array", text("data.npz", "hello, world\n"), ("a zip file", "b'hello,'")),
    ("empty-file", text("data.npz", ""), ("a non-empty file",)),
    ("single-npy", npy_named_npz, ("not a single .npy array",)),
    ("huge-header", huge_header_npz, ("x_train size", "at most 8 GiB")),
    ("unknown-format", text("data.txt", "1,2\n"), ("format", "'.txt'")),
    ("csv-no-label", text("d.csv", "a,b\n1,2\n3,4\n"), ("label column 'label'", "['a', 'b']")),
    ("csv-header-only", text("d.csv", "a,label\n"), ("at least one data line",)),
    ("csv-word", text("d.csv", "a,label\n1,0\nx,1\n"), ("line 3, column 'a'", "'x'")),
    ("csv-after-blank", text("d.csv", "a,label\n1,0\n\n2,x\n"), ("line 4, column 'label'",)),
    ("csv-ragged", text("d.csv", "a,label\n1,0\n2\n"), ("line 3", "2 fields")),
    ("csv-nan", text("d.csv", "a,label\n1,0\nnan,1\n1,0\n2,1\n"), ("NaN", "index 1")),
    ("idx-missing", idx_folder(drop="t10k-labels-idx1-ubyte.gz"), ("t10k-labels-idx1-ubyte",)),
    ("idx-truncated", idx_folder(cut_images=True), ("truncated",)),
    ("no-such-path", lambda folder: folder / "nothing.npz", ("No file or folder",)),
]


@pytest.mark.parametrize(("maker", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_file_is_one_error_and_nothing_is_cached(
    tmp_path: Path,
    cache: Path,
    capsys: pytest.CaptureFixture[str],
    maker: Callable[[Path], Path],
    fragments: tuple[str, ...],
) -> None:
    path = maker(tmp_path)
    assert main(["data", "add", "bad", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert not cache.exists()  # nothing written, not even the cache folder
    assert not (tmp_path / "UNPICKLED").exists()


def test_unwritable_cache_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache should be")
    monkeypatch.setenv("REGLAB_DATA", str(blocker))
    assert main(["data", "add", "fine", str(npz(x_train=X, y_train=Y)(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "Cannot write dataset 'fine' into the cache" in err and "nothing was added" in err
    assert blocker.read_text() == "a file where the cache should be"


def test_csv_labels_by_another_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = text("d.csv", "species,a\n0,1\n1,2\n0,3\n1,4\n")(tmp_path)
    assert main(["data", "add", "iris", str(path), "--label", "species"]) == 0
    assert "2 classes" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["../up", "/abs", "a/b", "Upper", "", "x" * 65, "a\x00b", "mnist"])
def test_bad_names_are_refused_before_reading(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = npz(x_train=X, y_train=Y)(tmp_path)
    assert main(["data", "add", name, str(path)]) == 2
    err = capsys.readouterr().err
    assert "The 'name' parameter of reglab data add must be" in err and err.count("\n") == 1
    assert not cache.exists()


def _fake_known(folder: Path, monkeypatch: pytest.MonkeyPatch, *, spoil: str | None) -> None:
    """Pretend the files of ``folder`` are a published set (their true digests), then spoil one."""
    import hashlib

    files = []
    for p in sorted(folder.iterdir()):
        data = p.read_bytes()
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        sha = hashlib.sha256(data).hexdigest()
        files.append(KnownFile(p.name, md5, "0" * 64 if p.name == spoil else sha))
    monkeypatch.setattr(known_idx, "KNOWN_IDX", {"Fake-MNIST": tuple(files)})


def test_published_idx_set_is_recognised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = idx_folder()(tmp_path)
    _fake_known(folder, monkeypatch, spoil=None)
    assert recognise(sorted(folder.iterdir())) == "Fake-MNIST"
    assert main(["data", "add", "fake", str(folder)]) == 0


def test_altered_copy_of_a_published_idx_set_is_refused(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = idx_folder()(tmp_path)
    _fake_known(folder, monkeypatch, spoil="t10k-images-idx3-ubyte.gz")
    with pytest.raises(DataError, match="must be Fake-MNIST's published sha256 0000"):
        recognise(sorted(folder.iterdir()))
    assert main(["data", "add", "fake", str(folder)]) == 2
    assert "t10k-images-idx3-ubyte.gz" in capsys.readouterr().err
    assert not cache.exists()


def test_unknown_idx_folder_is_read_by_structure(tmp_path: Path) -> None:
    assert recognise(sorted(idx_folder()(tmp_path).iterdir())) is None


def test_pickled_payload_would_have_run(tmp_path: Path) -> None:
    """The _Touch payload is live: plain pickle.loads creates the marker (so the test above
    proves reglab never unpickled it)."""
    pickle.loads(pickle.dumps(_Touch(tmp_path / "UNPICKLED")))
    assert (tmp_path / "UNPICKLED").exists()
