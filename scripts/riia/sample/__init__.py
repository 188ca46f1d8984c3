"""The sample returns: a deterministic stand-in for the real returns (which are not public).

It lets the pipeline be built, tested and demonstrated end to end. It follows the return
template (RETURN_TEMPLATE.md section 1: one CSV per LA per quarter; section 2: the item
register) and aims to look right to someone who knows the field. Every return that is not
a deliberate defect passes every ``error`` rule of section 4; the deliberate defects are
listed for people and for tests.

Modules, in the order the sample is made:

* :mod:`~riia.sample.seeds`, :mod:`~riia.sample.reference`, :mod:`~riia.sample.populations`:
  the register, the LAs over time and their populations, from the project's seeds;
* :mod:`~riia.sample.rules`: what the L and P rules compare, from their definitions;
* :mod:`~riia.sample.window`: the quarters written and the defect quarters;
* :mod:`~riia.sample.profile`, :mod:`~riia.sample.simulation`, :mod:`~riia.sample.topics`,
  :mod:`~riia.sample.regional`, :mod:`~riia.sample.stocks`, :mod:`~riia.sample.randomness`:
  one LA's figures quarter by quarter;
* :mod:`~riia.sample.rows`: a quarter's figures as the rows of a return;
* :mod:`~riia.sample.defects`, :mod:`~riia.sample.mutations`, :mod:`~riia.sample.planting`:
  the deliberate defects and gaps, where they go and how a return is broken;
* :mod:`~riia.sample.assemble`, :mod:`~riia.sample.render`, :mod:`~riia.sample.output`,
  :mod:`~riia.sample.cli`: the whole sample, as files, on disk, from the command line.

Usage: ``riia sample --out data/returns --only-if-empty``, or from Python
``riia.sample.main(["--out", "/tmp/r", "--first-period", "2012-13 Q1", "--quarters", "52"])``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """``riia sample`` (riia.sample.cli.main), imported when it is run: the loader reads the
    sample's marker (riia.sample.marker) without importing the generator."""
    from riia.sample.cli import main as run

    return run(argv)
