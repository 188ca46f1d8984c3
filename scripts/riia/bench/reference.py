"""The benchmark's oracle: the hub's indicator values and comparators computed again, from
the return CSVs and the seeds' CSVs, by one DuckDB connection - and compared with the marts.

It is deliberately an independent implementation of RETURN_TEMPLATE.md section 3 and of
what models/intermediate/indicators/*.sql document, written without dbt and without the
project's models (a self-join where the models use a window, for example), so that it
serves two purposes: the floor a full build is timed against (target 1 of issue 15) and a
check that the build computed the same values.

What it does NOT redo: validation. The files the build accepted (readable, a valid file
name, no `error` finding) are taken from the built warehouse (marts.fct_return_files and
marts.fct_validation_results); of those, the latest version of each LA and quarter is the
one in use, as rule S01 says. The CSVs of those files are then read straight from the
returns folder with read_csv (the template's column order: la_code, period, item_code,
value, comment; an accepted file has no duplicate item, T06).

What it computes, for the hub (every accepted return, as in use):

* every measure of seeds/register/ref_indicators.csv: `count`, `rate_per_10k` (over the
  population of the indicator's age band, the mid-year of the quarter's financial year or
  the nearest earlier one, else the nearest later one), `percent` and `average_days` (over
  the sum of the denominator items), and the 12-month `rate_per_10k_12m` and `percent_12m`
  (four consecutive quarters, all calculated) - value, value_status, numerator,
  denominator and population; regional items only for LAs of the collecting region, items
  only in the quarters the register collects them;
* the comparators (region, each LA's statistical neighbours, England) of every quarter
  and measure: value, numerator and denominator totals, contributing and member LAs, their
  0-17 populations, coverage and the low-coverage flag (`comparator_min_members`).

Run as `python -m riia.bench.reference RETURNS WAREHOUSE` it prints one JSON object (the
bench runs it so, in its own process, to measure its peak memory with os.wait4).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from riia.bench.reference_sql import COMPUTE_SQL
from riia.paths import SEEDS_DIR

TOLERANCE = 1e-9  # relative: the marts sum as DECIMAL, the oracle as DOUBLE
VALUE_KEY = ("la_code", "period", "indicator_code", "measure")
VALUE_COLUMNS = ("value", "value_status", "numerator", "denominator", "population")
COMPARATOR_KEY = ("comparator_type", "comparator_key", "period", "indicator_code", "measure")
COMPARATOR_COLUMNS = (
    "value",
    "numerator_total",
    "denominator_total",
    "contributing_las",
    "member_las",
    "contributing_population_0_17",
    "member_population_0_17",
    "population_coverage",
    "is_low_coverage",
)
NUMERIC = {
    "value",
    "numerator",
    "denominator",
    "population",
    "numerator_total",
    "denominator_total",
    "population_coverage",
}


@dataclass
class Comparison:
    table: str
    rows_reference: int = 0
    rows_warehouse: int = 0
    rows_compared: int = 0  # rows whose key is on both sides
    cells_compared: int = 0
    only_in_reference: int = 0
    only_in_warehouse: int = 0
    cells_differing: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return self.only_in_reference + self.only_in_warehouse + self.cells_differing


@dataclass
class Outcome:
    accepted_files: int = 0
    files_in_use: int = 0
    in_use_mismatch: int = 0  # LA-quarters whose file in use differs from marts.fct_returns
    measures: list[str] = field(default_factory=list)
    read_seconds: float = 0.0
    compute_seconds: float = 0.0
    compare_seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system time of reading and computing, every DuckDB thread
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """The oracle's own time: reading the inputs and computing every value (not comparing)."""
        return self.read_seconds + self.compute_seconds

    @property
    def differences(self) -> int:
        return self.in_use_mismatch + sum(c.differences for c in self.comparisons)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["seconds"] = self.seconds
        out["differences"] = self.differences
        return out


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def read_inputs(con: duckdb.DuckDBPyConnection, returns_dir: Path, warehouse: Path, seeds_dir: Path) -> Outcome:
    """The accepted file list (from the warehouse), the seeds and the lines of the files in use."""
    outcome = Outcome()
    con.execute(f"attach {_quote(warehouse)} as wh (read_only)")
    con.execute(
        """
        create temp table accepted as
        select f.file_path, f.la_code, f.period, f.file_version
        from wh.marts.fct_return_files as f
        where f.file_status = 'readable' and f.has_valid_file_name
            and not exists (
                select 1 from wh.marts.fct_validation_results as v
                where v.file_path = f.file_path and v.severity = 'error'
            )
        """
    )
    con.execute(
        "create temp table published_in_use as select la_code, period, file_path from wh.marts.fct_returns "
        "where is_accepted"
    )
    con.execute("detach wh")
    con.execute(
        """
        create temp table in_use as
        select la_code, period, file_path from (
            select *, row_number() over (partition by la_code, period order by file_version desc, file_path desc) as n
            from accepted
        ) where n = 1
        """
    )
    outcome.accepted_files = con.sql("select count(*) from accepted").fetchone()[0]
    outcome.files_in_use = con.sql("select count(*) from in_use").fetchone()[0]
    outcome.in_use_mismatch = con.sql(
        """
        select count(*) from in_use full join published_in_use as p using (la_code, period)
        where in_use.file_path is distinct from p.file_path
        """
    ).fetchone()[0]

    def seed(name: str, path: str) -> None:
        con.execute(
            f"create temp table {name} as select * from read_csv({_quote(seeds_dir / path)}, header = true, "
            "all_varchar = true)"
        )

    seed("s_indicators", "register/ref_indicators.csv")
    seed("s_items", "register/ref_items.csv")
    seed("s_las", "reference/ref_local_authorities.csv")
    seed("s_population", "reference/ref_population.csv")
    seed("s_neighbours", "reference/ref_statistical_neighbours.csv")

    paths = [str(returns_dir / p) for (p,) in con.sql("select file_path from in_use order by 1").fetchall()]
    con.execute("create temp table lines (file_path varchar, item_code varchar, value varchar)")
    if paths:
        listed = "[" + ", ".join(_quote(p) for p in paths) + "]"
        con.execute(
            f"""
            insert into lines
            select substr(filename, {len(str(returns_dir)) + 2}), item_code, value
            from read_csv({listed}, columns = {{'la_code': 'VARCHAR', 'period': 'VARCHAR', 'item_code': 'VARCHAR',
                                              'value': 'VARCHAR', 'comment': 'VARCHAR'}},
                          header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                          null_padding = true, filename = true)
            where item_code is not null and trim(item_code) <> ''
            """
        )
    return outcome


