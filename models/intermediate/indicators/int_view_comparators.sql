-- The one comparator engine: one row per recipient's view, quarter, comparator group
-- (region, an LA's statistical neighbours, England), indicator and measure. A comparator
-- is the sum of the numerators over the sum of the populations or denominators of the
-- group's members that are in the recipient's view and gave the item that quarter
-- (RETURN_TEMPLATE.md section 3: never a mean of LA values), with how many LAs and what
-- share of the group's 0-17 population it covers; one built from fewer members than
-- `comparator_min_members` (default 5) is flagged as low coverage (SHARING.md rule 5).
-- An LA outside the view never shapes the view's comparators. Only the groups the view
-- needs are computed: the regions, neighbours and England of the LAs it reports on.
{{ period_incremental() }}

with members as (
    select * from {{ ref('int_view_comparator_members') }}
    where is_contributing and {{ in_build_scope('period') }}
),

groups as (
    select * from {{ ref('int_comparator_groups') }}
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

population_0_17 as (
    select
        area_code as la_code,
        period,
        population
    from {{ ref('int_population_by_period') }}
    where geography_level = 'la' and age_band = '0-17'
),

group_population as (
    select
        groups.period,
        groups.comparator_type,
        groups.comparator_key,
        count(*) as member_las,
        sum(population_0_17.population) as member_population_0_17
    from groups
    left join population_0_17
        on
            groups.member_la_code = population_0_17.la_code
            and groups.period = population_0_17.period
    group by groups.period, groups.comparator_type, groups.comparator_key
),

sums as (
    select
        recipient_id,
        period,
        comparator_type,
        comparator_key,
        indicator_code,
        measure,
        -- summed as DECIMAL: exact, so the result never depends on the order in which
        -- DuckDB's parallel aggregation adds the rows (builds are reproducible)
        sum(cast(numerator as decimal(38, 2))) as numerator_total,
        sum(cast(base as decimal(38, 2))) as base_total,
        count(*) as contributing_las,
        sum(population_0_17) as contributing_population_0_17
    from members
    group by recipient_id, period, comparator_type, comparator_key, indicator_code, measure
),

final as (
    select
        sums.recipient_id,
        sums.period,
        sums.comparator_type,
        sums.comparator_key,
        sums.indicator_code,
        sums.measure,
        case
            when sums.measure = 'count' then cast(sums.numerator_total as double)
            when sums.base_total > 0
                then cast(sums.numerator_total as double) * indicators.multiplier / cast(sums.base_total as double)
        end as value,
        cast(sums.numerator_total as double) as numerator_total,
        case when sums.measure <> 'count' then cast(sums.base_total as double) end as denominator_total,
        cast(sums.contributing_las as integer) as contributing_las,
        cast(group_population.member_las as integer) as member_las,
        cast(sums.contributing_population_0_17 as bigint) as contributing_population_0_17,
        cast(group_population.member_population_0_17 as bigint) as member_population_0_17,
        cast(sums.contributing_population_0_17 as double)
        / nullif(group_population.member_population_0_17, 0) as population_coverage,
        sums.contributing_las < {{ var('comparator_min_members', 5) }} as is_low_coverage
    from sums
    inner join indicators
        on
            sums.indicator_code = indicators.indicator_code
            and sums.measure = indicators.measure
    inner join group_population
        on
            sums.period = group_population.period
            and sums.comparator_type = group_population.comparator_type
            and sums.comparator_key = group_population.comparator_key
)

select * from final
