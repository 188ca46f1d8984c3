-- The regional audience's dataset: for each region whose regional agreement is in
-- force, its own LAs in full - every item it collects, provisional (unreleased)
-- quarters included and marked - with comparators. The region comparator is built
-- from the region's own LAs; the statistical-neighbour and England comparators and
-- the England rank only from LAs whose data is shared cross-regionally (SHARING.md
-- rule 5), so an LA outside that sharing never shapes another region's figures.
-- Figures are rounded half-up (RETURN_TEMPLATE.md section 3). Published per region
-- to its own folder by scripts/publish_exports.py.
with own_values as (
    select * from {{ ref('int_shared_indicator_values') }}
    where audience = 'regional'
),

cross_regional_values as (
    select * from {{ ref('int_shared_indicator_values') }}
    where audience = 'd2i'
),

region_groups as (
    select * from {{ ref('int_comparator_groups') }}
    where comparator_type = 'region'
),

cross_regional_groups as (
    select * from {{ ref('int_comparator_groups') }}
    where comparator_type in ('statistical_neighbours', 'england')
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

audience as (
    select * from {{ ref('sharing_audiences') }}
    where audience = 'regional'
),

region_comparators as (
    {{ indicator_comparators('own_values', 'region_groups') }}
),

cross_regional_comparators as (
    {{ indicator_comparators('cross_regional_values', 'cross_regional_groups') }}
),

england_positions as (
    select
        own_values.la_code,
        own_values.period,
        own_values.indicator_code,
        own_values.measure,
        1 + count(other_las.value) filter (where other_las.value > own_values.value) as rank_in_england,
        1 + count(other_las.value) filter (where other_las.value < own_values.value) as rank_ascending_in_england,
        1 + count(other_las.value) as las_ranked_in_england
    from own_values
    left join cross_regional_values as other_las
        on
            own_values.period = other_las.period
            and own_values.indicator_code = other_las.indicator_code
            and own_values.measure = other_las.measure
            and own_values.la_code <> other_las.la_code
    where own_values.value is not null
    group by own_values.la_code, own_values.period, own_values.indicator_code, own_values.measure
),

region_ranks as (
    select
        la_code,
        period,
        indicator_code,
        measure,
        rank() over (
            partition by region_code, period, indicator_code, measure order by value desc
        ) as rank_in_region,
        count(*) over (partition by region_code, period, indicator_code, measure) as las_ranked_in_region
    from own_values
    where value is not null
),

final as (
    select
        own_values.region_code,
        own_values.region_name,
        own_values.la_code,
        own_values.la_name,
        own_values.period,
        own_values.is_provisional,
        own_values.released_on,
        own_values.indicator_code,
        own_values.indicator_name,
        own_values.item_set,
        own_values.measure,
        {{ round_half_up('own_values.value', 'indicators.rounding_dp') }} as value,
        own_values.value_status,
        {{ round_half_up('region.value', 'indicators.rounding_dp') }} as region_value,
        cast(region.contributing_las as integer) as region_contributing_las,
        {{ round_half_up('neighbours.value', 'indicators.rounding_dp') }} as neighbours_value,
        cast(neighbours.contributing_las as integer) as neighbours_contributing_las,
        {{ round_half_up('england.value', 'indicators.rounding_dp') }} as england_value,
        cast(england.contributing_las as integer) as england_contributing_las,
        {{ round_half_up('england.population_coverage * 100', 1) }} as england_coverage_percent,
        cast(region_ranks.rank_in_region as integer) as rank_in_region,
        cast(region_ranks.las_ranked_in_region as integer) as las_ranked_in_region,
        cast(england_positions.rank_in_england as integer) as rank_in_england,
        cast(england_positions.las_ranked_in_england as integer) as las_ranked_in_england,
        {{ quartile_from_rank(
            'england_positions.rank_ascending_in_england',
            'england_positions.las_ranked_in_england',
        ) }} as quartile_in_england,
        own_values.warning_rule_ids,
        own_values.agreement_id,
        audience.handling_marking
    from own_values
    inner join indicators
        on
            own_values.indicator_code = indicators.indicator_code
            and own_values.measure = indicators.measure
    cross join audience
    left join region_comparators as region
        on
            own_values.region_code = region.comparator_key
            and own_values.period = region.period
            and own_values.indicator_code = region.indicator_code
            and own_values.measure = region.measure
    left join cross_regional_comparators as neighbours
        on
            neighbours.comparator_type = 'statistical_neighbours'
            and own_values.la_code = neighbours.comparator_key
            and own_values.period = neighbours.period
            and own_values.indicator_code = neighbours.indicator_code
            and own_values.measure = neighbours.measure
    left join cross_regional_comparators as england
        on
            england.comparator_type = 'england'
            and own_values.period = england.period
            and own_values.indicator_code = england.indicator_code
            and own_values.measure = england.measure
    left join region_ranks
        on
            own_values.la_code = region_ranks.la_code
            and own_values.period = region_ranks.period
            and own_values.indicator_code = region_ranks.indicator_code
            and own_values.measure = region_ranks.measure
    left join england_positions
        on
            own_values.la_code = england_positions.la_code
            and own_values.period = england_positions.period
            and own_values.indicator_code = england_positions.indicator_code
            and own_values.measure = england_positions.measure
)

select * from final
