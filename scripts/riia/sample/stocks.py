"""Stocks that roll forward quarter by quarter (children on a plan, children looked after).

The closing stock is the opening stock plus starts minus ceased, occasionally off by a
child or two as real returns are (late recording, a child starting and ceasing in the
quarter), well inside rule P01's tolerance. A planted P01 defect adds an unexplained jump.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from riia.sample.randomness import poisson

RECORDING_SLIPS = (-2, -1, 1, 2)
"""How far a closing stock may drift from starts minus ceased (P01 allows at least 5)."""


@dataclass
class StockState:
    """A stock rolled forward quarter by quarter (CPP_END, CLA_END)."""

    level: int
    target_per_child: float
    hazard: float
    reversion: float


def roll_forward(
    rng: random.Random,
    stock: StockState,
    starts: int,
    target: float,
    adjustment: int = 0,
) -> tuple[int, int]:
    """Choose the ceased flow for one quarter and return ``(ceased, new_level)``.

    Ceased = the LA's usual exit rate times the opening stock, plus a pull towards the
    target level (mean reversion), with damped Poisson noise. ``adjustment`` adds a
    deliberate unexplained jump (defect P01).
    """
    opening = stock.level
    expected = stock.hazard * opening + stock.reversion * (opening - target)
    ceased = min(opening + starts, poisson(rng, max(0.0, expected)))
    closing = opening + starts - ceased
    if closing > 20 and rng.random() < 0.2:
        closing += rng.choice(RECORDING_SLIPS)
    closing = max(0, closing + adjustment)
    stock.level = closing
    return ceased, closing
