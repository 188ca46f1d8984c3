"""What a recipient's reports are made of: its own DuckDB file, opened read-only.

A recipient's reports never read the hub warehouse (SHARING.md, "What each recipient's
folder holds"): everything here comes from the tables `riia.publish` wrote into the
recipient's file (`indicators`, `indicator_catalogue`, `returns`, `findings`,
`agreements_used`, `withheld`, `handling`). Reports read only the quarters they show: a
quarter and the seven before it (`window`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb

from riia.periods import Period, periods_between
from riia.reports.cache import content_hash

Row = dict[str, Any]
WINDOW_QUARTERS = 8
"""A profile's chart and a rug's trend: the quarter and the seven before it."""


@dataclass(frozen=True)
class Handling:
    """The `handling` row: who the folder is for and how it must be handled."""

    recipient_id: str
    audience: str
    region_code: str | None
    marking: str
    as_of: date | None
    is_sample: bool
    build_id: str


@dataclass(frozen=True)
class Measure:
    """One `indicator_catalogue` row: an indicator in one measure."""

    indicator_code: str
    measure: str
    name: str
    topic: str
    unit_label: str
    polarity: str  # higher_is_better, lower_is_better or context
    is_headline: bool
    display_order: int
    window_quarters: int
    base_measure: str
    dp: int
    item_set: str

    @property
    def is_polar(self) -> bool:
        return self.polarity in ("higher_is_better", "lower_is_better")

    @property
    def is_regional_item(self) -> bool:
        """An item only its region collects: its 'England' comparators are the region's own LAs."""
        return self.item_set == "regional"


@dataclass(frozen=True)
class Catalogue:
    """The indicators a recipient's rows hold, in display order."""

    measures: tuple[Measure, ...]

    def headlines(self, indicator_codes: Iterable[str] | None = None) -> list[Measure]:
        """The measure each report shows per indicator (is_headline), in display order."""
        wanted = None if indicator_codes is None else set(indicator_codes)
        found = [m for m in self.measures if m.is_headline and (wanted is None or m.indicator_code in wanted)]
        return sorted(found, key=lambda m: (m.display_order, m.indicator_code))

    @cached_property
    def _twelve_months(self) -> dict[tuple[str, str], Measure]:
        """(indicator, base measure) -> its first 12-month measure (asked for per card and sheet row)."""
        found: dict[tuple[str, str], Measure] = {}
        for m in self.measures:
            if m.window_quarters == 4:
                found.setdefault((m.indicator_code, m.base_measure), m)
        return found

    def twelve_month(self, headline: Measure) -> Measure | None:
        """The 12-month measure built on the headline's measure (rate_per_10k_12m, percent_12m), if any."""
        return self._twelve_months.get((headline.indicator_code, headline.measure))


def quarter_window(period: str, quarters: int = WINDOW_QUARTERS) -> list[str]:
    """`period` and the quarters before it, oldest first: ['2023-24 Q1', ..., '2024-25 Q4']."""
    last = Period.require(period)
    return [p.label for p in periods_between(last.shift(1 - quarters), last)]


def by_period(periods: Iterable[str]) -> list[str]:
    """Periods in time order (text order is time order only within a financial year's format)."""
    return sorted(set(periods), key=lambda p: Period.require(p).index)


