-- A region's tartan rug for the latest quarter, as rows: each LA's rate per 10,000
-- (or percentage) for every indicator, its quartile across England (1 = lowest
-- quarter, 4 = highest: no judgement of good or bad) and the region's and England's
-- values beside it. Change the region code to see another region.
with latest_period as (
    select max_by(benchmarks.period, periods.period_index) as period
    from marts.fct_benchmarks as benchmarks
    inner join marts.dim_period as periods on benchmarks.period = periods.period
)

select
    local_authorities.la_name,
    benchmarks.indicator_code,
    benchmarks.measure,
    round(benchmarks.value, 1) as value,
    benchmarks.quartile_in_england,
    round(benchmarks.region_value, 1) as region_value,
    round(benchmarks.england_value, 1) as england_value
from marts.fct_benchmarks as benchmarks
inner join latest_period on benchmarks.period = latest_period.period
inner join marts.dim_local_authority as local_authorities on benchmarks.la_code = local_authorities.la_code
where
    benchmarks.region_code = 'E12000001'
    and benchmarks.measure in ('rate_per_10k', 'percent', 'average_days')
order by benchmarks.indicator_code, local_authorities.la_name
