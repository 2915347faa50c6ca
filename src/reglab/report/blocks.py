"""The pieces a report is made of: a document of sections of paragraphs, bullet lists,
tables and images.

The same blocks render to HTML and to Markdown (:mod:`reglab.report.render`); their text is
plain (no markup), so each renderer escapes all of it::

    >>> Section("Setup", "setup", [Paragraph("Trained on digits."), Table(["k", "v"], [["a", "1"]])])
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Block", "Bullets", "Document", "Image", "Paragraph", "Section", "Table"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    kind: Literal["bullets"] = "bullets"


@dataclass(frozen=True)
class Table:
    """Rows of cells (strings); ``numeric`` marks right-aligned columns by index."""

    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    kind: Literal["table"] = "table"


@dataclass(frozen=True)
class Image:
    """A PNG: inlined as a data URI in HTML, saved as plots/<name>.png for Markdown."""

    name: str
    png: bytes
    caption: str
    kind: Literal["image"] = "image"

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    @property
    def file(self) -> str:
        return f"plots/{self.name}.png"


Block = Paragraph | Bullets | Table | Image


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    """A whole report: its title, the one-paragraph answer above everything, the sections,
    and notes on how numbers are shown (e.g. a CI clipped to valid values), below the answer."""

    title: str
    lead: str
    sections: list[Section]
    notes: tuple[str, ...] = ()
