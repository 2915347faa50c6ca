"""Reading pickled numpy arrays without letting the pickle run code.

A pickle can call any importable function while it loads (``os.system`` included), so
:func:`safe_loads` admits only the few globals that rebuild plain numpy arrays; anything
else is refused with a :class:`DataError` before it is called::

    >>> import pickle, numpy as np
    >>> safe_loads(pickle.dumps(np.arange(3)), origin="example").tolist()
    [0, 1, 2]
    >>> safe_loads(pickle.dumps(print), origin="example")
    Traceback (most recent call last):
    reglab.errors.DataError: Refused to load example: the pickle asks for builtins.print, ...
"""

from __future__ import annotations

import codecs
import importlib
import io
import pickle
from typing import Any

import numpy as np

from reglab.errors import DataError

__all__ = ["safe_loads"]

# (module, name) pairs that numpy array pickles need. Pickles written by numpy 1 name
# numpy.core, which numpy 2 moved to numpy._core.
_multiarray = importlib.import_module("numpy._core.multiarray")
_numeric = importlib.import_module("numpy._core.numeric")
_ALLOWED = {
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "scalar"): _multiarray.scalar,
    ("numpy._core.numeric", "_frombuffer"): _numeric._frombuffer,  # pickle protocol 5
    ("numpy", "ndarray"): np.ndarray,
    ("_codecs", "encode"): codecs.encode,  # how protocol 2 spells bytes in Python 3
    ("numpy", "dtype"): np.dtype,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, origin: str) -> None:
        # latin1: numpy pickles from Python 2 store array bytes as str.
        super().__init__(file, encoding="latin1")
        self._origin = origin

    def find_class(self, module: str, name: str) -> Any:
        key = (module.replace("numpy.core", "numpy._core", 1), name)
        if key not in _ALLOWED:
            raise DataError(
                f"Refused to load {self._origin}: the pickle asks for {module}.{name}, and "
                "reglab only admits what rebuilds numpy arrays (numpy._core.multiarray."
                "_reconstruct, numpy.ndarray, numpy.dtype, ...). It is not a plain data pickle."
            )
        return _ALLOWED[key]

    def persistent_load(self, pid: Any) -> Any:
        raise DataError(f"Refused to load {self._origin}: it uses persistent ids.")


def safe_loads(raw: bytes, *, origin: str) -> Any:
    """Unpickle ``raw`` admitting only numpy array reconstruction; errors name ``origin``."""
    try:
        return _RestrictedUnpickler(io.BytesIO(raw), origin).load()
    except DataError:
        raise
    except Exception as err:  # a corrupt pickle can fail in many ways; all mean "corrupt"
        raise DataError(
            f"Cannot read {origin}: the pickle is corrupt ({type(err).__name__}: {err})."
        ) from err
