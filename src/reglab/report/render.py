"""Render a report's sections to HTML and to Markdown with Jinja2 templates.

HTML: autoescape on, so every arm name, spec value and path is escaped; images are inline
base64 PNG data URIs and the CSS is inline: the file opens from disk with no network and
runs no script. Markdown: every value is escaped too (HTML special characters become
entities, Markdown punctuation is backslash-escaped), images are linked as plots/NAME.png::

    >>> html = render_html(Document("Report", "On digits ...", sections), source="runs/x")
"""

from __future__ import annotations

from typing import Any

import jinja2

import reglab
from reglab.report.blocks import Document

__all__ = ["md_escape", "render_html", "render_markdown"]

_MD_SPECIAL = "\\`*_[]|~#"


class _Raw(str):
    """A string the Markdown renderer writes as it is (a file path it made itself)."""


def md_escape(text: str) -> str:
    """Plain text safe in Markdown: no raw HTML, no emphasis, no table breaks, one line.

    >>> md_escape("a|b <script> x_y")
    'a\\\\|b &lt;script&gt; x\\\\_y'
    """
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in _MD_SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.splitlines())


def _md_finalize(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    return md_escape("" if value is None else str(value))


def _md_code(value: Any) -> _Raw:
    """Text inside an inline code span: backticks removed, no other escaping applies."""
    return _Raw(" ".join(str(value).replace("`", "'").splitlines()))


def _environment(autoescape: bool) -> jinja2.Environment:
    loader = jinja2.PackageLoader("reglab.report", "templates")
    if autoescape:
        return jinja2.Environment(
            loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True
        )
    env = jinja2.Environment(  # Markdown: _md_finalize escapes every value
        loader=loader,
        autoescape=False,
        finalize=_md_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["raw"] = _Raw
    env.filters["code"] = _md_code
    return env


def _context(document: Document, source: str) -> dict[str, Any]:
    return {
        "title": document.title,
        "answer": document.lead,
        "notes": document.notes,
        "sections": document.sections,
        "source": source,
        "version": reglab.__version__,
    }


def render_html(document: Document, source: str) -> str:
    """The self-contained report.html."""
    template = _environment(autoescape=True).get_template("report.html.j2")
    return template.render(_context(document, source))


def render_markdown(document: Document, source: str) -> str:
    """report.md: the same text and tables; images as links to plots/NAME.png."""
    template = _environment(autoescape=False).get_template("report.md.j2")
    text = template.render(_context(document, source))
    return text.rstrip() + "\n"
