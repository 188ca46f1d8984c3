-- Which LAs each of the hub's comparators pooled: one row per quarter, comparator group
-- (region, an LA's statistical neighbours, England), member LA of the group that quarter,
-- indicator and measure, with whether the member contributed and its numerator, base and
-- 0-17 population. The members behind fct_indicator_comparators, from the same engine
-- (int_view_comparator_members); `riia explain` lists them. A view: ask for one
-- comparator at a time.
{{ config(materialized='view') }}

with members as (
    select * from {{ ref('int_view_comparator_members') }}
    where recipient_id = 'hub'
),

final as (
    select
        comparator_type,
        comparator_key,
        period,
        indicator_code,
        measure,
        member_la_code,
        is_contributing,
        numerator,
        base,
        population_0_17
    from members
)

select * from final
