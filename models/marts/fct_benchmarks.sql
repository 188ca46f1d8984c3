-- The tartan rug: one row per LA, quarter, indicator and measure (accepted returns
-- only), set against its region, its statistical neighbours and England. Ranks are
-- 1 = highest value (ties share a rank) among the LAs that have a value; quartiles
-- are 1 = lowest quarter ... 4 = highest. "Among neighbours" ranks the LA within
-- itself and its 10 DfE statistical neighbours. Changes compare with the same LA's
-- previous quarter and the same quarter a year earlier.
with indicator_values as (
    select * from {{ ref('fct_indicator_values') }}
),

periods as (
    select * from {{ ref('dim_period') }}
),

comparators as (
    select * from {{ ref('fct_indicator_comparators') }}
),

neighbour_sets as (
    select
        la_code as subject_la_code,
        neighbour_la_code as member_la_code
    from {{ ref('ref_statistical_neighbours') }}
    union all
    select distinct
        la_code as subject_la_code,
        la_code as member_la_code
    from {{ ref('ref_statistical_neighbours') }}
),

ranked as (
    select
        la_code,
        period,
        indicator_code,
        measure,
        case
            when value is not null then rank() over (
                    partition by period, indicator_code, measure, region_code order by value desc nulls last
                )
        end as rank_in_region,
        case
            when value is not null then rank() over (
                    partition by period, indicator_code, measure, region_code order by value asc nulls last
                )
        end as rank_ascending_in_region,
        count(value) over (partition by period, indicator_code, measure, region_code) as las_ranked_in_region,
        case
            when value is not null
                then rank() over (partition by period, indicator_code, measure order by value desc nulls last)
        end as rank_in_england,
        case
            when value is not null
                then rank() over (partition by period, indicator_code, measure order by value asc nulls last)
        end as rank_ascending_in_england,
        count(value) over (partition by period, indicator_code, measure) as las_ranked_in_england
    from indicator_values
),

neighbour_ranks as (
    select
        subject.la_code,
        subject.period,
        subject.indicator_code,
        subject.measure,
        1 + count(*) filter (where member.value > subject.value) as rank_among_neighbours,
        count(member.value) as las_ranked_among_neighbours
    from indicator_values as subject
    inner join neighbour_sets on subject.la_code = neighbour_sets.subject_la_code
    inner join indicator_values as member
        on
            neighbour_sets.member_la_code = member.la_code
            and subject.period = member.period
            and subject.indicator_code = member.indicator_code
            and subject.measure = member.measure
    where subject.value is not null
    group by subject.la_code, subject.period, subject.indicator_code, subject.measure
),

final as (
    select
        current_values.la_code,
        current_values.period,
        current_values.region_code,
        current_values.indicator_code,
        current_values.measure,
        current_values.value,
        current_values.value_status,
        region.value as region_value,
        region.contributing_las as region_contributing_las,
        neighbours.value as neighbours_value,
        neighbours.contributing_las as neighbours_contributing_las,
        england.value as england_value,
        england.contributing_las as england_contributing_las,
        england.population_coverage as england_population_coverage,
        cast(ranked.rank_in_region as integer) as rank_in_region,
        cast(ranked.las_ranked_in_region as integer) as las_ranked_in_region,
        {{ quartile_from_rank('ranked.rank_ascending_in_region', 'ranked.las_ranked_in_region') }}
            as quartile_in_region,
        cast(neighbour_ranks.rank_among_neighbours as integer) as rank_among_neighbours,
        cast(neighbour_ranks.las_ranked_among_neighbours as integer) as las_ranked_among_neighbours,
        cast(ranked.rank_in_england as integer) as rank_in_england,
        cast(ranked.las_ranked_in_england as integer) as las_ranked_in_england,
        {{ quartile_from_rank('ranked.rank_ascending_in_england', 'ranked.las_ranked_in_england') }}
            as quartile_in_england,
        previous_quarter.value as previous_quarter_value,
        current_values.value - previous_quarter.value as change_on_previous_quarter,
        last_year.value as same_quarter_last_year_value,
        current_values.value - last_year.value as change_on_same_quarter_last_year
    from indicator_values as current_values
    inner join ranked
        on
            current_values.la_code = ranked.la_code
            and current_values.period = ranked.period
            and current_values.indicator_code = ranked.indicator_code
            and current_values.measure = ranked.measure
    inner join periods on current_values.period = periods.period
    left join neighbour_ranks
        on
            current_values.la_code = neighbour_ranks.la_code
            and current_values.period = neighbour_ranks.period
            and current_values.indicator_code = neighbour_ranks.indicator_code
            and current_values.measure = neighbour_ranks.measure
    left join comparators as region
        on
            region.comparator_type = 'region'
            and current_values.region_code = region.comparator_key
            and current_values.period = region.period
            and current_values.indicator_code = region.indicator_code
            and current_values.measure = region.measure
    left join comparators as neighbours
        on
            neighbours.comparator_type = 'statistical_neighbours'
            and current_values.la_code = neighbours.comparator_key
            and current_values.period = neighbours.period
            and current_values.indicator_code = neighbours.indicator_code
            and current_values.measure = neighbours.measure
    left join comparators as england
        on
            england.comparator_type = 'england'
            and current_values.period = england.period
            and current_values.indicator_code = england.indicator_code
            and current_values.measure = england.measure
    left join indicator_values as previous_quarter
        on
            current_values.la_code = previous_quarter.la_code
            and periods.previous_period = previous_quarter.period
            and current_values.indicator_code = previous_quarter.indicator_code
            and current_values.measure = previous_quarter.measure
    left join indicator_values as last_year
        on
            current_values.la_code = last_year.la_code
            and periods.same_period_last_year = last_year.period
            and current_values.indicator_code = last_year.indicator_code
            and current_values.measure = last_year.measure
)

select * from final
