-- Which LAs have not sent a usable return for the latest quarter, and why?
--
-- Every current LA against marts.fct_returns for the most recent quarter that any LA
-- returned: "not received", "quarantined" (with the rules that failed) or accepted
-- with warnings. A data engineer's first query after a build.
with latest_period as (
    select max_by(received.period, periods.period_index) as period
    from marts.fct_returns as received
    inner join marts.dim_period as periods on received.period = periods.period
),

local_authorities as (
    select * from marts.dim_local_authority
    where is_current
)

select
    local_authorities.region_name,
    local_authorities.la_code,
    local_authorities.la_name,
    latest_period.period,
    coalesce(received.return_status, 'not received') as return_status,
    received.error_rule_ids,
    received.warning_rule_ids,
    received.source_file
from local_authorities
cross join latest_period
left join marts.fct_returns as received
    on
        local_authorities.la_code = received.la_code
        and latest_period.period = received.period
where coalesce(received.return_status, 'not received') <> 'accepted'
order by local_authorities.region_name, local_authorities.la_name
