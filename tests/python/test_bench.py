"""`riia bench`'s pure parts: the history windows, the figures against their targets, and the
reference computation and its comparison on a tiny hand-made warehouse. Nothing is timed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from riia import config
from riia.bench import plan, reference, report, runs
from riia.bench.report import Row, Target, figure, ratio_text
from riia.paths import PROJECT_ROOT

# --------------------------------------------------------------------------- plan


def test_history_windows_end_just_before_the_new_quarter() -> None:
    assert plan.NEW_QUARTER.label == "2025-26 Q1"
    twelve = plan.history(12)
    assert (twelve[0].label, twelve[-1].label) == ("2022-23 Q1", "2024-25 Q4")  # the default sample
    assert plan.history(48)[0].label == "2013-14 Q1"
    assert plan.most_quarters() == 52  # 2012-13 Q1 .. 2024-25 Q4


def test_sizes_rule_t03_cannot_validate_are_refused_with_the_reason() -> None:
    assert plan.size_problem(48) is None
    assert plan.size_problem(52) is None
    problem = plan.size_problem(192)
    assert problem is not None and "T03" in problem and "52" in problem
    assert plan.size_problem(2) is not None
    assert plan.parse_sizes("48, 12,24,12") == [12, 24, 48]
    with pytest.raises(ValueError):
        plan.parse_sizes("12x1")


def test_every_build_counts_the_new_quarters_deadline_as_today() -> None:
    assert plan.build_date() == date(2025, 8, 11)  # 30 June 2025 + 42 days


def test_only_a_catch_up_gets_a_memory_limit_of_its_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the person running the bench may have set a limit: no build takes it
    monkeypatch.setenv("RIIA_DUCKDB_MEMORY_LIMIT", "9GB")
    quarterly = runs.build_env(tmp_path / "returns", tmp_path / "build", "2025-08-11")
    catch_up = runs.build_env(tmp_path / "returns", tmp_path / "build", "2025-08-11", runs.CATCH_UP_MEMORY_LIMIT)
    assert "RIIA_DUCKDB_MEMORY_LIMIT" not in quarterly
    assert catch_up["RIIA_DUCKDB_MEMORY_LIMIT"] == runs.CATCH_UP_MEMORY_LIMIT
    assert {k: v for k, v in catch_up.items() if k != "RIIA_DUCKDB_MEMORY_LIMIT"} == quarterly


def small_sample(folder: Path, quarters: int) -> plan.Sample:
    """A sample folder of the first `quarters` quarters of the 12q history, two LAs' returns each
    (named out of order: 202 before 201), with the sample's marker."""
    for period in plan.history(12)[:quarters]:
        (folder / period.slug).mkdir(parents=True)
        for la in ("202", "201"):
            (folder / period.slug / f"{la}_{period.slug}.csv").write_text(f"{la} {period.label}\n")
    (folder / ".riia-sample").mkdir()
    (folder / ".riia-sample" / "README").write_text("SAMPLE DATA\n")
    return plan.Sample(folder, plan.NEW_QUARTER, 12)


def test_the_fixed_cost_build_gets_one_return_of_the_first_quarter_and_the_sample_marker(tmp_path: Path) -> None:
    first = plan.history(12)[0]
    returns = tmp_path / "returns"
    copied = plan.copy_one_return(small_sample(tmp_path / "sample", 2), first, returns)
    assert copied == returns / first.slug / f"201_{first.slug}.csv"
    assert sorted(p.relative_to(returns).as_posix() for p in returns.rglob("*") if p.is_file()) == [
        ".riia-sample/README",
        f"{first.slug}/201_{first.slug}.csv",
    ]
    assert copied.read_text() == f"201 {first.label}\n"


# --------------------------------------------------------------------------- report


def test_a_figure_is_printed_with_its_ratio_to_the_target_never_asserted() -> None:
    assert ratio_text(6.0, 15) == "0.40 of the target"
    assert ratio_text(60.0, 15) == "4.00 times the target"
    assert figure(0.4123, "share") == "41%"
    assert figure(59.53, "x") == "59.5x"
    assert figure(1.234, "x") == "1.23x"
    assert figure(936.4, "MB") == "936 MB"
    met = Target("2a", "increment against full", 0.3, 0.4, "share", "30 s / 100 s").line()
    assert met == "2a. increment against full: 30% (30 s / 100 s); target at most 40%; 0.75 of the target - met"
    missed = Target("3a", "peak memory", 936.0, 700, "MB").line()
    assert missed.endswith("1.34 times the target - NOT met")
    assert "not measured" in Target("2c", "increment at 48", None, 1.2, "x", "needs size 48").line()
    on_cpu = Target("2b", "increment at 24", 1.5, 1.2, "x", cpu=1.1).line()
    assert on_cpu.endswith("1.25 times the target - NOT met; on CPU time 1.10x, 0.92 of the target")


