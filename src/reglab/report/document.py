"""The document engine: a study (or bias–variance) directory to report.html and report.md.

    >>> html, md = write_report("runs/quickstart")   # also runs/quickstart/plots/*.png

A report is a :class:`~reglab.report.blocks.Document`: a title, a lead paragraph and the
sections of :mod:`reglab.report.sections`, each a list of blocks (paragraphs, bullets,
tables, images). :mod:`reglab.report.render` turns it into HTML (self-contained: inline CSS,
base64 PNGs, no script, no network) and Markdown (the same text and tables, linking the same
figures, saved under DIR/plots/). The report reads summary.json and never writes it.
"""

from __future__ import annotations

from pathlib import Path

from reglab.atomic import write_bytes, write_text
from reglab.report.blocks import Document, Image
from reglab.report.inputs import ReportInputs, load_inputs
from reglab.report.render import render_html, render_markdown
from reglab.report.sections import answer, biasvar, study_sections

__all__ = ["build_document", "write_report"]


def write_report(study_dir: str | Path) -> tuple[Path, Path]:
    """Write DIR/report.html, DIR/report.md and DIR/plots/*.png; return the two reports."""
    inputs = load_inputs(study_dir)
    document = build_document(inputs)
    root = inputs.root
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Image):
                write_bytes(root / block.file, block.png)
    html_path, md_path = root / "report.html", root / "report.md"
    write_text(html_path, render_html(document.title, document.lead, document.sections, str(root)))
    write_text(
        md_path, render_markdown(document.title, document.lead, document.sections, str(root))
    )
    return html_path, md_path


def build_document(inputs: ReportInputs) -> Document:
    """Title, one-paragraph answer and sections of a study or a bias–variance folder."""
    if inputs.summary is not None:
        name = inputs.spec.get("name") or inputs.root.name
        return Document(f"reglab report: {name}", answer(inputs.summary), study_sections(inputs))
    assert inputs.biasvar is not None, "load_inputs returns a study or a bias–variance run"
    title, lead = biasvar.lead(inputs.biasvar)
    return Document(title, lead, biasvar.sections(inputs.biasvar))
