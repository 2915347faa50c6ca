"""Arms: one string names the techniques of one arm; :class:`Arm` is that string parsed once.

``none``, ``dropout=0.5``, ``indrop=0.2``, ``l1=1e-5``, ``l2=1e-4``, ``wd=1e-4``, ``maxnorm=3``,
``bn``, ``es=3`` (early stopping, patience 3), ``sdrop=0.1`` (spatial dropout, CNNs),
``augment=shift2``, ``noise=0.1``, ``smooth=0.1``; combine with ``+``: ``dropout=0.5+bn``::

    >>> parse_arm("dropout=0.5+maxnorm=3").maxnorm
    3.0
    >>> parse_arm("dropout=2")
    Traceback (most recent call last):
    reglab.errors.ConfigError: In arm 'dropout=2', part 'dropout=2': The 'dropout' parameter of Regularization must be a float in [0, 1). Got 2.0 instead.

A spec's arm strings become :class:`Arm` objects once (at the spec); the plan, the runner and
the records carry them, so nothing downstream re-parses a name. An arm made by a sweep keeps
where it came from (:class:`SweepPoint`)::

    >>> Arm.parse("l2=1e-4", sweep=SweepPoint("l2", 1e-4)).sweep.value
    0.0001
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from reglab.config import EarlyStoppingConfig, Regularization
from reglab.errors import ConfigError

__all__ = ["ARM_KEYS", "Arm", "ArmKey", "SweepPoint", "format_arm", "parse_arm", "parse_arms"]


@dataclass(frozen=True)
class ArmKey:
    """One key of the arm syntax: the Regularization field it sets, and what it means."""

    key: str
    field: str
    kind: type | None  # float, int, str, or None for a flag
    summary: str
    reference: str


ARM_KEYS: tuple[ArmKey, ...] = (
    ArmKey(
        "dropout",
        "dropout",
        float,
        "Inverted dropout on hidden units, rate in [0, 1).",
        "Srivastava et al., JMLR 2014",
    ),
    ArmKey(
        "indrop",
        "input_dropout",
        float,
        "Inverted dropout on the inputs, rate in [0, 1).",
        "Srivastava et al., JMLR 2014",
    ),
    ArmKey(
        "l1",
        "l1",
        float,
        "L1 penalty l1*sum|w| on kernels: drives weights to zero.",
        "Tibshirani 1996; Keras regularizers.L1",
    ),
    ArmKey(
        "l2",
        "l2",
        float,
        "L2 penalty l2*sum(w^2) on kernels, added to the loss.",
        "Krogh & Hertz 1992; Keras regularizers.L2",
    ),
    ArmKey(
        "wd",
        "wd",
        float,
        "Decoupled weight decay w -= lr*wd*w (AdamW), not a loss term.",
        "Loshchilov & Hutter, ICLR 2019",
    ),
    ArmKey(
        "maxnorm",
        "maxnorm",
        float,
        "Max-norm: each unit's incoming weights kept within an L2 ball of radius c.",
        "Srivastava et al., JMLR 2014, sec. 5.1",
    ),
    ArmKey(
        "bn",
        "bn",
        None,
        "Batch Normalization after each hidden layer (per channel after convs: BN 2d).",
        "Ioffe & Szegedy, ICML 2015",
    ),
    ArmKey(
        "es",
        "early_stopping",
        int,
        "Early stopping with this patience (epochs), best weights restored.",
        "Prechelt 1998; Keras callbacks.EarlyStopping",
    ),
    ArmKey(
        "sdrop",
        "spatial_dropout",
        float,
        "Spatial dropout: whole feature maps of each conv block dropped (CNN only).",
        "Tompson et al., CVPR 2015",
    ),
    ArmKey(
        "augment",
        "augment",
        str,
        "Augmentation per example: shiftK (translations up to K px), flip (if the data allow).",
        "Simard et al. 2003; Zhang et al., ICLR 2017",
    ),
    ArmKey(
        "noise",
        "noise",
        float,
        "Gaussian noise of this std (input units) added to training inputs.",
        "Bishop, Neural Computation 1995",
    ),
    ArmKey(
        "smooth",
        "smoothing",
        float,
        "Label smoothing eps, as torch's cross_entropy(label_smoothing=eps).",
        "Szegedy et al., CVPR 2016",
    ),
)
_BY_KEY = {k.key: k for k in ARM_KEYS}


def parse_arm(text: str, early_stopping: EarlyStoppingConfig | None = None) -> Regularization:
    """Parse one arm string; ``early_stopping`` gives the defaults that ``es=N`` overrides."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"An arm must be a non-empty string such as 'dropout=0.5'. Got {text!r}.")
    if text.strip() == "none":
        return Regularization()
    values: dict[str, Any] = {}
    for part in text.split("+"):
        name, value = _parse_part(text, part.strip())
        if name in values:
            raise ConfigError(f"In arm {text!r}, part {part!r}: {name!r} is given twice.")
        values[name] = value
    es = values.pop("early_stopping", None)
    try:
        if es is not None:
            base = early_stopping or EarlyStoppingConfig()
            values["early_stopping"] = dataclasses.replace(base, patience=es)
        return Regularization(**values)
    except ConfigError as err:
        raise ConfigError(f"In arm {text!r}: {err}") from None