class RecipientData:
    """The recipient's DuckDB file, read-only; each method reads one table (or one window of it)."""

    def __init__(self, database: Path) -> None:
        self.path = database
        self.con = duckdb.connect(str(database), read_only=True)
        self.tables = {row[0] for row in self.con.sql("select table_name from information_schema.tables").fetchall()}
        self.columns = (
            {row[0] for row in self.con.sql("describe indicators").fetchall()} if "indicators" in self.tables else set()
        )
        self._returns: list[Row] | None = None
        self._returns_by_period: dict[str, list[Row]] = {}
        self._withheld: list[Row] | None = None
        self._region_names: dict[str, str] | None = None
        self._returns_digests: dict[tuple[str, str], str] = {}  # (period, region code) -> hash
        self._findings: dict[str, list[Row]] | None = None  # period -> rows, read once
        self._held: dict[str, dict[str, list[Row]]] = {}  # region code -> period -> rows (prefetch)
        self._digests: dict[str | None, dict[str, tuple[int, int]]] = {}  # region code -> period -> count, hash sum
        self._las: dict[str, dict[str, dict[str, str]]] = {}  # region code -> period -> LA code -> name

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> RecipientData:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, sql: str, parameters: list[Any] | None = None) -> list[Row]:
        cursor = self.con.execute(sql, parameters or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @property
    def is_la_grain(self) -> bool:
        return "la_code" in self.columns

    def handling(self) -> Handling:
        row = self.rows("select * from handling")[0]
        return Handling(
            recipient_id=row["recipient_id"],
            audience=row["audience"],
            region_code=None if row["region_code"] is None else str(row["region_code"]),
            marking=row["handling_marking"],
            as_of=row["as_of_date"],
            is_sample=bool(row["is_sample_data"]),
            build_id=row["build_id"],
        )

    def catalogue(self) -> Catalogue:
        rows = self.rows("select * from indicator_catalogue order by display_order, indicator_code, measure")
        return Catalogue(
            tuple(
                Measure(
                    indicator_code=r["indicator_code"],
                    measure=r["measure"],
                    name=r["indicator_name"],
                    topic=r["topic"],
                    unit_label=r["unit_label"],
                    polarity=r["polarity"] or "context",
                    is_headline=bool(r["is_headline"]),
                    display_order=int(r["display_order"]),
                    window_quarters=int(r["window_quarters"]),
                    base_measure=r["base_measure"],
                    dp=int(r["rounding_dp"]),
                    item_set=r["item_set"],
                )
                for r in rows
            )
        )

    def agreements(self) -> list[Row]:
        return self.rows("select * from agreements_used order by agreement_id")

    def withheld(self) -> list[Row]:
        """The whole `withheld` table (read once: every quarter's reports depend on it)."""
        if self._withheld is None:
            self._withheld = self.rows("select * from withheld order by all") if "withheld" in self.tables else []
        return self._withheld

    def withheld_quarters(self, region_code: str, window: Iterable[str]) -> dict[str, str]:
        """Quarter -> why it is withheld, for the region's quarters of `window` that the
        recipient may not see (the only rows of `withheld` a report shows, and so the only
        ones its content hash takes: a quarter withheld today changes the reports whose
        window holds it, not every quarter's)."""
        wanted = set(window)
        return {
            w["period"]: w["reason"]
            for w in self.withheld()
            if w["scope"] == "quarter" and w["region_code"] == region_code and w["period"] in wanted
        }

    def indicator_periods(self, region_code: str | None = None) -> list[str]:
        """The quarters the recipient holds figures for (of one region's LAs, if given)."""
        where, parameters = ("where region_code = ?", [region_code]) if region_code else ("", [])
        found = self.con.execute(f"select distinct period from indicators {where}", parameters).fetchall()
        return by_period(p for (p,) in found)

    def prefetch(self, region_code: str, periods: Iterable[str]) -> None:
        """Read the indicator rows of one region in `periods` in one query, for `window` to serve
        the windows within them (the quarters of a render job overlap by seven of their eight)."""
        wanted = by_period(periods)
        held: dict[str, list[Row]] = {p: [] for p in wanted}
        for row in self.rows(
            "select * from indicators where list_contains(?, period) and region_code = ?", [wanted, region_code]
        ):
            held[row["period"]].append(row)
        self._held[region_code] = held

    def window(
        self, period: str, region_code: str | None = None, indicator_codes: Iterable[str] | None = None
    ) -> list[Row]:
        """The indicator rows of `period` and the seven quarters before it (LA grain)."""
        held = self._held.get(region_code or "")
        if held is not None and indicator_codes is None and all(p in held for p in quarter_window(period)):
            return [row for p in quarter_window(period) for row in held[p]]
        conditions, parameters = ["list_contains(?, period)"], [quarter_window(period)]
        if region_code:
            conditions.append("region_code = ?")
            parameters.append(region_code)
        if indicator_codes is not None:
            conditions.append("list_contains(?, indicator_code)")
            parameters.append(sorted(indicator_codes))
        return self.rows(f"select * from indicators where {' and '.join(conditions)}", parameters)

    def window_digest(self, period: str, region_code: str | None = None) -> str:
        """A hash of every indicator row of the window (DuckDB's row hash, summed): what a rug or a
        profile of the quarter shows, without bringing the rows into Python. The count and sum are
        taken per quarter (one query per region) and added up over the window's quarters."""
        if region_code not in self._digests:
            where, parameters = ("where region_code = ?", [region_code]) if region_code else ("", [])
            found = self.con.execute(
                f"select period, count(*), sum(hash(i)::hugeint) from indicators as i {where} group by period",
                parameters,
            ).fetchall()
            self._digests[region_code] = {p: (count, total) for p, count, total in found}
        sums = [self._digests[region_code][p] for p in quarter_window(period) if p in self._digests[region_code]]
        total = sum(t for _, t in sums) if sums else None
        return f"{sum(c for c, _ in sums)}:{total}"

    def window_las(self, period: str, region_code: str) -> dict[str, str | None]:
        """LA code -> name of every LA with a row in the window, by name; an LA's name as its
        window's latest quarter with a name gives it. The region's LAs of every quarter are read in one
        query, the first time one of its windows is asked for: a query per window read the
        whole table once per quarter, a cost that grew with the square of the history."""
        if region_code not in self._las:
            self._las[region_code] = {}
            for found_period, la_code, la_name in self.con.execute(
                "select period, la_code, any_value(la_name) from indicators where region_code = ? group by all",
                [region_code],
            ).fetchall():
                self._las[region_code].setdefault(found_period, {})[la_code] = la_name
        named: dict[str, str | None] = {}
        for quarter in quarter_window(period):  # oldest first: the latest quarter's name wins
            found = self._las[region_code].get(quarter, {})
            # a quarter without a name keeps the one an earlier quarter gave (as any_value skips NULLs)
            named |= {la: name for la, name in found.items() if name is not None or la not in named}
        # by name, an LA without one last (as SQL orders NULLs)
        return dict(sorted(named.items(), key=lambda item: (item[1] is None, item[1] or "", item[0])))

    def region_name(self, region_code: str) -> str:
        """The region's name (every region's read in one query, the first time one is asked for)."""
        if self._region_names is None:
            found = self.con.execute("select region_code, max(region_name) from indicators group by all").fetchall()
            self._region_names = {code: name for code, name in found if name}
        return self._region_names.get(region_code, region_code)

    def region_codes(self) -> list[str]:
        return [r for (r,) in self.con.execute("select distinct region_code from indicators order by 1").fetchall()]

    def returns(self, period: str | None = None) -> list[Row]:
        """The returns tracker rows (regions only): every LA of the region and quarter."""
        if "returns" not in self.tables:
            return []
        if self._returns is None:
            self._returns = self.rows("select * from returns order by la_name, la_code, period")
            for row in self._returns:
                self._returns_by_period.setdefault(row["period"], []).append(row)
        return self._returns if period is None else self._returns_by_period.get(period, [])

    def returns_digest(self, period: str, region_code: str) -> str:
        """A hash of the region's returns tracker rows of one quarter, made once (the windows of
        eight quarters that include it each add it to their reports' hash)."""
        key = (period, region_code)
        if key not in self._returns_digests:
            rows = [r for r in self.returns(period) if r["region_code"] == region_code]
            self._returns_digests[key] = content_hash(rows)
        return self._returns_digests[key]

    def return_periods(self) -> list[str]:
        if "returns" not in self.tables:
            return []
        return by_period(p for (p,) in self.con.execute("select distinct period from returns").fetchall())

    def findings(self, period: str) -> list[Row]:
        """The validation findings of one quarter (the table is read once, in one query: a query
        per quarter cost more than the rows as history grew)."""
        if "findings" not in self.tables:
            return []
        if self._findings is None:
            self._findings = {}
            for row in self.rows(
                """
                select * from findings
                order by period, la_code, is_latest_version desc, source_file desc, severity,
                    line_number nulls first, rule_id, item_code
                """
            ):
                self._findings.setdefault(row["period"], []).append(row)
        return self._findings.get(period, [])
