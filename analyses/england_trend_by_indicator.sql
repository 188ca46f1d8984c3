-- England's trend for every rate, quarter by quarter: the sum of the counts of the
-- LAs that sent an accepted return over the sum of their populations, with how many
-- LAs and what share of England's children that covers. A sudden drop in coverage
-- explains a jump better than a change in practice does.
select
    comparators.indicator_code,
    comparators.period,
    round(comparators.value, 1) as england_rate_per_10k,
    comparators.contributing_las,
    round(100 * comparators.population_coverage, 1) as coverage_percent
from marts.fct_indicator_comparators as comparators
inner join marts.dim_period as periods on comparators.period = periods.period
where
    comparators.comparator_type = 'england'
    and comparators.measure = 'rate_per_10k'
order by comparators.indicator_code, periods.period_index
