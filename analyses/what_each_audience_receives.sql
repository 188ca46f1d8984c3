-- What each audience receives on the build's as-of date, by region: the agreement in
-- force, and the number of LAs and quarters in its output. The exports/ manifests say
-- the same per file; this is the view from the warehouse.
with dfe as (
    select
        'dfe' as audience,
        region_code,
        count(distinct la_code) as las,
        count(distinct period) as quarters
    from sharing.shr_dfe__riia_core
    group by region_code
),

d2i as (
    select
        'd2i' as audience,
        region_code,
        count(distinct la_code) as las,
        count(distinct period) as quarters
    from sharing.shr_d2i__riia_core
    group by region_code
),

regional as (
    select
        'regional' as audience,
        region_code,
        count(distinct la_code) as las,
        count(distinct period) as quarters
    from sharing.shr_regional__indicators
    group by region_code
),

received as (
    select * from dfe
    union all
    select * from d2i
    union all
    select * from regional
)

select
    agreements.region_code,
    agreements.audience,
    agreements.agreement_id,
    agreements.clause,
    received.las,
    received.quarters
from intermediate.int_sharing_agreements_in_force as agreements
left join received
    on
        agreements.region_code = received.region_code
        and agreements.audience = received.audience
order by agreements.region_code, agreements.audience