def test_a_flatness_ratio_gives_the_spread_of_its_runs_and_says_when_the_target_lies_within_it() -> None:
    # medians 24.5 s and 21.7 s: 1.13x, met; the runs paired, fastest against slowest: 1.05x to 1.23x
    spread = report.pairing_spread((23.4, 24.5, 25.6), (20.8, 22.2, 21.7))
    assert spread is not None and (round(spread[0], 3), round(spread[1], 3)) == (1.054, 1.231)
    across = Target("2c", "increment at 48", 24.5 / 21.7, 1.2, "x", spread=spread).line()
    assert across.endswith(
        "0.94 of the target - met; every pairing of runs: 1.05x to 1.23x, across the target: another bench on "
        "the same code could give the other verdict"
    )
    (table_row,) = report.targets_table([Target("2c", "increment at 48", 24.5 / 21.7, 1.2, "x", "24.5 s / 21.7 s",
                                                spread=spread)])[2:]  # fmt: skip
    assert "| 24.5 s / 21.7 s; every pairing of runs: 1.05x to 1.23x, across the target" in table_row
    clear = Target("2c", "increment at 48", 1.1, 1.2, "x", spread=(1.05, 1.15)).line()
    assert clear.endswith("- met; every pairing of runs: 1.05x to 1.15x")
    assert "every pairing" not in Target("2c", "increment at 48", 1.1, 1.2, "x").line()
    # a size timed once has no spread
    assert report.pairing_spread((23.4,), (20.8, 22.2)) is None


# --------------------------------------------------------------------------- reference: comparison


def two_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create table r (k varchar, m varchar, value double, value_status varchar)")
    con.execute("create table w (k varchar, m varchar, value double, value_status varchar)")
    con.execute(
        "insert into r values ('a', 'count', 10, 'calculated'), ('b', 'count', 1.0, 'calculated'),"
        " ('c', 'count', null, 'not_available'), ('d', 'count', 5, 'calculated')"
    )
    con.execute(
        "insert into w values ('a', 'count', 10.000000000001, 'calculated'), ('b', 'count', 1.5, 'calculated'),"
        " ('c', 'count', null, 'not_collected'), ('e', 'count', 7, 'calculated')"
    )


def test_the_comparison_counts_rows_on_one_side_and_values_that_differ() -> None:
    con = duckdb.connect()
    two_tables(con)
    found = reference.compare_table(con, "r", "w", ("k", "m"), ("value", "value_status"))
    assert (found.rows_reference, found.rows_warehouse, found.rows_compared) == (4, 4, 3)
    assert found.cells_compared == 6
    assert (found.only_in_reference, found.only_in_warehouse) == (1, 1)
    assert found.cells_differing == 2  # b's value, c's status; a's value is within the tolerance
    assert found.differences == 4
    assert any("b count: value reference 1.0, warehouse 1.5" in e for e in found.examples)
    assert any(e.startswith("only in the reference: d") for e in found.examples)


def test_identical_tables_have_no_difference() -> None:
    con = duckdb.connect()
    two_tables(con)
    con.execute("create table same as select * from r")
    found = reference.compare_table(con, "r", "same", ("k", "m"), ("value", "value_status"))
    assert found.differences == 0 and found.cells_compared == 8 and not found.examples


# --------------------------------------------------------------------------- reference: computation

