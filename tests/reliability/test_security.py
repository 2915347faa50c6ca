"""SECURITY.md: user text (a study's name, arm names) reaches the HTML report escaped, so a
report of a shared study folder runs no script of its author."""

from __future__ import annotations

import json
from pathlib import Path

from reglab.report import write_report

HOSTILE = "<script>alert(1)</script>"


def test_the_report_escapes_study_and_arm_names(study: Path) -> None:
    spec = study / "spec.toml"
    spec.write_text(spec.read_text().replace('"reliability"', f'"{HOSTILE}"'))
    summary = json.loads((study / "summary.json").read_text())
    summary["arms"][1]["name"] = '<img src=x onerror="alert(2)">'  # a tampered folder
    (study / "summary.json").write_text(json.dumps(summary))
    html_path, md_path = write_report(study)
    html = html_path.read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in md_path.read_text()


SRC = Path(__file__).resolve().parents[2] / "src" / "reglab"


def _calls(name: str) -> list[tuple[Path, str]]:
    """Every call of ``name(`` in reglab's source, with the text up to its closing line."""
    found = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        start = text.find(name + "(")
        while start != -1:
            line_start = text.rfind("\n", 0, start) + 1
            if ">>>" not in text[line_start:start] and "``" not in text[line_start:start]:
                found.append((path, text[start : text.find("\n\n", start)]))
            start = text.find(name + "(", start + 1)
    return found


def test_every_load_of_a_file_refuses_pickled_code() -> None:
    torch_loads, np_loads = _calls("torch.load"), _calls("np.load")
    assert torch_loads and np_loads
    for path, call in torch_loads:
        assert "weights_only=True" in call.split(")")[0], (path, call[:120])
    for path, call in np_loads:
        assert "allow_pickle=False" in call.split(")")[0], (path, call[:120])
    assert not _calls("pickle.load")  # pickles go through reglab.data.pickled.safe_loads only
