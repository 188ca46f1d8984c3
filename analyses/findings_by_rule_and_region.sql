-- Which guidance rules are broken most, and where? Counts of findings on the returns
-- in use (latest versions), by region, rule and severity, with how many LAs they
-- touch. A high count for one rule across a region usually means the guidance needs
-- explaining, not that every LA got it wrong.
select
    results.region_code,
    results.rule_id,
    results.severity,
    count(*) as findings,
    count(distinct results.la_code) as las,
    any_value(results.message) as example_message
from marts.fct_validation_results as results
where results.is_latest_version
group by results.region_code, results.rule_id, results.severity
order by results.region_code, results.rule_id
