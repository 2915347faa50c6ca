"""write_report: a study (or bias–variance) directory to report.html and report.md.

    >>> html, md = write_report("runs/quickstart")   # also runs/quickstart/plots/*.png

The HTML is self-contained (inline CSS, base64 PNGs, no script, no network); the Markdown
holds the same text and tables and links the same figures, saved under DIR/plots/.
summary.json is computed first when it is missing.
"""

from __future__ import annotations

from pathlib import Path

from reglab.atomic import write_bytes, write_text
from reglab.report.blocks import Image, Section
from reglab.report.inputs import ReportInputs, load_inputs
from reglab.report.notes import biasvar_note
from reglab.report.render import render_html, render_markdown
from reglab.report.sections import biasvar_sections, study_sections
from reglab.report.text import answer

__all__ = ["write_report"]


def write_report(study_dir: str | Path) -> tuple[Path, Path]:
    """Write DIR/report.html, DIR/report.md and DIR/plots/*.png; return the two reports."""
    inputs = load_inputs(study_dir)
    title, lead, sections = _document(inputs)
    root = inputs.root
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Image):
                write_bytes(root / block.file, block.png)
    html_path, md_path = root / "report.html", root / "report.md"
    write_text(html_path, render_html(title, lead, sections, str(root)))
    write_text(md_path, render_markdown(title, lead, sections, str(root)))
    return html_path, md_path


def _document(inputs: ReportInputs) -> tuple[str, str, list[Section]]:
    """Title, one-paragraph answer and sections of a study or a bias–variance folder."""
    if inputs.summary is not None:
        name = inputs.spec.get("name") or inputs.root.name
        return f"reglab report: {name}", answer(inputs.summary), study_sections(inputs)
    assert inputs.biasvar is not None, "load_inputs returns a study or a bias–variance run"
    bv = inputs.biasvar
    title = f"reglab report: bias and variance of {bv.get('technique', '?')} on {bv.get('dataset', '?')}"
    lead = (
        f"Bias and variance of the test error of {bv.get('rounds', '?')} bootstrap-trained models "
        f"per strength ({bv.get('epochs', '?')} epochs each): {biasvar_note(bv)[0]}"
    )
    return title, lead, biasvar_sections(bv)