def compute(con: duckdb.DuckDBPyConnection, min_members: int) -> None:
    """Every value and comparator into the temp tables ref_values and ref_comparators."""
    for statement in COMPUTE_SQL.replace("$min_members", str(int(min_members))).split(";\n"):
        if statement.strip():
            con.execute(statement)


def _same(column: str) -> str:
    """SQL: the reference's `r.column` equals the warehouse's `w.column`."""
    r, w = f"r.{column}", f"w.{column}"
    if column in NUMERIC:
        return (
            f"(({r} is null and {w} is null) or abs(cast({r} as double) - cast({w} as double)) "
            f"<= {TOLERANCE} * greatest(abs(cast({r} as double)), abs(cast({w} as double)), 1))"
        )
    return f"({r} is not distinct from {w})"


def compare_table(
    con: duckdb.DuckDBPyConnection,
    reference: str,
    warehouse: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    max_examples: int = 5,
) -> Comparison:
    """Compare `reference` (a table) with `warehouse` (a table or query) row by row on `key`,
    `columns` cell by cell."""
    found = Comparison(table=warehouse)
    found.rows_reference = con.sql(f"select count(*) from {reference}").fetchone()[0]
    found.rows_warehouse = con.sql(f"select count(*) from {warehouse}").fetchone()[0]
    on = " and ".join(f"r.{k} = w.{k}" for k in key)
    keys = ", ".join(f"coalesce(r.{k}, w.{k}) as {k}" for k in key)
    sides = f"from {reference} as r full join {warehouse} as w on {on}"
    first = key[0]
    found.only_in_reference = con.sql(f"select count(*) {sides} where w.{first} is null").fetchone()[0]
    found.only_in_warehouse = con.sql(f"select count(*) {sides} where r.{first} is null").fetchone()[0]
    found.rows_compared = found.rows_reference - found.only_in_reference
    found.cells_compared = found.rows_compared * len(columns)
    differing = " + ".join(f"case when {_same(c)} then 0 else 1 end" for c in columns)
    both = f"{sides} where r.{first} is not null and w.{first} is not null"
    found.cells_differing = con.sql(f"select coalesce(sum({differing}), 0) {both}").fetchone()[0]
    for side, missing in (("only in the reference", "w"), ("only in the warehouse", "r")):
        for row in con.sql(f"select {keys} {sides} where {missing}.{first} is null order by all limit 3").fetchall():
            if len(found.examples) < max_examples:
                found.examples.append(f"{side}: " + " ".join(map(str, row)))
    for column in columns:
        rows = con.sql(
            f"select {keys}, r.{column}, w.{column} {both} and not {_same(column)} order by all limit 2"
        ).fetchall()
        for row in rows:
            if len(found.examples) < max_examples:
                *k, ours, theirs = row
                found.examples.append(f"{' '.join(map(str, k))}: {column} reference {ours!r}, warehouse {theirs!r}")
    return found


def run(returns_dir: Path, warehouse: Path, seeds_dir: Path = SEEDS_DIR, min_members: int | None = None) -> Outcome:
    """Read, compute (both timed) and compare with the warehouse's marts."""
    if min_members is None:
        from riia import config

        min_members = int(config.settings()["comparator_min_members"])
    con = duckdb.connect()
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = read_inputs(con, returns_dir.resolve(), warehouse, seeds_dir)
    read_done = time.perf_counter()
    compute(con, min_members)
    computed = time.perf_counter()
    outcome.cpu_seconds = time.process_time() - cpu_started
    outcome.read_seconds = read_done - started
    outcome.compute_seconds = computed - read_done
    outcome.measures = [m for (m,) in con.sql("select distinct measure from ref_values order by 1").fetchall()]
    con.execute(f"attach {_quote(warehouse)} as wh (read_only)")
    outcome.comparisons = [
        compare_table(con, "ref_values", "wh.marts.fct_indicator_values", VALUE_KEY, VALUE_COLUMNS),
        compare_table(con, "ref_comparators", "wh.marts.fct_indicator_comparators", COMPARATOR_KEY, COMPARATOR_COLUMNS),
    ]
    for comparison in outcome.comparisons:
        comparison.table = comparison.table.removeprefix("wh.")
    outcome.compare_seconds = time.perf_counter() - computed
    con.close()
    return outcome


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m riia.bench.reference RETURNS_DIR WAREHOUSE", file=sys.stderr)
        return 2
    outcome = run(Path(args[0]), Path(args[1]))
    print(json.dumps(outcome.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