SEEDS = {
    "register/ref_indicators.csv": [
        "indicator_code,measure,window_quarters,base_measure,numerator_item,denominator_items,population_age_band,multiplier",
        "CLA_START,count,1,count,CLA_START,,,1",
        "CLA_START,rate_per_10k,1,rate_per_10k,CLA_START,,0-17,10000",
        "CLA_START,rate_per_10k_12m,4,rate_per_10k,CLA_START,,0-17,10000",
        "ASSESS_45D,percent,1,percent,ASSESS_45D,ASSESS_COMPLETED,,100",
    ],
    "register/ref_items.csv": [
        "item_code,value_type,collecting_region_code,first_period,last_period",
        "CLA_START,count,,2012-13 Q1,",
        "ASSESS_45D,count,,2012-13 Q1,",
        "ASSESS_COMPLETED,count,,2012-13 Q1,",
    ],
    "reference/ref_local_authorities.csv": [
        "la_code,region_code,first_period,last_period",
        "801,R1,2012-13 Q1,",
        "802,R1,2012-13 Q1,",
    ],
    "reference/ref_population.csv": [
        "geography_level,area_code,mid_year,age_band,population",
        "la,801,2023,0-17,10000",
        "la,801,2024,0-17,20000",
        "la,802,2024,0-17,5000",
    ],
    "reference/ref_statistical_neighbours.csv": ["la_code,neighbour_la_code,sn_model", "801,802,2025", "802,801,2025"],
}
RETURNS = {  # file -> (CLA_START, ASSESS_45D, ASSESS_COMPLETED)
    "2024-25_Q1/801_2024-25_Q1.csv": ("2", "45", "90"),
    "2024-25_Q2/801_2024-25_Q2.csv": ("3", "x", "10"),
    "2024-25_Q2/801_2024-25_Q2_v2.csv": ("4", "5", "0"),  # the latest accepted version
    "2024-25_Q2/802_2024-25_Q2.csv": ("6", "1", "4"),
}


def tiny_project(tmp_path: Path) -> tuple[Path, Path, Path]:
    seeds, returns = tmp_path / "seeds", tmp_path / "returns"
    for name, lines in SEEDS.items():
        (seeds / name).parent.mkdir(parents=True, exist_ok=True)
        (seeds / name).write_text("\n".join(lines) + "\n")
    files = []
    for name, (start, within, completed) in RETURNS.items():
        la, fy, quarter = Path(name).stem.split("_")[:3]
        period = f"{fy} {quarter}"
        rows = [("CLA_START", start), ("ASSESS_45D", within), ("ASSESS_COMPLETED", completed)]
        (returns / name).parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f"{la},{period},{item},{value},\n" for item, value in rows)
        (returns / name).write_text("la_code,period,item_code,value,comment\n" + body)
        files.append((name, la, period, 2 if name.endswith("_v2.csv") else 1))
    warehouse = tmp_path / "riia.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_return_files (file_path varchar, la_code varchar, period varchar, "
            "file_version integer, file_status varchar, has_valid_file_name boolean)"
        )
        con.executemany("insert into marts.fct_return_files values (?, ?, ?, ?, 'readable', true)", files)
        con.execute("create table marts.fct_validation_results (file_path varchar, severity varchar)")
        con.execute(
            "create table marts.fct_returns (la_code varchar, period varchar, file_path varchar, is_accepted boolean)"
        )
        con.execute(
            "insert into marts.fct_returns values ('801', '2024-25 Q1', '2024-25_Q1/801_2024-25_Q1.csv', true),"
            " ('801', '2024-25 Q2', '2024-25_Q2/801_2024-25_Q2_v2.csv', true),"
            " ('802', '2024-25 Q2', '2024-25_Q2/802_2024-25_Q2.csv', true)"
        )
    return seeds, returns, warehouse


