-- The members of every comparator a view needs, and what each gave: one row per view,
-- quarter, comparator group (region, an LA's statistical neighbours, England), member LA of
-- the group that quarter, indicator and measure the member's figure is in the view for,
-- with whether it contributes (its return gave the item: `calculated` or
-- `zero_denominator`) and its numerator, base (population or denominator) and 0-17
-- population. The first half of the one comparator engine: int_view_comparators adds these
-- up, and `riia explain` lists them ("which LAs a comparator pooled"). A view, so that only
-- the rows asked for are computed.
{{ config(materialized='view') }}

-- The view's figures are read twice, each time straight from their table rather than
-- through one CTE, which DuckDB would materialize whole: a caller's filter on `period`
-- (int_view_comparators: the quarters a build recomputes) then reaches the scan of the
-- figures, so that a quarterly build reads the quarters it recomputes, not the whole history.
with groups as (
    select * from {{ ref('int_comparator_groups') }}
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
    from {{ ref('int_view_indicator_values') }}
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

-- each member with its 0-17 population that quarter, before its figures multiply the rows
members as (
    select
        needed_groups.recipient_id,
        groups.period,
        groups.comparator_type,
        groups.comparator_key,
        groups.member_la_code,
        population_0_17.population as population_0_17
    from needed_groups
    inner join groups
        on
            needed_groups.period = groups.period
            and needed_groups.comparator_type = groups.comparator_type
            and needed_groups.comparator_key = groups.comparator_key
    left join population_0_17
        on
            groups.member_la_code = population_0_17.la_code
            and groups.period = population_0_17.period
),

final as (
    select
        members.recipient_id,
        -- the figure's quarter (the same as the member's): the column a caller filters on
        view_values.period,
        members.comparator_type,
        members.comparator_key,
        members.member_la_code,
        view_values.indicator_code,
        view_values.measure,
        view_values.value_status in ('calculated', 'zero_denominator') as is_contributing,
        view_values.numerator,
        view_values.base,
        members.population_0_17
    from members
    inner join {{ ref('int_view_indicator_values') }} as view_values
        on
            members.recipient_id = view_values.recipient_id
            and members.period = view_values.period
            and members.member_la_code = view_values.la_code
)

select * from final
