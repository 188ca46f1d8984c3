-- The one comparator engine: one row per recipient's view, quarter, comparator group
-- (region, an LA's statistical neighbours, England), indicator and measure. A comparator
-- is the sum of the numerators over the sum of the populations or denominators of the
-- group's members that are in the recipient's view and gave the item that quarter
-- (RETURN_TEMPLATE.md section 3: never a mean of LA values), with how many LAs and what
-- share of the group's 0-17 population it covers; one built from fewer members than
-- `comparator_min_members` (default 5) is flagged as low coverage (SHARING.md rule 5).
-- An LA outside the view never shapes the view's comparators. Only the groups the view
-- needs are computed: the regions, neighbours and England of the LAs it reports on.
{{ period_incremental(chunked=true) }}

with members as (
    select * from {{ ref('int_view_comparator_members') }}
    where is_contributing and {{ in_build_scope('period') }}
),

-- each group the build recomputes, with how many LAs it has and their 0-17 population
group_members as (
    select
        recipient_id,
        period,
        comparator_type,
        comparator_key,
        group_number,
        count(*) as member_las,
        sum(population_0_17) as member_population_0_17
    from {{ ref('int_view_comparator_groups') }}
    where {{ in_build_scope('period') }}
    group by recipient_id, period, comparator_type, comparator_key, group_number
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

-- added up on the group's number within its quarter (int_view_comparator_groups), not on
-- its four texts: at 48 quarters a full build has 1.3 million sums of 9.7 million member
-- figures, and on the short key DuckDB's aggregate keeps within the memory limit by
-- spilling to disk, where on the texts it ran out of memory (README, "Memory")
sums as (
    select
        period,
        group_number,
        indicator_code,
        measure,
        -- summed as DECIMAL: exact, so the result never depends on the order in which
        -- DuckDB's parallel aggregation adds the rows (builds are reproducible)
        sum(cast(numerator as decimal(38, 2))) as numerator_total,
        sum(cast(base as decimal(38, 2))) as base_total,
        count(*) as contributing_las,
        sum(population_0_17) as contributing_population_0_17
    from members
    group by period, group_number, indicator_code, measure
),

final as (
    select
        group_members.recipient_id,
        sums.period,
        group_members.comparator_type,
        group_members.comparator_key,
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
        cast(group_members.member_las as integer) as member_las,
        cast(sums.contributing_population_0_17 as bigint) as contributing_population_0_17,
        cast(group_members.member_population_0_17 as bigint) as member_population_0_17,
        cast(sums.contributing_population_0_17 as double)
        / nullif(group_members.member_population_0_17, 0) as population_coverage,
        sums.contributing_las < {{ var('comparator_min_members', 5) }} as is_low_coverage
    from sums
    inner join group_members
        on
            sums.period = group_members.period
            and sums.group_number = group_members.group_number
    inner join indicators
        on
            sums.indicator_code = indicators.indicator_code
            and sums.measure = indicators.measure
)

select * from final
