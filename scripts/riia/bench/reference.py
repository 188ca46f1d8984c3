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

With `views` (`--views`), it computes the same for every recipient's view, as SHARING.md
makes the build compute them: each recipient's comparators and ranks from its own view
alone. What each view holds is taken from the warehouse, as the accepted files are: which
file's figure of each LA, quarter and quarterly measure the recipient sees
(intermediate.int_sharing_gate: the sharing rules' outcome, which test_sharing.py proves
rule by rule), reading the lines of any file a view names that is not in use (a version a
region released before the LA sent another). The hub's view stays the one computed above,
from the files in use. For each view:

* its values, as above, and its 12-month measures from its own four consecutive quarters
  (a region's cross-regional LAs, its comparators only, keep no incomplete year);
* its comparators: the region, the statistical neighbours and England of every LA it
  reports on (not the cross-regional ones), pooled from the members in the view;
* its ranks (1 = highest; ties share a rank) in the region and in England among the view's
  LAs with a value, with how many were ranked, the quartile (1 = lowest ... 4 = highest) of
  the percent rank from the lowest, the rank among the LA and its neighbours, the quartile
  of the quarter before, and the LA's own figures of the quarter before and of the same
  quarter a year earlier, in the same view;

compared with the one comparator and rank engine's int_view_indicator_values,
int_view_comparators and int_view_benchmarks.

Run as `python -m riia.bench.reference [--views] RETURNS WAREHOUSE` it prints one JSON
object (the bench runs it so, in its own process, to measure its peak memory with os.wait4).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from riia.bench.reference_sql import COMPUTE_SQL, RANKS_SQL
from riia.paths import SEEDS_DIR

TOLERANCE = 1e-9  # relative: the marts sum as DECIMAL, the oracle as DOUBLE
# DuckDB's, for the whole computation and comparison (it spills beyond it). Every view of 48
# quarters needs more than 900MB, where the statements that pool and rank the views stop
# with DuckDB's out-of-memory error every time (it cannot spill all of their working set),
# and at 1GB they did once in five benches: with room to spare, the check never fails for
# want of memory. More memory can only make the reference quicker, never flatter the build.
MEMORY_LIMIT = "1.5GB"
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
    "previous_quarter_value",
    "same_quarter_last_year_value",
}
VIEW = ("recipient_id",)
RANK_COLUMNS = (
    "rank_in_region",
    "las_ranked_in_region",
    "quartile_in_region",
    "rank_among_neighbours",
    "las_ranked_among_neighbours",
    "rank_in_england",
    "las_ranked_in_england",
    "quartile_in_england",
    "previous_quartile_in_england",
    "previous_quarter_value",
    "same_quarter_last_year_value",
)
# which file's figure of each LA, quarter and quarterly measure each recipient but the hub
# sees: the sharing rules' outcome, taken from the warehouse as the accepted files are
GATE_COLUMNS = ("recipient_id", "visibility", "la_code", "period", "indicator_code", "measure", "file_path")
GATE = f"select {', '.join(GATE_COLUMNS)} from wh.intermediate.int_sharing_gate where recipient_id <> 'hub'"


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
    views: int = 0  # recipients' views computed, the hub's among them
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

    con.execute("create temp table lines (file_path varchar, item_code varchar, value varchar)")
    read_lines(con, returns_dir, "in_use")
    # the views of every recipient but the hub (read_views); none unless asked for
    con.execute(f"create temp table gate ({', '.join(f'{column} varchar' for column in GATE_COLUMNS)})")
    con.execute("create temp table view_files as select la_code, period, file_path from in_use where false")
    return outcome


def read_lines(con: duckdb.DuckDBPyConnection, returns_dir: Path, files: str) -> None:
    """The data lines of the files the table `files` lists (file_path relative to `returns_dir`)."""
    paths = [str(returns_dir / p) for (p,) in con.sql(f"select file_path from {files} order by 1").fetchall()]
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


