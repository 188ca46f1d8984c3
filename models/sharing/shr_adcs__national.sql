-- ADCS's national aggregate: England-level riia_core totals and rates only, from LAs
-- of regions that agreed ADCS sharing (released quarters, no exception). No LA or
-- region key, no LA-level row; a quarter and indicator appear only when at least
-- `adcs_min_las` LAs (var, default 10) contribute (SHARING.md rule 6). Coverage is
-- given as LAs and share of England's 0-17 population, with an England estimate
-- scaled up by that share for counts (the ADCS Safeguarding Pressures approach);
-- rates and percentages are already per head and are their own estimate.
with adcs_values as (
    select * from {{ ref('int_shared_indicator_values') }}
    where audience = 'adcs' and item_set = 'riia_core' and not is_provisional
),

england_group as (
    select * from {{ ref('int_comparator_groups') }}
    where comparator_type = 'england'
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

audience as (
    select * from {{ ref('sharing_audiences') }}
    where audience = 'adcs'
),

england as (
    {{ indicator_comparators('adcs_values', 'england_group') }}
),

final as (
    select
        england.period,
        england.indicator_code,
        indicators.indicator_name,
        england.measure,
        {{ round_half_up('england.value', 'indicators.rounding_dp') }} as value,
        cast(england.contributing_las as integer) as contributing_las,
        cast(england.member_las as integer) as england_las,
        {{ round_half_up('england.population_coverage * 100', 1) }} as population_coverage_percent,
        case
            when england.measure = 'count'
                then {{ round_half_up('england.value / england.population_coverage', 'indicators.rounding_dp') }}
            else {{ round_half_up('england.value', 'indicators.rounding_dp') }}
        end as england_estimate,
        audience.handling_marking
    from england
    inner join indicators
        on
            england.indicator_code = indicators.indicator_code
            and england.measure = indicators.measure
    cross join audience
    where england.contributing_las >= {{ var('adcs_min_las', 10) }}
)

select * from final
