"""Years of history: LAs that were reorganised, a template that changed, real published figures.

* Year-end (Q4) returns made from the counts DfE published (tests/fixtures/
  dfe_published_la_extract.csv: re-referrals, repeat child protection plans, children looked
  after; predecessor LAs included) are accepted and reproduce every published rate and
  percentage at its published precision.
* A sample spanning the reorganisations of 2019 (Dorset, Poole, Bournemouth), 2021
  (Northamptonshire) and 2023 (Cumbria) and the 2022 revision of the template (the quarter
  before and after each, and the four of 2022-23) builds: no predecessor's return is
  quarantined for its code, no return before 2022-23 is warned for the 2022 items, and
  England's aggregates of every quarter pool exactly the LAs of that quarter.
"""

from __future__ import annotations

import csv
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, VALID_CORE_VALUES, Build, run_dbt, write_return
from riia.periods import Period

EXTRACT = PROJECT_ROOT / "tests" / "fixtures" / "dfe_published_la_extract.csv"
NEW_IN_2022 = ("CLA_UASC_END", "CARE_LEAVERS_UASC_END", "EHE_END", "EHC_REQUESTS", "EHC_ASSESSMENTS", "EHCP_ISSUED")
SOURCES = (
    "REF_SRC_POLICE",
    "REF_SRC_SCHOOLS",
    "REF_SRC_HEALTH",
    "REF_SRC_LA",
    "REF_SRC_INDIVIDUAL",
    "REF_SRC_OTHER",
    "REF_SRC_UNKNOWN",
)
PREDECESSORS = ("835", "836", "837", "909", "928")
PUBLISHED_PLACES = {"percent": 1, "rate_per_10k": 0}  # DfE: percentages to 1 dp, rates to whole numbers


def published_rows() -> list[dict[str, str]]:
    with EXTRACT.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def year_end(time_period: str) -> Period:
    """DfE's year N (ending 31 March N) is the financial year (N-1)-N; its year-end return is Q4."""
    return Period.of(int(time_period) - 1, 4)


