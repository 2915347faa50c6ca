"""Heavy libraries load only where a command needs them; public names stay importable."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import reglab.analysis
import reglab.api
import reglab.report


def _loaded_after(code: str) -> set[str]:
    """Top-level modules loaded in a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_package_imports_load_no_heavy_library() -> None:
    loaded = _loaded_after("import reglab.api, reglab.analysis, reglab.report, reglab.cli")
    heavy = {"torch", "scipy", "pandas", "matplotlib", "scipy.stats"}
    assert not loaded & heavy, loaded & heavy


def test_describing_an_arm_does_not_import_scipy_stats() -> None:
    code = "from reglab.analysis import describe\nfrom reglab.report import numbers\n"
    code += "assert describe([0.9, 0.91, 0.92]).ci95[0] < 0.9"
    loaded = _loaded_after(code)
    assert "scipy.stats" not in loaded and "matplotlib" not in loaded


@pytest.mark.parametrize("package", [reglab.api, reglab.analysis, reglab.report])
def test_every_public_name_resolves_and_is_listed(package: object) -> None:
    names = package.__all__  # type: ignore[attr-defined]
    for name in names:
        assert getattr(package, name) is not None
    assert set(names) <= set(dir(package))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"module 'reglab\.api' has no attribute 'nope'"):
        reglab.api.nope  # noqa: B018