def read_views(con: duckdb.DuckDBPyConnection, returns_dir: Path, warehouse: Path) -> None:
    """Every recipient's view but the hub's: which file's figure of each LA, quarter and
    quarterly measure it sees (the gate, from the warehouse, as the accepted files are), and
    the lines of the files it names that are not in use (a version a region released before
    the LA sent another)."""
    con.execute(f"attach {_quote(warehouse)} as wh (read_only)")
    con.execute(f"insert into gate {GATE}")
    con.execute("detach wh")
    con.execute(
        "insert into view_files select distinct la_code, period, file_path from gate "
        "where file_path not in (select file_path from in_use)"
    )
    read_lines(con, returns_dir, "view_files")


def compute(con: duckdb.DuckDBPyConnection, min_members: int, views: bool = False) -> None:
    """Every value and comparator into the temp tables ref_values and ref_comparators (the
    hub's) and ref_view_values and ref_view_comparators (every view read, the hub's first);
    with `views`, each view's ranks too (ref_view_ranks)."""
    script = COMPUTE_SQL.replace("$min_members", str(int(min_members))) + (RANKS_SQL if views else "")
    for statement in script.split(";\n"):
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


def run(
    returns_dir: Path,
    warehouse: Path,
    seeds_dir: Path = SEEDS_DIR,
    min_members: int | None = None,
    views: bool = False,
) -> Outcome:
    """Read, compute (both timed) and compare with the warehouse: the hub's values and
    comparators with the marts; with `views`, every recipient's view too (its values,
    comparators and ranks) with the one comparator and rank engine's tables."""
    if min_members is None:
        from riia import config

        min_members = int(config.settings()["comparator_min_members"])
    returns_dir = returns_dir.resolve()
    with tempfile.TemporaryDirectory(prefix="riia-reference-") as spill:
        return _run(returns_dir, warehouse, seeds_dir, min_members, views, Path(spill))


def _run(returns_dir: Path, warehouse: Path, seeds_dir: Path, min_members: int, views: bool, spill: Path) -> Outcome:
    # at most MEMORY_LIMIT, spilling beyond it: every view of 48 quarters is 15 million rows
    # (3 GB without a limit at 12 quarters; the same time within it)
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})
    con.execute("set enable_progress_bar = false")  # its output is one JSON line
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = read_inputs(con, returns_dir, warehouse, seeds_dir)
    if views:
        read_views(con, returns_dir, warehouse)
    read_done = time.perf_counter()
    compute(con, min_members, views)
    computed = time.perf_counter()
    outcome.cpu_seconds = time.process_time() - cpu_started
    outcome.read_seconds = read_done - started
    outcome.compute_seconds = computed - read_done
    outcome.measures = [m for (m,) in con.sql("select distinct measure from ref_values order by 1").fetchall()]
    outcome.views = con.sql("select count(distinct recipient_id) from ref_view_values").fetchone()[0]
    con.execute(f"attach {_quote(warehouse)} as wh (read_only)")
    outcome.comparisons = [
        compare_table(con, "ref_values", "wh.marts.fct_indicator_values", VALUE_KEY, VALUE_COLUMNS),
        compare_table(con, "ref_comparators", "wh.marts.fct_indicator_comparators", COMPARATOR_KEY, COMPARATOR_COLUMNS),
    ]
    if views:
        engine = "wh.intermediate.int_view_"
        outcome.comparisons += [
            compare_table(con, "ref_view_values", engine + "indicator_values", VIEW + VALUE_KEY,
                          ("visibility", *VALUE_COLUMNS)),
            compare_table(con, "ref_view_comparators", engine + "comparators", VIEW + COMPARATOR_KEY,
                          COMPARATOR_COLUMNS),
            compare_table(con, "ref_view_ranks", engine + "benchmarks", VIEW + VALUE_KEY, RANK_COLUMNS),
        ]  # fmt: skip
    for comparison in outcome.comparisons:
        comparison.table = comparison.table.removeprefix("wh.")
    outcome.compare_seconds = time.perf_counter() - computed
    con.close()
    return outcome


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    views = "--views" in args
    args = [a for a in args if a != "--views"]
    if len(args) != 2:
        print("usage: python -m riia.bench.reference [--views] RETURNS_DIR WAREHOUSE", file=sys.stderr)
        return 2
    outcome = run(Path(args[0]), Path(args[1]), views=views)
    print(json.dumps(outcome.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
