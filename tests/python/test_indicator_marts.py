"""Indicator marts against values worked out by hand from the return and the seeded population.

One real `dbt build` over a small returns folder: Hartlepool (805, North East), Camden
(202, London) and Milton Keynes (826, South East) send valid returns for 2024-25 Q1;
Derby (831, East Midlands) sends one that breaks L01 and is quarantined. Populations are
the seeded ONS figures: 0-17 mid-2024 (the DfE rule: 2024-25 uses mid-2024), 5-16 and
0-25 mid-2023 (the only year seeded for those bands, so a fallback year).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Build, run_dbt, write_valid_return

PERIOD = "2024-25 Q1"

# The figures each LA sends for the indicators checked (other items: conftest defaults).
RETURNS = {
    "805": dict(
        CLA_END=226,
        REFERRALS=310,
        REF_SRC_POLICE=100,
        REREFERRALS=71,
        S47=104,
        ICPC_15D=29,
        EHE_END=187,
        EHC_REQUESTS=61,
        CPP_START=37,
        CPP_REPEAT_EVER=9,
        CPP_REPEAT_2Y=3,
    ),
    "202": dict(
        CLA_END=198,
        REFERRALS=402,
        REF_SRC_POLICE=192,
        REREFERRALS=83,
        S47=151,
        ICPC_15D=40,
        EHE_END=95,
        EHC_REQUESTS=88,
        CPP_START=44,
        CPP_REPEAT_EVER=11,
        CPP_REPEAT_2Y=1,
    ),
    "826": dict(
        CLA_END=412,
        REFERRALS=951,
        REF_SRC_POLICE=741,
        REREFERRALS=204,
        S47=322,
        ICPC_15D=95,
        EHE_END=690,
        EHC_REQUESTS=170,
        CPP_START=77,
        CPP_REPEAT_EVER=18,
        CPP_REPEAT_2Y=4,
    ),
}
# REF_SRC_POLICE is raised so the seven sources still add up to REFERRALS (rule L02):
# the other six sources sum to 210 in the default return, 310 - 210 = 100, etc.

# Worked by hand. Populations: Hartlepool 0-17 = 21,090, 5-16 = 14,203, 0-25 = 28,809;
# Camden 35,276 / 24,205 / 76,442; Milton Keynes 74,569 / 51,071 / 96,839.
EXPECTED = {
    "805": {
        # CLA_END: 226 looked after; 226 / 21,090 x 10,000 = 107.1598 per 10,000
        ("CLA_END", "count"): 226,
        ("CLA_END", "rate_per_10k"): 107.15979137031768,
        # REREFERRALS: 71 of 310 referrals = 22.9032%
        ("REREFERRALS", "count"): 71,
        ("REREFERRALS", "percent"): 22.903225806451612,
        # ICPC_15D: 29 ICPCs in 15 days of 104 S47 enquiries = 27.8846% (a % of S47s)
        ("ICPC_15D", "count"): 29,
        ("ICPC_15D", "percent"): 27.884615384615387,
        # EHE_END: 187 / 14,203 aged 5-16 x 10,000 = 131.6623
        ("EHE_END", "count"): 187,
        ("EHE_END", "rate_per_10k"): 131.66232486094486,
        # EHC_REQUESTS: 61 / 28,809 aged 0-25 x 10,000 = 21.1739
        ("EHC_REQUESTS", "count"): 61,
        ("EHC_REQUESTS", "rate_per_10k"): 21.173938699711897,
        # CPP_REPEAT_2Y: 3 of 37 plans starting = 8.1081%
        ("CPP_REPEAT_2Y", "count"): 3,
        ("CPP_REPEAT_2Y", "percent"): 8.108108108108109,
    },
    "202": {
        # 198 / 35,276 x 10,000 = 56.1288
        ("CLA_END", "count"): 198,
        ("CLA_END", "rate_per_10k"): 56.128812790565824,
        # 83 / 402 x 100 = 20.6468
        ("REREFERRALS", "count"): 83,
        ("REREFERRALS", "percent"): 20.64676616915423,
        # 40 / 151 x 100 = 26.4901
        ("ICPC_15D", "count"): 40,
        ("ICPC_15D", "percent"): 26.490066225165563,
        # 95 / 24,205 x 10,000 = 39.2481
        ("EHE_END", "count"): 95,
        ("EHE_END", "rate_per_10k"): 39.248089237760794,
        # 88 / 76,442 x 10,000 = 11.5120
        ("EHC_REQUESTS", "count"): 88,
        ("EHC_REQUESTS", "rate_per_10k"): 11.511996023128646,
        # 1 / 44 x 100 = 2.2727
        ("CPP_REPEAT_2Y", "count"): 1,
        ("CPP_REPEAT_2Y", "percent"): 2.272727272727273,
    },
    "826": {
        # 412 / 74,569 x 10,000 = 55.2508
        ("CLA_END", "count"): 412,
        ("CLA_END", "rate_per_10k"): 55.25084150250103,
        # 204 / 951 x 100 = 21.4511
        ("REREFERRALS", "count"): 204,
        ("REREFERRALS", "percent"): 21.451104100946374,
        # 95 / 322 x 100 = 29.5031
        ("ICPC_15D", "count"): 95,
        ("ICPC_15D", "percent"): 29.503105590062113,
        # 690 / 51,071 x 10,000 = 135.1060
        ("EHE_END", "count"): 690,
        ("EHE_END", "rate_per_10k"): 135.10602886178066,
        # 170 / 96,839 x 10,000 = 17.5549
        ("EHC_REQUESTS", "count"): 170,
        ("EHC_REQUESTS", "rate_per_10k"): 17.55491072811574,
        # 4 / 77 x 100 = 5.1948
        ("CPP_REPEAT_2Y", "count"): 4,
        ("CPP_REPEAT_2Y", "percent"): 5.194805194805195,
    },
}


@pytest.fixture(scope="module")
def marts_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("marts")
    returns = root / "returns"
    for la_code, overrides in RETURNS.items():
        write_valid_return(returns, la_code, PERIOD, **overrides)
    # Derby breaks L01 (more re-referrals than referrals): quarantined.
    write_valid_return(returns, "831", PERIOD, REREFERRALS=400)
    return run_dbt(returns, root / "riia.duckdb")


@pytest.mark.build
@pytest.mark.parametrize("la_code", sorted(EXPECTED))
def test_values_equal_the_hand_worked_figures(marts_build: Build, la_code: str) -> None:
    rows = marts_build.query(
        f"""
        select indicator_code, measure, value
        from marts.fct_indicator_values
        where la_code = '{la_code}' and period = '{PERIOD}'
        """
    )
    actual = {(code, measure): value for code, measure, value in rows}
    for key, expected in EXPECTED[la_code].items():
        assert actual[key] == pytest.approx(expected, rel=1e-12), (la_code, key)


@pytest.mark.build
def test_rates_record_their_population_and_year(marts_build: Build) -> None:
    rows = marts_build.query(
        f"""
        select indicator_code, population, population_age_band, population_mid_year, is_fallback_population_year
        from marts.fct_indicator_values
        where la_code = '805' and period = '{PERIOD}' and measure = 'rate_per_10k'
          and indicator_code in ('CLA_END', 'EHE_END', 'EHC_REQUESTS')
        order by indicator_code
        """
    )
    assert rows == [
        ("CLA_END", 21090, "0-17", 2024, False),
        ("EHC_REQUESTS", 28809, "0-25", 2023, True),
        ("EHE_END", 14203, "5-16", 2023, True),
    ]


@pytest.mark.build
def test_quarantined_return_is_never_a_zero_and_never_in_a_comparator(marts_build: Build) -> None:
    status = marts_build.query(
        f"select return_status from marts.fct_returns where la_code = '831' and period = '{PERIOD}'"
    )
    assert status == [("quarantined",)]
    assert marts_build.scalar("select count(*) from marts.fct_indicator_values where la_code = '831'") == 0
    assert marts_build.scalar("select count(*) from marts.fct_benchmarks where la_code = '831'") == 0
    # East Midlands has no accepted return, so it has no regional comparator at all
    assert (
        marts_build.scalar(
            "select count(*) from marts.fct_indicator_comparators "
            "where comparator_type = 'region' and comparator_key = 'E12000004'"
        )
        == 0
    )
    # England's CLA rate: (226 + 198 + 412) / (21,090 + 35,276 + 74,569) x 10,000, Derby not counted
    england = marts_build.query(
        f"""
        select value, contributing_las, contributing_population_0_17
        from marts.fct_indicator_comparators
        where comparator_type = 'england' and period = '{PERIOD}'
          and indicator_code = 'CLA_END' and measure = 'rate_per_10k'
        """
    )
    assert england[0][0] == pytest.approx(836 / 130935 * 10000, rel=1e-12)
    assert england[0][1:] == (3, 130935)


@pytest.mark.build
def test_ranks_and_england_quartiles(marts_build: Build) -> None:
    rows = marts_build.query(
        f"""
        select la_code, rank_in_england, las_ranked_in_england, quartile_in_england, quartile_in_region
        from marts.fct_benchmarks
        where period = '{PERIOD}' and indicator_code = 'CLA_END' and measure = 'rate_per_10k'
        order by rank_in_england
        """
    )
    # 107.16 (Hartlepool) > 56.13 (Camden) > 55.25 (Milton Keynes); each alone in its region,
    # where a quartile means nothing (NULL)
    # quartile from the percent rank (rank - 1) / (n - 1): 1.0 -> 4, 0.5 -> 3, 0.0 -> 1
    assert rows == [("805", 1, 3, 4, None), ("202", 2, 3, 3, None), ("826", 3, 3, 1, None)]


@pytest.mark.build
def test_hartlepool_analysis_query_runs(marts_build: Build) -> None:
    sql = (
        Path(__file__).resolve().parents[2] / "analyses" / "hartlepool_cla_vs_statistical_neighbours.sql"
    ).read_text()
    rows = marts_build.query(sql)
    assert rows, "the analysis returns Hartlepool's quarters"
    assert rows[0][0] == PERIOD
