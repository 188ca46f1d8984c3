"""The one grammar of periods and return file names (RETURN_TEMPLATE.md section 1).

A period is a financial-year quarter written ``YYYY-YY Qn`` (``2024-25 Q1``): Q1 is
April-June, Q2 July-September, Q3 October-December, Q4 January-March of the next
calendar year. A return file is named ``<la_code>_<yyyy-yy>_<Qn>[_vN].csv``
(``301_2024-25_Q1.csv``, a resubmission ``301_2024-25_Q1_v2.csv``).

Everything in Python that reads or writes a period or a file name goes through this
module: the staging parser, the validation messages, the sample generator, the reports,
the build and the command line. In SQL the same calendar is ``dim_period``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_PATTERN = re.compile(r"(?P<start>\d{4})-(?P<end>\d{2}) Q(?P<quarter>[1-4])")
# The version has at most 4 digits: `_v99999999999999999999` is an odd name (a finding),
# not a number that overflows every integer type downstream.
FILE_NAME_PATTERN = re.compile(
    r"(?P<la_code>\d{3})_(?P<fy>\d{4}-\d{2})_(?P<quarter>Q[1-4])(?:_v(?P<version>[1-9][0-9]{0,3}))?\.csv",
    re.IGNORECASE,
)
MAX_VERSION = 9999

FIRST_PERIOD_TEXT = "2012-13 Q1"
"""The first quarter the RIIA collects (ONS populations in the seeds start at mid-2012)."""


@dataclass(frozen=True, order=True)
class Period:
    """A financial-year quarter, ordered in time. ``index`` = start year x 4 + quarter - 1."""

    index: int

    @classmethod
    def of(cls, fy_start: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError(f"a quarter is 1 to 4, not {quarter}")
        return cls(fy_start * 4 + quarter - 1)

    @classmethod
    def parse(cls, text: object) -> Period | None:
        """The period written ``YYYY-YY Qn`` (a real financial year), else None."""
        match = PERIOD_PATTERN.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            return None
        start, end = int(match["start"]), int(match["end"])
        if (start + 1) % 100 != end:
            return None
        return cls.of(start, int(match["quarter"]))

    @classmethod
    def require(cls, text: str) -> Period:
        """Like `parse`, raising ValueError with a sentence for a person."""
        period = cls.parse(text)
        if period is None:
            raise ValueError(f"{text!r} is not a quarter written YYYY-YY Qn (for example 2024-25 Q1)")
        return period

    @classmethod
    def containing(cls, day: date) -> Period:
        """The quarter a calendar day falls in."""
        fy_start = day.year if day.month >= 4 else day.year - 1
        return cls.of(fy_start, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def latest_ended(cls, day: date) -> Period:
        """The latest quarter that has ended by `day` (rule T03)."""
        current = cls.containing(day)
        return current if current.end_date < day else current.shift(-1)

    @property
    def fy_start(self) -> int:
        return self.index // 4

    @property
    def quarter(self) -> int:
        return self.index % 4 + 1

    @property
    def financial_year(self) -> str:
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """``2024-25 Q1``, as written in a return."""
        return f"{self.financial_year} Q{self.quarter}"

    @property
    def slug(self) -> str:
        """``2024-25_Q1``: the period as it appears in file and folder names."""
        return f"{self.financial_year}_Q{self.quarter}"

    @property
    def start_date(self) -> date:
        month = 4 + 3 * (self.quarter - 1)
        return date(self.fy_start + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def end_date(self) -> date:
        return self.shift(1).start_date - timedelta(days=1)

    @property
    def population_mid_year(self) -> int:
        """DfE's rule: every quarter of financial year YYYY-YY uses the mid-YYYY estimate."""
        return self.fy_start

    def shift(self, quarters: int) -> Period:
        return Period(self.index + quarters)

    def __str__(self) -> str:
        return self.label


FIRST_PERIOD = Period.require(FIRST_PERIOD_TEXT)


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every quarter from `first` to `last`, both included."""
    return [Period(i) for i in range(first.index, last.index + 1)]


def period_problem(text: str, first: Period, last: Period) -> str | None:
    """Why `text` is not a quarter that can be returned (between `first` and `last`), as
    the end of a sentence ("'2025-26 Q3' ..."), or None when it is one."""
    if PERIOD_PATTERN.fullmatch(text) is None:
        return "is not written YYYY-YY Qn (for example 2024-25 Q1)"
    period = Period.parse(text)
    if period is None:
        return "is not a real financial year: YYYY-YY names two consecutive years (for example 2024-25)"
    if period > last:
        return f"has not ended yet: the latest quarter that can be returned is {last}"
    if period < first:
        return f"is before {first}, the first quarter the RIIA collects"
    return None


@dataclass(frozen=True)
class ReturnFileName:
    """What a return's file name declares."""

    la_code: str
    period: Period
    version: int

    @property
    def name(self) -> str:
        return return_file_name(self.la_code, self.period, self.version)


def parse_file_name(name: str) -> ReturnFileName | None:
    """LA, period and version of a name like ``301_2024-25_Q1_v2.csv``; None when the name
    does not follow the template (or names a financial year that does not exist)."""
    match = FILE_NAME_PATTERN.fullmatch(name)
    if match is None:
        return None
    period = Period.parse(f"{match['fy']} {match['quarter'].upper()}")
    if period is None:
        return None
    return ReturnFileName(match["la_code"], period, int(match["version"] or 1))


def return_file_name(la_code: str, period: Period | str, version: int = 1) -> str:
    """The template's file name: ``301_2024-25_Q1.csv``, ``301_2024-25_Q1_v2.csv``."""
    if isinstance(period, str):
        period = Period.require(period)
    if not 1 <= version <= MAX_VERSION:
        raise ValueError(f"a version is 1 to {MAX_VERSION}, not {version}")
    suffix = f"_v{version}" if version > 1 else ""
    return f"{la_code}_{period.slug}{suffix}.csv"
