"""The demonstrations, in the homework's order, and how to run one by name.

>>> [d.name for d in DEMOS][:2]
['homework', 'sparsity']
>>> result = run_demo("sparsity", quick=True)      # runs/demos/sparsity-quick/
"""

from __future__ import annotations

from pathlib import Path

from reglab.atomic import write_text
from reglab.demos.adam_decay import ADAM_DECAY
from reglab.demos.base import Demo, DemoContext, DemoResult
from reglab.demos.batchnorm import BATCHNORM
from reglab.demos.biasvar import BIASVAR
from reglab.demos.budget import BUDGET
from reglab.demos.early_stopping import EARLY_STOPPING
from reglab.demos.homework import HOMEWORK
from reglab.demos.inference import INFERENCE
from reglab.demos.memorization import MEMORIZATION
from reglab.demos.sparsity import SPARSITY
from reglab.demos.srivastava import SRIVASTAVA
from reglab.errors import invalid

__all__ = ["DEMOS", "default_demo_out", "get_demo", "run_demo"]

DEMOS: tuple[Demo, ...] = (
    HOMEWORK,
    SPARSITY,
    INFERENCE,
    EARLY_STOPPING,
    BATCHNORM,
    BIASVAR,
    ADAM_DECAY,
    MEMORIZATION,
    SRIVASTAVA,
    BUDGET,
)


def get_demo(name: str) -> Demo:
    """The demo called ``name`` (its name or its number), or a ConfigError listing them."""
    for demo in DEMOS:
        if name in (demo.name, str(demo.number)):
            return demo
    known = ", ".join(d.name for d in DEMOS)
    raise invalid("name", "reglab demo", f"one of {known}", name)


def default_demo_out(demo: Demo, quick: bool = False) -> Path:
    """runs/demos/<name> (``-quick`` for the tiny setting, so the two never collide)."""
    return Path("runs") / "demos" / (demo.name + ("-quick" if quick else ""))


def run_demo(
    name: str,
    out: str | Path | None = None,
    *,
    quick: bool = False,
    device: str = "auto",
    quiet: bool = True,
) -> DemoResult:
    """Run (or resume) the demo ``name`` in ``out`` (default :func:`default_demo_out`);
    writes ``out/demo.md`` and returns the result."""
    demo = get_demo(name)
    directory = Path(out) if out is not None else default_demo_out(demo, quick)
    result = demo.run(DemoContext(directory, quick=quick, device=device, quiet=quiet))
    write_text(directory / "demo.md", f"# {demo.number}. {demo.title}\n\n" + result.markdown())
    return result
