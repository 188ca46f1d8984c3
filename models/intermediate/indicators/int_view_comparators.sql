-- The one comparator engine: one row per recipient's view, quarter, comparator group
-- (region, an LA's statistical neighbours, England), indicator and measure. A comparator
-- is the sum of the numerators over the sum of the populations or denominators of the
-- group's members that are in the recipient's view and gave the item that quarter
-- (RETURN_TEMPLATE.md section 3: never a mean of LA values), with how many LAs and what
-- share of the group's 0-17 population it covers; one built from fewer members than
-- `comparator_min_members` (default 5) is flagged as low coverage (SHARING.md rule 5).
-- An LA outside the view never shapes the view's comparators. Only the groups the view
-- needs are computed: the regions, neighbours and England of the LAs it reports on.
with view_values as (
    select * from {{ ref('int_view_indicator_values') }}
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

subjects as (
    select distinct
        recipient_id,
        period,
        la_code,
        region_code
    from view_values
    where visibility <> 'cross_regional'
),

needed_groups as (
    select distinct
        subjects.recipient_id,
        subjects.period,
        'region' as comparator_type,
        subjects.region_code as comparator_key
    from subjects
    union all
    select distinct
        recipient_id,
        period,
        'statistical_neighbours' as comparator_type,
        la_code as comparator_key
    from subjects
    union all
    select distinct
        recipient_id,
        period,
        'england' as comparator_type,
        'E92000001' as comparator_key
    from subjects
),

members as (
    select
        needed_groups.recipient_id,
        groups.period,
        groups.comparator_type,
        groups.comparator_key,
        groups.member_la_code
    from needed_groups
    inner join groups
        on
            needed_groups.period = groups.period
            and needed_groups.comparator_type = groups.comparator_type
            and needed_groups.comparator_key = groups.comparator_key
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

contributing as (
    select * from view_values
    where value_status in ('calculated', 'zero_denominator')
),

sums as (
    select
        members.recipient_id,
        members.period,
        members.comparator_type,
        members.comparator_key,
        contributing.indicator_code,
        contributing.measure,
        -- summed as DECIMAL: exact, so the result never depends on the order in which
        -- DuckDB's parallel aggregation adds the rows (builds are reproducible)
        sum(cast(contributing.numerator as decimal(38, 2))) as numerator_total,
        sum(cast(contributing.base as decimal(38, 2))) as base_total,
        count(*) as contributing_las,
        sum(population_0_17.population) as contributing_population_0_17
    from members
    inner join contributing
        on
            members.recipient_id = contributing.recipient_id
            and members.period = contributing.period
            and members.member_la_code = contributing.la_code
    left join population_0_17
        on
            contributing.la_code = population_0_17.la_code
            and contributing.period = population_0_17.period
    group by
        members.recipient_id,
        members.period,
        members.comparator_type,
        members.comparator_key,
        contributing.indicator_code,
        contributing.measure
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