def test_the_reference_computes_the_registers_measures_from_the_files_in_use(tmp_path: Path) -> None:
    seeds, returns, warehouse = tiny_project(tmp_path)
    con = duckdb.connect()
    outcome = reference.read_inputs(con, returns, warehouse, seeds)
    assert (outcome.accepted_files, outcome.files_in_use, outcome.in_use_mismatch) == (4, 3, 0)
    reference.compute(con, min_members=2)
    values = {
        (la, period, code, measure): (value, status)
        for la, period, code, measure, value, status in con.sql(
            "select la_code, period, indicator_code, measure, value, value_status from ref_values"
        ).fetchall()
    }
    assert values["801", "2024-25 Q1", "CLA_START", "count"] == (2.0, "calculated")
    # mid-2024 population for 2024-25 quarters
    assert values["801", "2024-25 Q1", "CLA_START", "rate_per_10k"] == (1.0, "calculated")
    assert values["801", "2024-25 Q2", "CLA_START", "rate_per_10k"] == (2.0, "calculated")  # version 2: 4
    assert values["801", "2024-25 Q1", "ASSESS_45D", "percent"] == (50.0, "calculated")
    assert values["801", "2024-25 Q2", "ASSESS_45D", "percent"] == (None, "zero_denominator")
    assert values["801", "2024-25 Q2", "CLA_START", "rate_per_10k_12m"] == (None, "incomplete_year")
    comparators = dict(
        ((kind, key, measure), (value, contributing, members, low))
        for kind, key, measure, value, contributing, members, low in con.sql(
            "select comparator_type, comparator_key, measure, value, contributing_las, member_las, is_low_coverage "
            "from ref_comparators where period = '2024-25 Q2' and indicator_code = 'CLA_START'"
        ).fetchall()
    )
    # (4 + 6) children over (20,000 + 5,000) x 10,000
    assert comparators["region", "R1", "rate_per_10k"] == (4.0, 2, 2, False)
    assert comparators["statistical_neighbours", "801", "count"] == (6.0, 1, 1, True)
    # Q1: 802 sent nothing, so England pools one LA of two
    q1 = con.sql(
        "select value, contributing_las, member_las, population_coverage from ref_comparators "
        "where period = '2024-25 Q1' and comparator_type = 'england' and measure = 'rate_per_10k'"
    ).fetchone()
    assert q1 == (1.0, 1, 2, 0.8)


def test_every_view_is_computed_from_the_files_its_gate_names_and_ranked_within_itself(tmp_path: Path) -> None:
    seeds, returns, warehouse = tiny_project(tmp_path)
    q1, q2 = "2024-25_Q1/801_2024-25_Q1.csv", "2024-25_Q2/802_2024-25_Q2.csv"
    released, latest = "2024-25_Q2/801_2024-25_Q2.csv", "2024-25_Q2/801_2024-25_Q2_v2.csv"
    gate = [  # (recipient, visibility, la, period, file) for CLA_START's count and rate
        ("narrow", "shared", "801", "2024-25 Q1", q1),
        ("narrow", "shared", "801", "2024-25 Q2", released),  # the version released before v2
        ("wide", "own", "801", "2024-25 Q1", q1),
        ("wide", "own", "801", "2024-25 Q2", latest),
        ("wide", "cross_regional", "802", "2024-25 Q2", q2),
        ("hub", "own", "801", "2024-25 Q2", released),  # the hub's own view is the reference's, not the gate's
    ]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_sharing_gate (recipient_id varchar, visibility varchar, la_code varchar, "
            "period varchar, indicator_code varchar, measure varchar, file_path varchar)"
        )
        for measure in ("count", "rate_per_10k"):
            con.executemany(
                f"insert into intermediate.int_sharing_gate values (?, ?, ?, ?, 'CLA_START', '{measure}', ?)", gate
            )
    con = duckdb.connect()
    reference.read_inputs(con, returns, warehouse, seeds)
    reference.read_views(con, returns, warehouse)
    reference.compute(con, min_members=2, views=True)

    def one(sql: str, *params: str) -> tuple:
        (row,) = con.execute(sql, params).fetchall()
        return row

    value = "select value from ref_view_values where recipient_id = ? and la_code = ? and period = ? and measure = ?"
    assert one(value, "narrow", "801", "2024-25 Q2", "count") == (3.0,)  # read from the released file
    assert one(value, "wide", "801", "2024-25 Q2", "count") == (4.0,)
    assert one(value, "hub", "801", "2024-25 Q2", "count") == (4.0,)  # the file in use
    england = (
        "select value, contributing_las, member_las from ref_view_comparators where recipient_id = ? "
        "and comparator_type = 'england' and period = '2024-25 Q2' and measure = 'count'"
    )
    assert one(england, "narrow") == (3.0, 1, 2)  # 802 is not in its view
    assert one(england, "wide") == (10.0, 2, 2)
    ranks = (
        "select rank_in_england, las_ranked_in_england, rank_among_neighbours, las_ranked_among_neighbours, "
        "quartile_in_england, previous_quarter_value from ref_view_ranks where recipient_id = ? and la_code = '801' "
        "and period = '2024-25 Q2' and measure = 'count'"
    )
    assert one(ranks, "narrow") == (1, 1, 1, 1, None, 2.0)
    assert one(ranks, "wide") == (2, 2, 2, 2, 1, 2.0)  # below 802's 6, its neighbour; the lower quartile
    # a cross-regional LA is a comparator only: no ranks of its own, and no incomplete year kept
    wide_802 = "select count(*) from ref_view_ranks where recipient_id = 'wide' and la_code = '802'"
    assert con.sql(wide_802).fetchone() == (0,)
    twelve = "select la_code, value_status from ref_view_values where recipient_id = 'wide' and measure like '%12m'"
    assert con.sql(twelve).fetchall() == [("801", "incomplete_year"), ("801", "incomplete_year")]


