"""The document engine: a study, bias–variance or learning-curve directory to report.html and
report.md.

    >>> html, md = write_report("runs/quickstart")   # also runs/quickstart/plots/*.png
    >>> html, md = write_report("runs/lc")           # a learning curve's root: its own page

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
from reglab.report.curve import CurveInputs, is_curve, load_curve
from reglab.report.inputs import ReportInputs, load_inputs
from reglab.report.notes import clipped_note
from reglab.report.render import render_html, render_markdown
from reglab.report.sections import answer, biasvar, study_sections
from reglab.report.sections.learning_curve import curve_lead, curve_sections

__all__ = ["build_curve_document", "build_document", "write_report"]


def write_report(study_dir: str | Path) -> tuple[Path, Path]:
    """Write DIR/report.html, DIR/report.md and DIR/plots/*.png; return the two reports.

    DIR is a study, a bias–variance folder or a learning curve's root (its sizes' studies
    need a current summary.json each; ``reglab report`` computes missing ones first).
    """
    root = Path(study_dir)
    if is_curve(root):
        document = build_curve_document(load_curve(root))
    else:
        inputs = load_inputs(root)
        root, document = inputs.root, build_document(inputs)
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Image):
                write_bytes(root / block.file, block.png)
    html_path, md_path = root / "report.html", root / "report.md"
    write_text(html_path, render_html(document, str(root)))
    write_text(md_path, render_markdown(document, str(root)))
    return html_path, md_path


def build_document(inputs: ReportInputs) -> Document:
    """Title, one-paragraph answer and sections of a study or a bias–variance folder."""
    if inputs.summary is not None:
        name = inputs.spec.get("name") or inputs.root.name
        note = clipped_note((a.name, a) for a in inputs.arms)
        return Document(
            f"reglab report: {name}",
            answer(inputs.summary),
            study_sections(inputs),
            () if note is None else (note,),
        )
    assert inputs.biasvar is not None, "load_inputs returns a study or a bias–variance run"
    title, lead = biasvar.lead(inputs.biasvar)
    return Document(title, lead, biasvar.sections(inputs.biasvar))


def build_curve_document(curve: CurveInputs) -> Document:
    """A learning curve's page: accuracy, gap and edge over the baseline by training-set size."""
    title, lead = curve_lead(curve)
    note = clipped_note(
        ((f"{a.name} at n={n:,}", a) for n, s in curve.summaries.items() for a in s.arms),
        shares=("test_acc",),  # the curve shows no other share with a CI
    )
    return Document(title, lead, curve_sections(curve), () if note is None else (note,))
