"""report.html as a reader sees it: opened in headless Chromium (see tests/browser.py).

Checks at a 1280 px window: no console errors (script errors, failed resource loads), every
<img> decoded and shown at its natural width (no figure shrunk to fit), no horizontal
overflow, and a full-page screenshot saved under test-artifacts/ for a human to look at (what
is inside each figure is checked in tests/test_report_figures.py). Skipped, saying why,
only where no Chromium can be found (`make browser` installs it as root). The report is
written on a copy of the session's small digits study (``report_study`` in conftest.py).
"""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, NO_CHROMIUM, PageCheck, check_page, find_chromium
from tests.conftest import copy_study

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if find_chromium() is None:
        pytest.skip(NO_CHROMIUM)


def png(width: int, height: int) -> bytes:
    """A valid RGB PNG of one colour, from the standard library (no plotting needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x2a\x6f\xb0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def page(body: str) -> str:
    return f'<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>{body}</body></html>'


def checked(html: Path, name: str) -> PageCheck:
    """check_page with the screenshot kept as a test artifact; prints where it is."""
    result = check_page(html, ARTIFACTS / f"{name}.png")
    print(f"screenshot: {result.screenshot}")
    assert result.screenshot is not None
    assert result.screenshot.read_bytes().startswith(PNG_MAGIC)
    return result


# ---- the harness itself: it passes a clean page and catches every kind of failure ------------
def test_harness_passes_a_clean_self_contained_page(tmp_path: Path) -> None:
    image = base64.b64encode(png(40, 30)).decode()
    html = tmp_path / "clean.html"
    html.write_text(page(f'<h1>Study</h1><img alt="plot" src="data:image/png;base64,{image}">'))
    result = checked(html, "harness-clean")
    assert result.errors == [] and result.broken_images == [] and result.image_count == 1
    assert result.scaled_images == [] and result.overflow_x == 0


def test_harness_catches_console_errors_and_broken_images(tmp_path: Path) -> None:
    html = tmp_path / "broken.html"
    html.write_text(
        page(
            '<img alt="corrupt" src="data:image/png;base64,AAAA">'
            '<img alt="missing" src="missing.png">'
            "<script>console.error('deliberate console error')</script>"
            "<script>undefinedFunction()</script>"
        )
    )
    result = checked(html, "harness-broken")
    assert result.broken_images == ["data:image/png;base64,AAAA", "missing.png"]
    text = "\n".join(result.errors)
    assert "console.error: deliberate console error" in text
    assert "ReferenceError: undefinedFunction is not defined" in text
    assert "Failed to load resource" in text and "missing.png" in text


# ---- the real report --------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.xdist_group("report_study")
def test_report_opens_clean_in_chromium(report_study: Path, tmp_path: Path) -> None:
    from reglab.report import write_report

    root = copy_study(report_study, tmp_path / "study")
    write_report(root)
    html = root / "report.html"
    assert html.is_file(), f"write_report did not write {html}"

    result = checked(html, "report")
    print(f"report: {result.image_count} images")
    _assert_whole(result, html, images=7)


def _assert_whole(result: PageCheck, html: Path, images: int) -> None:
    assert result.errors == [], f"console errors in {html}: {result.errors}"
    assert result.broken_images == [], f"images that did not decode: {result.broken_images}"
    assert result.image_count == images
    assert result.scaled_images == [], f"figures shrunk to fit: {result.scaled_images}"
    assert result.overflow_x == 0, f"{html} overflows the 1280 px window by {result.overflow_x} px"


@pytest.mark.slow
@pytest.mark.xdist_group("report_curve")
def test_learning_curve_page_opens_clean_in_chromium(report_curve: Path, tmp_path: Path) -> None:
    root = copy_study(report_curve, tmp_path / "lc")
    result = checked(root / "report.html", "learning-curve-report")
    _assert_whole(result, root / "report.html", images=2)


def test_harness_reports_shrunk_figures_and_overflow(tmp_path: Path) -> None:
    image = base64.b64encode(png(1600, 20)).decode()
    html = tmp_path / "wide.html"
    html.write_text(
        page(
            f'<img style="max-width: 100%" alt="wide" src="data:image/png;base64,{image}">'
            '<div style="width: 1500px">wide</div>'
        )
    )
    result = checked(html, "harness-wide")
    assert result.scaled_images and result.scaled_images[0].startswith("wide: 1600 px shown at")
    assert result.overflow_x > 200