def test_targets_take_their_figures_from_the_runs_by_name() -> None:
    def build(name: str, seconds: float, peak: float, quarters: int = 12, steps: str = "") -> Row:
        """`peak`: the processes' together (tree PSS); the largest alone (RSS) is 100 MB less."""
        kind = name.split()[0]
        return Row(name, kind, quarters, 1, 1.0, seconds, None, peak - 100, peak, True, steps)

    rows = [
        build("full 12q", 200.0, 900.0),
        Row(report.EVERY_VIEW, "reference", None, 1, None, 40.0, None, 500.0, None, True),
        build("increment at 12", 70.0, 600.0, steps="load 5.0 s, dbt 40.0 s"),
        build("increment at 48", 140.0, 800.0, 48, steps="load 20.0 s, dbt 50.0 s"),
    ]
    rows[2].run_seconds, rows[3].run_seconds = (70.0, 60.0, 80.0), (140.0, 120.0, 150.0)
    memory = {"empty": 100.0, "at_limit": 1124.0, "at_limit_and_large": 1125.0, "limit_bytes": 2**20}
    found = {t.number: t for t in report.targets(rows, 2.0, memory)}
    assert found["1"].measured == 100.0 and found["1"].met is False
    assert found["1b"].measured == 5.0 and found["1b"].met is True and found["1b"].detail == "200.0 s / 40.00 s"
    assert found["2a"].measured == 0.35 and found["2a"].met is True
    assert found["2b"].measured is None and "needs sizes 12 and 24" in found["2b"].line()
    assert found["2c"].measured == 2.0
    assert found["2c"].detail == "140.0 s / 70.0 s: +70.0 s over 36 quarters more, +1.94 s each"
    assert found["2c"].spread == (1.5, 2.5)  # 120 / 80 and 150 / 60
    assert found["2b"].spread is None
    # memory: the build's processes together, not its largest process alone
    assert (found["3a"].measured, found["3b"].measured) == (900.0, 800.0)
    assert found["3a"].detail == "its largest process alone 800 MB (RSS)"
    assert found["3d"].measured == 1.0 and found["3d"].met is True
    assert found["3c"].measured is None and "needs the build of one return" in found["3c"].line()
    rows += [build(report.FIXED_COST, 20.0, 380.0, 1), build(report.AT_LIMIT, 30.0, 560.0, 1)]
    found = {t.number: t for t in report.targets(rows, 2.0, memory)}
    assert found["3c"].measured == 560.0 and found["3c"].met is True  # the build's peak, not the probe's 1,124 MB
    assert found["3c"].detail == (
        "its largest process alone 460 MB (RSS); 380 MB without it; the loader and line parser alone 1124 MB, "
        "100 MB without it: 1,024 bytes of memory per byte of file"
    )
    assert report.increment_steps(rows) == [
        "Increment steps at 12 / 48 quarters of history (seconds): load 5.0 / 20.0; dbt 40.0 / 50.0"
    ]


def test_target_1_says_what_a_build_of_one_return_costs_against_each_reference() -> None:
    rows = [
        Row("full 12q", "full", 12, 1835, 2.0, 60.0, None, 600.0, None, True),
        Row(report.EVERY_VIEW, "reference", None, 1, None, 8.0, None, 500.0, None, True),
    ]
    without = {t.number: t for t in report.targets(rows, 1.2, {})}
    assert (without["1"].detail, without["1b"].detail) == ("60.0 s / 1.20 s", "60.0 s / 8.00 s")
    rows.append(Row(report.FIXED_COST, "full", 1, 1, 0.0, 18.0, None, 400.0, None, True))
    found = {t.number: t for t in report.targets(rows, 1.2, {})}
    assert found["1"].measured == 50.0  # the target's figure itself is unchanged
    assert found["1"].detail == (
        "60.0 s / 1.20 s; the full build of one return takes 18.0 s, 15.0x on its own, which no speed-up of the "
        "data work removes; the rest, 42.0 s, is 35.0x"
    )
    assert found["1b"].detail.endswith("takes 18.0 s, 2.2x on its own, which no speed-up of the data work removes; "
                                       "the rest, 42.0 s, is 5.2x")  # fmt: skip
    # a failed build of one return says nothing
    rows[-1].ok = False
    assert {t.number: t for t in report.targets(rows, 1.2, {})}["1"].detail == "60.0 s / 1.20 s"


