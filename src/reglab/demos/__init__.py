"""Demonstrations: each homework question answered by a measurement reglab runs.

A demo is ordinary studies (resumable folders with reports) plus the checked claims they
test; ``docs/guide.md`` is generated from them::

    $ reglab demo --list
    $ reglab demo sparsity                  # runs/demos/sparsity/ (+ demo.md)
    $ reglab demo --all --guide docs/guide.md

    >>> from reglab.demos import run_demo
    >>> result = run_demo("sparsity", quick=True)
    >>> [(c.claim, c.held) for c in result.checks]
"""

from reglab.demos.base import Check, Demo, DemoContext, DemoResult
from reglab.demos.guide import QUESTIONS, write_guide
from reglab.demos.registry import DEMOS, default_demo_out, get_demo, run_demo

__all__ = [
    "DEMOS",
    "QUESTIONS",
    "Check",
    "Demo",
    "DemoContext",
    "DemoResult",
    "default_demo_out",
    "get_demo",
    "run_demo",
    "write_guide",
]
