-- How does Hartlepool's rate of children looked after compare with its statistical
-- neighbours over the last eight quarters?
--
-- fct_benchmarks already holds, per LA and quarter, the LA's value, its 10 DfE
-- statistical neighbours' value as one group (sum of their children looked after over
-- the sum of their 0-17 populations, x 10,000), and its rank among itself and those
-- neighbours. Change the LA code or indicator to ask the same of any LA or indicator.
-- Plain DuckDB SQL: paste it into `duckdb -readonly build/riia.duckdb` or any client.
select
    benchmarks.period,
    round(benchmarks.value, 1) as hartlepool_rate_per_10k,
    round(benchmarks.neighbours_value, 1) as neighbours_rate_per_10k,
    round(benchmarks.value - benchmarks.neighbours_value, 1) as difference,
    benchmarks.rank_among_neighbours,
    benchmarks.las_ranked_among_neighbours,
    round(benchmarks.england_value, 1) as england_rate_per_10k
from marts.fct_benchmarks as benchmarks
inner join marts.dim_period as periods on benchmarks.period = periods.period
where
    benchmarks.la_code = '805'
    and benchmarks.indicator_code = 'CLA_END'
    and benchmarks.measure = 'rate_per_10k'
order by periods.period_index desc
limit 8