def return_values(period: Period, published: dict[str, int]) -> dict[str, int]:
    """A valid return for the period around the published counts (only the items collected then)."""
    values = {
        item: value
        for item, value in VALID_CORE_VALUES.items()
        if period >= Period.require("2022-23 Q1") or item not in NEW_IN_2022
    }
    values.update(published)
    referrals = values["REFERRALS"]
    shares = [VALID_CORE_VALUES[s] for s in SOURCES]
    parts = [referrals * share // sum(shares) for share in shares]
    parts[-1] += referrals - sum(parts)
    values.update(zip(SOURCES, parts, strict=True))
    values["REREFERRALS"] = min(values["REREFERRALS"], referrals)
    values["CPP_START"] = max(values["CPP_START"], values["CPP_REPEAT_EVER"])
    values["CPP_REPEAT_2Y"] = min(values["CPP_REPEAT_2Y"], values["CPP_REPEAT_EVER"])
    if "CLA_UASC_END" in values:
        values["CLA_UASC_END"] = min(values["CLA_UASC_END"], values["CLA_END"])
    return values


@pytest.fixture(scope="module")
def published_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("published")
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in published_rows():
        key = (row["old_la_code"], row["time_period"])
        counts.setdefault(key, {})[row["numerator_item"]] = int(row["numerator"])
        if row["denominator"] in (*SOURCES, "REFERRALS", "CPP_START"):
            counts[key][row["denominator"]] = int(row["denominator_value"])
    for (la_code, time_period), published in counts.items():
        period = year_end(time_period)
        values = return_values(period, published)
        rows = [(la_code, period.label, item, str(value), "") for item, value in values.items()]
        write_return(root / "returns", f"{period.slug}/{la_code}_{period.slug}.csv", rows)
    return run_dbt(
        root / "returns",
        root / "riia.duckdb",
        extra_args=("--exclude", "resource_type:test", "resource_type:unit_test"),
    )


@pytest.mark.build
def test_returns_made_from_published_counts_are_accepted(published_build: Build) -> None:
    statuses = dict(published_build.query("select la_code || ' ' || period, return_status from marts.fct_returns"))
    assert len(statuses) == len({(r["old_la_code"], r["time_period"]) for r in published_rows()})
    assert "quarantined" not in statuses.values(), statuses


@pytest.mark.build
def test_every_published_rate_and_percentage_is_reproduced_at_its_published_precision(published_build: Build) -> None:
    computed = {
        (la, period, indicator, measure): value
        for la, period, indicator, measure, value in published_build.query(
            "select la_code, period, indicator_code, measure, value from marts.fct_indicator_values"
        )
    }
    checked = 0
    for row in published_rows():
        key = (row["old_la_code"], year_end(row["time_period"]).label, row["indicator_code"], row["measure"])
        value = computed[key]
        places = PUBLISHED_PLACES[row["measure"]]
        rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        assert rounded == Decimal(row["published_value"]), (key, value, row["published_value"])
        checked += 1
    assert checked == len(published_rows()) > 30
    assert {row["old_la_code"] for row in published_rows()} & set(PREDECESSORS) == {"835", "909", "928"}


# ---------------------------------------------------------------- a sample across the reorganisations

FIRST, QUARTERS = "2018-19 Q4", 18  # to 2023-24 Q1: 2019, 2021 and 2023 reorganisations, the 2022 items
# the quarters built, of those written: the last before and the first after each
# reorganisation, the last before the 2022 items and the four that give 2022-23 Q4 its
# 12-month measures. The eight quarters between showed nothing more and took 7 s of the
# fixture's 22 (pytest -p no:xdist on 2 cores).
BUILT = (
    "2018-19 Q4", "2019-20 Q1", "2020-21 Q4", "2021-22 Q1", "2021-22 Q4",
    "2022-23 Q1", "2022-23 Q2", "2022-23 Q3", "2022-23 Q4", "2023-24 Q1",
)  # fmt: skip


@pytest.fixture(scope="module")
def history_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    import riia.sample

    root = tmp_path_factory.mktemp("history")
    assert riia.sample.main(["--out", str(root / "returns"), "--first-period", FIRST, "--quarters", str(QUARTERS)]) == 0
    # a folder per quarter (and the sample's marker, .riia-sample)
    written = {f.name: f for f in (root / "returns").iterdir() if f.is_dir() and not f.name.startswith(".")}
    built = {Period.require(period).slug for period in BUILT}
    assert len(written) == QUARTERS and built <= written.keys()
    for slug, folder in written.items():
        if slug not in built:
            shutil.rmtree(folder)
    return run_dbt(
        root / "returns",
        root / "riia.duckdb",
        extra_args=("--exclude", "resource_type:test", "resource_type:unit_test"),
    )


def las_of_period(build: Build) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for period, la_code in build.query(
        "select p.period, la.la_code from marts.dim_period as p inner join reference.ref_local_authorities as la "
        "on p.period >= la.first_period and (la.last_period is null or p.period <= la.last_period)"
    ):
        found.setdefault(period, set()).add(la_code)
    return found


@pytest.mark.build
def test_every_file_of_the_history_was_validated(history_build: Build) -> None:
    """The counts of findings below are 0 because the rules passed, not because they never ran."""
    read = history_build.scalar("select count(*) from raw.la_return_files where intake_status = 'read'")
    validated = history_build.scalar(
        "select count(*) from intermediate.int_validation_scope where scope_role = 'validate'"
    )
    assert read > 1000 and validated == read


@pytest.mark.build
def test_predecessor_las_load_under_their_codes_of_the_day(history_build: Build) -> None:
    received = history_build.query(
        f"select la_code, min(period), max(period) from marts.fct_returns where la_code in {PREDECESSORS} group by all order by 1"
    )
    assert received == [
        ("835", "2018-19 Q4", "2018-19 Q4"),
        ("836", "2018-19 Q4", "2018-19 Q4"),
        ("837", "2018-19 Q4", "2018-19 Q4"),
        ("909", "2018-19 Q4", "2022-23 Q4"),
        ("928", "2018-19 Q4", "2020-21 Q4"),
    ]
    assert history_build.query(
        f"select count(*) from marts.fct_validation_results where rule_id = 'T02' and la_code in {PREDECESSORS}"
    ) == [(0,)]
    assert history_build.query(
        f"select count(*) from marts.fct_returns where la_code in {PREDECESSORS} and return_status = 'quarantined'"
    ) == [(0,)]


@pytest.mark.build
def test_no_return_before_2022_23_is_warned_for_the_2022_items(history_build: Build) -> None:
    assert history_build.query(
        f"select count(*) from marts.fct_validation_results where rule_id in ('T04', 'T07') and item_code in {NEW_IN_2022} "
        "and period < '2022-23 Q1'"
    ) == [(0,)]
    # and from 2022-23 they are collected: the marts have them, never before
    first = history_build.scalar("select min(period) from marts.fct_indicator_values where indicator_code = 'EHE_END'")
    assert first == "2022-23 Q1"


@pytest.mark.build
def test_england_pools_exactly_the_las_of_each_quarter(history_build: Build) -> None:
    existing = las_of_period(history_build)
    pooled = history_build.query(
        "select period, member_las, contributing_las from marts.fct_indicator_comparators "
        "where comparator_type = 'england' and indicator_code = 'CLA_END' and measure = 'rate_per_10k' order by period"
    )
    assert [period for period, _, _ in pooled] == list(BUILT)
    for period, members, contributing in pooled:
        assert members == len(existing[period]), period
        assert contributing <= members
    for period, la_code in history_build.query("select distinct period, la_code from marts.fct_indicator_values"):
        assert la_code in existing[period], (period, la_code)
    # the 153 LAs of today, 152 while Cumbria stood for Cumberland and Westmorland and Furness ...
    assert len(existing["2023-24 Q1"]) == 153 and len(existing["2022-23 Q4"]) == 152
    # ... 151 before the two Northamptonshires replaced Northamptonshire, 152 before BCP and Dorset
    assert len(existing["2020-21 Q4"]) == 151 and len(existing["2018-19 Q4"]) == 152


@pytest.mark.build
def test_twelve_month_measures_pool_in_comparators_like_any_other(history_build: Build) -> None:
    rows = history_build.query(
        "select contributing_las, value from marts.fct_indicator_comparators where comparator_type = 'england' "
        "and indicator_code = 'REFERRALS' and measure = 'rate_per_10k_12m' and period = '2022-23 Q4'"
    )
    assert rows and rows[0][0] > 140 and 300 < rows[0][1] < 800, rows
    # no 12-month figure for Cumberland in its first three quarters: the year reaches back before it
    assert history_build.query(
        "select value_status from marts.fct_indicator_values where la_code = '942' and indicator_code = 'REFERRALS' "
        "and measure = 'rate_per_10k_12m' and period = '2023-24 Q1'"
    ) == [("incomplete_year",)]


def test_the_fixture_is_the_reference_extract() -> None:
    shared = PROJECT_ROOT.parent / "shared" / "reference" / "dfe_published_la_extract.csv"
    if not shared.is_file():
        pytest.skip(f"reference folder {shared.parent} is absent")
    assert Path(EXTRACT).read_bytes() == shared.read_bytes()
