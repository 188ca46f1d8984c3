"""`riia explain`: where a figure came from, on the sample build (a rate, a percentage, a comparator)."""

from __future__ import annotations

import pytest

from conftest import Build
from riia.explain import ExplainError, explain


@pytest.mark.build
def test_a_rate_names_its_population_year_file_line_and_rules(sample_build: Build) -> None:
    value, numerator, population, year, line = sample_build.query(
        "select v.value, v.numerator, v.population, v.population_mid_year, r.line_number "
        "from marts.fct_indicator_values as v inner join marts.fct_return_values as r "
        "on v.la_code = r.la_code and v.period = r.period and r.item_code = 'CLA_END' "
        "where v.la_code = '805' and v.period = '2024-25 Q4' and v.indicator_code = 'CLA_END' and v.measure = 'rate_per_10k'"
    )[0]
    text = explain(sample_build.db_path, "805", "2024-25 Q4", "CLA_END", None, None)
    assert f"rate_per_10k = {value:.3f}" in text
    assert f"CLA_END = {numerator:,.0f}" in text and f"{population:,} (ONS mid-{year})" in text
    assert f"line {line}: CLA_END = '{numerator:.0f}'" in text
    assert "rules passed: L01" in text and "T05" in text


@pytest.mark.build
def test_a_percentage_names_its_numerator_and_denominator_lines(sample_build: Build) -> None:
    text = explain(sample_build.db_path, "805", "2024-25 Q4", "REREFERRALS", "percent", None)
    assert "numerator: REREFERRALS" in text and "denominator: REFERRALS" in text
    assert "REFERRALS = '" in text and "REREFERRALS = '" in text
    twelve = explain(sample_build.db_path, "805", "2024-25 Q4", "REREFERRALS", "percent_12m", None)
    assert twelve.count("from 805_2024-25_Q") == 4, "a 12-month figure shows its four quarters' files"


@pytest.mark.build
def test_a_comparator_lists_the_las_it_pooled(sample_build: Build) -> None:
    neighbours = {
        row[0]
        for row in sample_build.query(
            "select neighbour_la_code from reference.ref_statistical_neighbours where la_code = '805'"
        )
    }
    value, contributing = sample_build.query(
        "select value, contributing_las from marts.fct_indicator_comparators where comparator_type = 'statistical_neighbours' "
        "and comparator_key = '805' and period = '2024-25 Q4' and indicator_code = 'CLA_END' and measure = 'rate_per_10k'"
    )[0]
    text = explain(sample_build.db_path, "805", "2024-25 Q4", "CLA_END", None, "neighbours")
    # every neighbour of 805 returned in the sample's last quarter: each is listed as pooled
    assert contributing == 10 and len(neighbours) == 10
    assert f"value = {value:.3f}" in text and "10 of 10 LAs contributed" in text
    assert {line.split()[0] for line in text.splitlines() if ": pooled" in line} == neighbours


@pytest.mark.build
def test_a_figure_that_does_not_exist_says_why(sample_build: Build) -> None:
    with pytest.raises(ExplainError, match="not an LA of that quarter"):
        explain(sample_build.db_path, "999", "2024-25 Q4", "CLA_END", None, None)
    with pytest.raises(ExplainError, match="is not an indicator"):
        explain(sample_build.db_path, "805", "2024-25 Q4", "NOPE", None, None)