def _parse_part(text: str, part: str) -> tuple[str, Any]:
    key, sep, raw = part.partition("=")
    spec = _BY_KEY.get(key.strip())
    where = f"In arm {text!r}, part {part!r}"
    if key.strip() == "none":
        raise ConfigError(f"{where}: 'none' stands alone; it cannot be combined with '+'.")
    if spec is None:
        known = ", ".join(k.key for k in ARM_KEYS)
        raise ConfigError(f"{where}: unknown technique {key.strip()!r}; known: none, {known}.")
    if spec.kind is None:
        if sep:
            raise ConfigError(f"{where}: {spec.key!r} takes no value (write just {spec.key!r}).")
        return spec.field, True
    if not sep or not raw.strip():
        raise ConfigError(f"{where}: {spec.key!r} needs a value, e.g. '{spec.key}=0.5'.")
    try:
        value = spec.kind(raw.strip()) if spec.kind is not float else float(raw)
    except ValueError:
        kind = "a number" if spec.kind is float else "an integer"
        raise ConfigError(
            f"{where}: the value of {spec.key!r} must be {kind}. Got {raw.strip()!r} instead."
        ) from None
    try:
        if spec.field != "early_stopping":
            single: dict[str, Any] = {spec.field: value}
            Regularization(**single)
        else:
            EarlyStoppingConfig(patience=int(value))
    except ConfigError as err:
        raise ConfigError(f"{where}: {err}") from None
    return spec.field, value


def parse_arms(texts: str | list[str]) -> list[str]:
    """Split a comma-separated ``--arms`` value into arm strings, checking each parses."""
    items = texts.split(",") if isinstance(texts, str) else list(texts)
    arms = [t.strip() for t in items if t.strip()]
    if not arms:
        raise ConfigError(f"At least one arm is needed. Got {texts!r}.")
    seen: dict[str, str] = {}
    for arm in arms:
        canonical = format_arm(parse_arm(arm))  # l2=1e-4 and l2=0.0001 are one arm
        if canonical in seen:
            first = seen[canonical]
            same = "is listed twice" if first == arm else f"and {first!r} are the same arm"
            raise ConfigError(f"Arm {arm!r} {same} ({canonical}); list each arm once.")
        seen[canonical] = arm
    return arms


def format_arm(reg: Regularization) -> str:
    """The canonical arm string of a Regularization (inverse of parse_arm)."""
    parts = []
    for spec in ARM_KEYS:
        value = getattr(reg, spec.field)
        if spec.field == "early_stopping":
            if value is not None:
                parts.append(f"es={value.patience}")
        elif spec.kind is None:
            if value:
                parts.append(spec.key)
        elif isinstance(value, str):
            parts.append(f"{spec.key}={value}")
        elif value:
            parts.append(f"{spec.key}={value:g}")
    return "+".join(parts) or "none"


@dataclass(frozen=True)
class SweepPoint:
    """Where a swept arm came from: ``technique`` (an arm key) at ``value``, added to ``base``."""

    technique: str
    value: float
    base: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return {"technique": self.technique, "value": self.value, "base": self.base}


@dataclass(frozen=True)
class Arm:
    """One arm, parsed once: its name as written, its techniques, and its sweep (if any)."""

    name: str
    reg: Regularization
    sweep: SweepPoint | None = None

    @staticmethod
    def parse(
        text: str,
        early_stopping: EarlyStoppingConfig | None = None,
        sweep: SweepPoint | None = None,
    ) -> Arm:
        """The arm named ``text`` (``early_stopping`` gives the defaults ``es=N`` overrides)."""
        return Arm(text, parse_arm(text, early_stopping), sweep)

    def to_dict(self) -> dict[str, Any]:
        """For ``arms.json``: name, canonical form, technique settings, sweep origin or null."""
        return {
            "name": self.name,
            "canonical": format_arm(self.reg),
            "regularization": self.reg.to_dict(),
            "sweep": None if self.sweep is None else self.sweep.to_dict(),
        }
