-- One row per comparator group (region, an LA's statistical neighbours, England),
-- quarter, indicator and measure: the group's value as the sum of counts over the
-- sum of populations or denominators of the member LAs whose accepted return gave
-- the item, with how many LAs and what share of the group's 0-17 population that is.
-- Quarantined and missing returns count in no comparator.
with indicator_values as (
    select * from {{ ref('fct_indicator_values') }}
),

comparator_groups as (
    select * from {{ ref('int_comparator_groups') }}
),

comparators as (
    {{ indicator_comparators('indicator_values', 'comparator_groups') }}
),

final as (
    select
        comparator_type,
        comparator_key,
        period,
        indicator_code,
        measure,
        cast(value as double) as value,
        cast(numerator_total as double) as numerator_total,
        cast(denominator_total as double) as denominator_total,
        cast(contributing_las as integer) as contributing_las,
        cast(member_las as integer) as member_las,
        cast(contributing_population_0_17 as bigint) as contributing_population_0_17,
        cast(member_population_0_17 as bigint) as member_population_0_17,
        cast(population_coverage as double) as population_coverage
    from comparators
)

select * from final