def test_repeated_increments_report_the_median_run_and_the_highest_peak(tmp_path: Path) -> None:
    from riia.bench import Bench
    from riia.bench.runs import BuildRun, ChildRun

    def run(seconds: float, cpu: float, peak: float, dbt: float, problem: str = "") -> BuildRun:
        child = ChildRun(["riia", "build"], 0, seconds, cpu, peak, peak, Path("log"))
        dbt_time = {"nodes": 80, "in_nodes": {"model": dbt - 5}, "outside_nodes": 5.0, "slowest_models": {"m": 1.0}}
        return BuildRun(child, {"load": 1.0, "dbt": dbt}, dbt_time, return_files=1988, return_bytes=2_100_000,
                        problem=problem)  # fmt: skip

    row = Bench.build_row("increment at 12", "increment", 12, [run(50.0, 60.0, 700, 30.0), run(41.0, 46.0, 560, 24.0),
                                                               run(44.0, 50.0, 590, 26.0)])  # fmt: skip
    # the median run's time, CPU time and steps; the highest peak of the three
    assert (row.seconds, row.cpu_seconds, row.dbt_seconds, row.steps) == (44.0, 50.0, 26.0, "load 1.0 s, dbt 26.0 s")
    # ... and where its dbt step's time went, in results.md
    assert row.dbt_time == "models 21.0 s (m 1.0 s); dbt's own start, parse and work around the nodes 5.0 s"
    results = report.markdown([row], [], [], [])
    assert f"* increment at 12: {row.dbt_time}" in results.split("## Where dbt's time goes")[1]
    assert (row.peak_rss_mb, row.ok) == (700, True)
    assert row.note == "median of 3 runs (50.0 s, 41.0 s, 44.0 s), peaks the highest of them"
    assert row.run_seconds == (50.0, 41.0, 44.0)  # every run's time, for the flatness targets' spread
    report.write_csv([row], tmp_path / "results.csv")
    assert ",50.0 41.0 44.0" in (tmp_path / "results.csv").read_text().splitlines()[1]
    # one run that did not count fails the row, and says why
    failed = Bench.build_row("increment at 12", "increment", 12, [run(41.0, 46.0, 560, 24.0, "not an increment")])
    assert (failed.ok, failed.note) == (False, "not an increment")


