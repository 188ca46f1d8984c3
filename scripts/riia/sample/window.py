"""The quarters a sample covers, and the last quarters, where the planted defects go.

Periods, file and folder names all come from :mod:`riia.periods`: a quarter is written
``2024-25 Q1`` in a return, its folder is ``2024-25_Q1/`` (:attr:`Period.slug`) and its
files are named by :func:`riia.periods.return_file_name`.
"""

from __future__ import annotations

from dataclasses import dataclass

from riia.periods import Period, return_file_name

DEFAULT_FIRST_PERIOD = Period.of(2022, 1)
DEFAULT_QUARTERS = 12
"""By default 2022-23 Q1 .. 2024-25 Q4."""
DEFECT_QUARTERS = 12
"""Planted defects and gaps go in the last this-many quarters written (all, if fewer)."""
MIN_QUARTERS = 3
"""Defects avoid the first and the last quarter of their window, so at least 3 are needed."""


@dataclass(frozen=True)
class Window:
    """Consecutive quarters from ``first``."""

    first: Period
    count: int

    def __post_init__(self) -> None:
        if self.count < MIN_QUARTERS:
            raise ValueError(f"at least {MIN_QUARTERS} quarters are needed (defects avoid the first and the last)")

    @classmethod
    def parse(cls, first_period: str, count: int) -> Window:
        """The window ``--first-period`` / ``--quarters`` name (ValueError with a sentence)."""
        return cls(Period.require(first_period), count)

    @property
    def periods(self) -> tuple[Period, ...]:
        return tuple(self.first.shift(i) for i in range(self.count))

    @property
    def last(self) -> Period:
        return self.first.shift(self.count - 1)

    @property
    def defect_periods(self) -> tuple[Period, ...]:
        """The quarters a defect or gap may go in: the last :data:`DEFECT_QUARTERS` written,
        without the first (no previous quarter to roll forward from) and the last (kept
        clean for the England-level picture)."""
        span = self.periods[-DEFECT_QUARTERS:]
        return span[1:-1]


DEFAULT_WINDOW = Window(DEFAULT_FIRST_PERIOD, DEFAULT_QUARTERS)


def relative_path(la_code: str, period: Period, version: int = 1) -> str:
    """A return's path in the returns folder: ``2024-25_Q1/301_2024-25_Q1.csv``."""
    return f"{period.slug}/{return_file_name(la_code, period, version)}"
