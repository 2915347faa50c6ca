"""Folder names made from user text (study names, arm strings): one rule, always inside.

The rule is **slugify**: every run of characters outside ``A-Z a-z 0-9 . _ = + -`` becomes
one ``-`` (so ``/``, ``\\``, NUL, spaces and other separators can never make a path), leading
and trailing dots and dashes are dropped (no ``..``, no hidden folder), and the result is cut
to :data:`MAX_LENGTH` characters. :func:`inside` joins a slug to its parent and checks that
the result is a direct child::

    >>> slug("../../etc")
    'etc'
    >>> slug("/abs/elsewhere")
    'abs-elsewhere'
    >>> slug("none_dropout=0.5+bn")
    'none_dropout=0.5+bn'
    >>> inside(Path("runs"), "../../etc")
    PosixPath('runs/etc')

Identifiers that name a cache entry (``reglab data add NAME``) are *checked* against a
stricter pattern instead (reglab.data.user): a dataset is looked up by its exact name.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["MAX_LENGTH", "inside", "slug"]

MAX_LENGTH = 60
_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")


def slug(text: str, fallback: str = "study") -> str:
    """``text`` as one safe path component (``fallback`` when nothing safe is left)."""
    safe = _UNSAFE.sub("-", str(text)).strip("-.")
    safe = safe[:MAX_LENGTH].rstrip("-.")
    return safe or fallback


def inside(parent: Path, text: str) -> Path:
    """``parent / slug(text)``: a direct child of ``parent``, whatever ``text`` holds."""
    child = parent / slug(text)
    assert child.parent == parent and child.name not in ("", ".", ".."), child  # by the rule
    return child
