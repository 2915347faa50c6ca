"""Lazy re-exports: a package names its public objects but imports their modules on first use.

``reglab.api``, ``reglab.analysis`` and ``reglab.report`` re-export names from modules that
pull in scipy, pandas, matplotlib or torch. Importing the package costs nothing until a name
is used, so a command imports only what it needs (``reglab compare`` with one seed never
imports scipy.stats, ``reglab data info`` never imports matplotlib)::

    >>> __getattr__, __dir__ = lazy_exports(__name__, {"run_biasvar": "reglab.api.biasvar"})

The package keeps its ``__all__`` and, under ``TYPE_CHECKING``, real imports for type
checkers; ``from reglab.api import run_biasvar`` works as before (PEP 562).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package`` that import ``where[name]``
    (a module path) when ``name`` is first read, and keep the value in the package; where
    ``where[name]`` is ``package.name``, the name is that submodule."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        found = importlib.import_module(module)
        value = found if module == f"{package}.{name}" else getattr(found, name)  # a submodule
        setattr(sys.modules[package], name, value)  # later reads skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(where) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
