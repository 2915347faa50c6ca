"""Error types that reglab raises for bad input, and their one message format.

Every user-facing error is a :class:`ReglabError`; the CLI prints its message on one line
(no traceback unless ``--debug``). Messages follow scikit-learn's format::

    >>> raise invalid("patience", "EarlyStopping", "an int in [0, inf)", -1)
    ConfigError: The 'patience' parameter of EarlyStopping must be an int in [0, inf). Got -1 instead.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "DivergenceError",
    "ReglabError",
    "StudyError",
    "invalid",
]


class ReglabError(Exception):
    """Base of every error reglab raises on purpose; its message is meant for the user."""


class ConfigError(ReglabError, ValueError):
    """A spec, CLI flag, arm string or argument is invalid."""


class DataError(ReglabError):
    """A dataset is missing, corrupt, or fails its checksum."""


class StudyError(ReglabError):
    """A study directory cannot be used (holds another study, unreadable records, ...)."""


class DivergenceError(ReglabError):
    """Every member of a pack diverged; nothing finite is left to report."""


def invalid(param: str, owner: str, constraint: str, value: object) -> ConfigError:
    """The one message format for a bad parameter: name, owner, constraint, value given."""
    return ConfigError(
        f"The {param!r} parameter of {owner} must be {constraint}. Got {value!r} instead."
    )
