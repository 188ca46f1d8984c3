-- The hub's comparators: one row per comparator group (region, an LA's statistical
-- neighbours, England), quarter, indicator and measure, from every accepted return: the
-- sum of counts over the sum of populations or denominators of the members (LAs of the
-- quarter) whose accepted return gave the item, with how many LAs and what share of the
-- group's 0-17 population that is, and whether that is too few (low coverage).
-- Quarantined and missing returns count in no comparator. The one comparator engine
-- (int_view_comparators) on the hub's view.
{{ period_incremental() }}

with comparators as (
    select * from {{ ref('int_view_comparators') }}
    where recipient_id = 'hub' and {{ in_build_scope('period') }}
),

final as (
    select
        comparator_type,
        comparator_key,
        period,
        indicator_code,
        measure,
        value,
        numerator_total,
        denominator_total,
        contributing_las,
        member_las,
        contributing_population_0_17,
        member_population_0_17,
        population_coverage,
        is_low_coverage
    from comparators
)

select * from final
