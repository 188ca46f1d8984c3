"""What the benchmark builds: one generated sample, cut into history windows that all end
with the same quarter, so that the "new quarter" added to each is the same one.

* The sample: `riia sample --first-period P --quarters (largest history + 1)`, written once;
  its last quarter is the new quarter, NEW_QUARTER (2025-26 Q1), the one after the default
  sample's last (2024-25 Q4). The 12-quarter window is then the default sample's quarters
  (2022-23 Q1 .. 2024-25 Q4; the values differ from `riia sample`'s own because the
  generator starts its simulation at P, but the shape - 152-153 LAs a quarter, the planted
  defects in the last 12 quarters written, the new quarter kept clean - is the same).
* History of N quarters: the N quarters before NEW_QUARTER. 48 quarters start in
  2013-14 Q1. Rule T03 accepts only quarters from 2012-13 Q1 (where dim_period and the ONS
  populations start) that have ended by the build's date, so at most 52 quarters fit
  before NEW_QUARTER: 16 times the sample's history (192 quarters) cannot be timed
  meaningfully - 140 of its quarters would be quarantined before validation's logical and
  plausibility checks, the indicators and the comparators - and is refused with that
  explanation. (More LAs cannot be simulated either: an LA code must be a current English
  LA with an ONS population, rule T02.)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from riia.periods import FIRST_PERIOD, Period
from riia.sample.window import DEFAULT_FIRST_PERIOD, DEFAULT_QUARTERS

NEW_QUARTER = DEFAULT_FIRST_PERIOD.shift(DEFAULT_QUARTERS)  # 2025-26 Q1
DEFAULT_SIZES = (12, 24, 48)
MIN_QUARTERS = 3  # the sample generator's minimum


def history(quarters: int, new_quarter: Period = NEW_QUARTER) -> list[Period]:
    """The `quarters` quarters before `new_quarter`, oldest first."""
    return [new_quarter.shift(-quarters + i) for i in range(quarters)]


def most_quarters(new_quarter: Period = NEW_QUARTER) -> int:
    """The longest history rule T03 lets the build validate before `new_quarter`."""
    return new_quarter.index - FIRST_PERIOD.index


def size_problem(quarters: int, new_quarter: Period = NEW_QUARTER) -> str | None:
    """Why a history of `quarters` quarters before `new_quarter` cannot be timed meaningfully."""
    if quarters < MIN_QUARTERS:
        return f"at least {MIN_QUARTERS} quarters of history are needed (the sample generator's minimum)"
    fits = most_quarters(new_quarter)
    if quarters > fits:
        return (
            f"{quarters} quarters before {new_quarter} would start in {new_quarter.shift(-quarters)}: rule T03 "
            f"quarantines every quarter before {FIRST_PERIOD}, so at most {fits} quarters can be timed meaningfully"
        )
    return None


def parse_sizes(text: str) -> list[int]:
    """`12,24,48` -> [12, 24, 48] (sorted, without repeats); ValueError with a sentence."""
    try:
        sizes = sorted({int(part) for part in text.replace(" ", "").split(",") if part})
    except ValueError:
        raise ValueError(f"--sizes {text!r}: give quarters of history separated by commas, e.g. 12,24,48") from None
    if not sizes:
        raise ValueError("--sizes: give at least one number of quarters, e.g. 12")
    return sizes


def build_date(new_quarter: Period = NEW_QUARTER, deadline_days: int = 42) -> date:
    """The day every benchmark build counts as today: the new quarter's deadline (its last day
    plus `return_deadline_days`), when its returns are all in - the same for every build, so
    that the figures do not depend on the day the bench runs."""
    return new_quarter.end_date + timedelta(days=deadline_days)


@dataclass(frozen=True)
class Sample:
    """The generated sample's folder, the quarters it holds and the new quarter."""

    folder: Path
    new_quarter: Period
    quarters: int  # of history, before the new quarter

    def quarter_folder(self, period: Period) -> Path:
        return self.folder / period.slug

    def files(self, period: Period) -> list[Path]:
        return sorted(self.quarter_folder(period).glob("*.csv"))


def copy_marker(sample: Sample, returns: Path) -> None:
    """The sample's marker into `returns`, so that everything built from it says SAMPLE DATA."""
    returns.mkdir(parents=True, exist_ok=True)
    marker = sample.folder / ".riia-sample"
    if marker.is_dir() and not (returns / marker.name).exists():
        shutil.copytree(marker, returns / marker.name)


def copy_quarters(sample: Sample, periods: list[Period], returns: Path) -> int:
    """Copy the quarter folders of `periods` (and the sample's marker) into `returns`; the
    number of return files copied."""
    copy_marker(sample, returns)
    copied = 0
    for period in periods:
        source = sample.quarter_folder(period)
        if not source.is_dir():
            raise FileNotFoundError(f"the sample has no folder {source.name}")
        shutil.copytree(source, returns / source.name)
        copied += len(sample.files(period))
    return copied


def copy_one_return(sample: Sample, period: Period, returns: Path) -> Path:
    """The first return of `period` (by file name) alone in `returns`, with the sample's marker:
    the returns folder of the build that measures a build's fixed cost."""
    copy_marker(sample, returns)
    source = sample.files(period)[0]
    (returns / period.slug).mkdir()
    return Path(shutil.copy2(source, returns / period.slug / source.name))


def folder_size(folder: Path) -> tuple[int, int]:
    """(return files, bytes) under `folder`, hidden folders (the sample's marker) left out."""
    files = [p for p in folder.rglob("*.csv") if not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    return len(files), sum(p.stat().st_size for p in files)
