"""The root of the command line: --version, --debug anywhere, flags shown without a type."""

from __future__ import annotations

import pytest

from reglab.cli import main


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"reglab {version('reglab')}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--debug", "compare", "--arms", "none,dropout=1.5"],
        ["compare", "--arms", "none,dropout=1.5", "--debug"],
    ],
)
def test_debug_anywhere_shows_the_traceback(argv: list[str]) -> None:
    from reglab.errors import ConfigError

    with pytest.raises(ConfigError, match="'dropout' parameter"):
        main(argv)


def test_without_debug_an_error_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--arms", "none,dropout=1.5"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Got 1.5 instead" in err


def test_root_help_shows_no_type_after_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    lines = [
        ln for ln in capsys.readouterr().out.splitlines() if "--debug" in ln or "--version" in ln
    ]
    assert lines and not any("<bool>" in ln for ln in lines)