def test_increments_take_the_sizes_in_turn_each_run_from_a_fresh_copy_of_its_history(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import riia.bench
    from riia.bench import Bench
    from riia.bench.runs import BuildRun, ChildRun

    bench = Bench(tmp_path / "bench", [12, 48], "full", 1, keep=False, increment_runs=3)
    bench.projects = {12: tmp_path / "project-12q", 48: tmp_path / "project-48q"}
    histories = {size: tmp_path / f"history-{size}q" for size in (12, 48)}
    seconds = {12: iter([20.0, 18.0, 22.0]), 48: iter([25.0, 21.0, 23.0])}
    timed, referenced, released = [], [], []

    def clone(source: Path, target: Path) -> None:
        assert not target.exists(), "each run starts from a fresh copy, the last run's folder gone"
        target.mkdir(parents=True)
        (target / "from").write_text(str(source))

    def timed_build(self, name: str, kind: str, returns: Path, build_dir: Path, log: Path, project: Path) -> BuildRun:
        size = int(name.split()[2].rstrip(","))
        assert (build_dir / "from").read_text() == str(histories[size] / "build")
        assert (kind, returns, project) == ("increment", histories[size] / "returns", bench.projects[size])
        timed.append(name)
        run_seconds = next(seconds[size])
        return BuildRun(ChildRun(["riia", "build"], 0, run_seconds, run_seconds, 500, 500, log), {"dbt": 9.0})

    monkeypatch.setattr(riia.bench, "clone_build_dir", clone)
    monkeypatch.setattr(Bench, "timed_build", timed_build)
    monkeypatch.setattr(Bench, "reference", lambda self, name, returns, build_dir, project, views=False:
                        referenced.append((name, build_dir.name, views)))  # fmt: skip
    monkeypatch.setattr(Bench, "release_build", lambda self, size, history, build_dir: released.append(size))
    bench.increments(histories)
    # rounds taking the sizes in turn: a slow spell of the machine falls on every size alike
    assert timed == [f"increment at {size}, run {n}" for n in (1, 2, 3) for size in (12, 48)]
    rows = {row.name: row for row in bench.rows}
    assert (rows["increment at 12"].seconds, rows["increment at 48"].seconds) == (20.0, 23.0)  # the medians
    assert rows["increment at 48"].run_seconds == (25.0, 21.0, 23.0)
    # the reference checks each size's last run, every view and the release build at the largest only
    assert referenced == [("increment at 12", "increment-12q", False), ("increment at 48", "increment-48q", False),
                          ("increment at 48", "increment-48q", True)]  # fmt: skip
    assert released == [48]
    assert not (bench.work / "increment-12q").exists() and not (bench.work / "increment-48q").exists()


def test_the_fixed_cost_is_a_build_from_empty_of_one_return_by_the_sizes_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from riia.bench import Bench
    from riia.bench.runs import BuildRun, ChildRun

    bench = Bench(tmp_path / "bench", [12], "full", 1, keep=False)
    bench.projects = {12: tmp_path / "project-12q"}
    first = plan.history(12)[0]
    seen = {}

    def timed_build(self, name: str, kind: str, returns: Path, build_dir: Path, log: Path, project: Path) -> BuildRun:
        files = sorted(returns.rglob("*.csv"))
        seen[name] = {"kind": kind, "project": project, "built": build_dir.exists(),
                      "files": {p.relative_to(returns).as_posix(): p.stat().st_size for p in files}}  # fmt: skip
        peak = 350 if name == report.FIXED_COST else 550
        return BuildRun(ChildRun(["riia", "build"], 0, 18.0, 21.0, peak, 460, log), {"prepare": 6.0, "dbt": 8.0})

    monkeypatch.setattr(Bench, "timed_build", timed_build)
    monkeypatch.setattr("riia.bench.intake.STAT_TRUST_SECONDS", 0)
    bench.fixed_cost(small_sample(tmp_path / "sample", 1), 12)
    one, limit = f"{first.slug}/201_{first.slug}.csv", int(config.settings()["returns_max_file_bytes"])
    assert seen[report.FIXED_COST]["files"].keys() == {one}
    # then from empty again, with a file of exactly the size limit beside the same return
    assert seen[report.AT_LIMIT]["files"] == {one: seen[report.FIXED_COST]["files"][one],
                                              f"{first.slug}/802_{first.slug}.csv": limit}  # fmt: skip
    for name in (report.FIXED_COST, report.AT_LIMIT):
        assert (seen[name]["kind"], seen[name]["project"], seen[name]["built"]) == (
            "full",
            tmp_path / "project-12q",
            False,
        )
    fixed, at_limit = bench.rows
    assert (fixed.name, fixed.history_quarters, fixed.seconds, fixed.peak_rss_mb) == (report.FIXED_COST, 1, 18.0, 350)
    assert (at_limit.name, at_limit.history_quarters, at_limit.peak_rss_mb) == (report.AT_LIMIT, 1, 550)
    assert fixed.ok and at_limit.ok
    assert fixed.note == f"the 12q project built from empty on {one} alone"
    assert at_limit.note == (f"the 12q project built from empty on {one} and {first.slug}/802_{first.slug}.csv, "
                             f"{limit:,} bytes, every byte after its header a line break")  # fmt: skip
    assert not (bench.work / "fixed-cost").exists()  # its folders are not kept


@pytest.mark.parametrize("keep", [True, False])
def test_a_kept_project_copy_says_it_holds_the_release_builds_releases(
    keep: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the release build records the new quarter's releases in the largest size's copy of the
    # project, which that size's history was built without: kept (--keep), that is said
    from riia.bench import Bench, releases
    from riia.bench.runs import BuildRun, ChildRun

    bench = Bench(tmp_path / "bench", [48], "full", 1, keep)
    bench.projects[48] = tmp_path / "project-48q"
    monkeypatch.setattr(releases, "plan_releases", lambda *args: [])
    failed = BuildRun(ChildRun(["riia", "build"], 1, 1.0, 1.0, 100, 100, tmp_path / "log"))
    monkeypatch.setattr(Bench, "timed_build", lambda self, *args: failed)
    bench.release_build(48, tmp_path / "history-48q", tmp_path / "increment-48q")
    kept = [note for note in bench.notes if note.startswith("--keep")]
    if not keep:
        assert kept == []
        return
    assert len(kept) == 1
    assert str(tmp_path / "project-48q" / "seeds" / "sharing") in kept[0]
    assert str(tmp_path / "history-48q") in kept[0] and plan.NEW_QUARTER.label in kept[0]


# --------------------------------------------------------------------------- releases


def test_each_history_quarter_is_released_with_its_regions_accepted_returns(tmp_path: Path) -> None:
    from riia.bench import releases
    from riia.periods import Period

    db = tmp_path / "riia.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts; create schema reference")
        con.execute(
            "create table reference.ref_regions as from (values ('E12000001', 'NE', 'North East'), "
            "('E12000002', 'NW', 'North West')) as t(region_code, region_short_name, region_name)"
        )
        con.execute("create table reference.quarter_releases (release_id varchar, region_code varchar, period varchar)")
        con.execute(
            "create table marts.dim_local_authority as from (values ('805', 'Hartlepool', 'E12000001'), "
            "('806', 'Middlesbrough', 'E12000001'), ('350', 'Bolton', 'E12000002')) "
            "as t(la_code, la_name, region_code) select *, 2011 as first_mid_year, true as is_current, "
            "null::integer as last_mid_year"
        )
        returns = [
            ("805", "2024-25 Q1", "accepted"),
            ("806", "2024-25 Q1", "quarantined"),
            ("350", "2024-25 Q1", "quarantined"),  # the North West has nothing to release
            ("805", "2024-25 Q2", "accepted_with_warnings"),
            ("806", "2024-25 Q2", "accepted"),
            ("805", "2024-25 Q3", "accepted"),  # not in the history asked for
        ]
        con.execute(
            "create table marts.fct_returns (la_code varchar, period varchar, return_status varchar, file_path varchar)"
        )
        con.execute("create table marts.fct_return_files (file_path varchar, file_sha256 varchar)")
        for la, period, status in returns:
            path = f"{period.replace(' ', '_')}/{la}_{period.replace(' ', '_')}.csv"
            con.execute("insert into marts.fct_returns values (?, ?, ?, ?)", [la, period, status, path])
            con.execute("insert into marts.fct_return_files values (?, ?)", [path, f"sha-{la}-{period}"])

    history = [Period.parse("2024-25 Q1"), Period.parse("2024-25 Q2")]
    planned = releases.plan_releases(db, history, date(2024, 11, 1))
    assert [(r.region_code, r.period, r.released_on, [f[0] for f in r.files]) for r in planned] == [
        ("E12000001", "2024-25 Q1", date(2024, 8, 19), ["805"]),  # 30 June + 50 days
        ("E12000001", "2024-25 Q2", date(2024, 11, 1), ["805", "806"]),  # not after today
    ]

    project = releases.copy_project(tmp_path / "project")
    assert releases.write_releases(project, planned) == 3
    sharing = project / "seeds" / "sharing"
    release_rows = (sharing / "quarter_releases.csv").read_text().splitlines()
    assert release_rows == [
        "release_id,region_code,period,checked_by,released_on",
        f"NE-2024-25-Q1-1,E12000001,2024-25 Q1,{releases.CHECKED_BY},2024-08-19",
        f"NE-2024-25-Q2-1,E12000001,2024-25 Q2,{releases.CHECKED_BY},2024-11-01",
    ]
    file_rows = (sharing / "quarter_release_files.csv").read_text().splitlines()
    assert file_rows[0] == "release_id,la_code,file_path,file_sha256"
    assert file_rows[1:] == [
        "NE-2024-25-Q1-1,805,2024-25_Q1/805_2024-25_Q1.csv,sha-805-2024-25 Q1",
        "NE-2024-25-Q2-1,805,2024-25_Q2/805_2024-25_Q2.csv,sha-805-2024-25 Q2",
        "NE-2024-25-Q2-1,806,2024-25_Q2/806_2024-25_Q2.csv,sha-806-2024-25 Q2",
    ]
    # the project's own seeds are untouched, and the copy runs its own code only when asked
    assert "riia bench" not in (PROJECT_ROOT / "seeds" / "sharing" / "quarter_releases.csv").read_text()
    assert releases.code_env(None) == {} and releases.code_env(project) == {"PYTHONPATH": str(project / "scripts")}
