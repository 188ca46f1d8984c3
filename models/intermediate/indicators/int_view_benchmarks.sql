-- The one rank engine: one row per recipient's view and LA it reports on (its own or
-- shared LAs; the cross-regional LAs of a region's view are comparators only), quarter,
-- indicator and measure: the LA's value set against its region, its statistical
-- neighbours and England, each computed from the same view (int_view_comparators), and
-- its ranks among the LAs of the view with a value (1 = highest; ties share a rank): in
-- its region, among itself and its neighbours, in England, with how many were ranked, its
-- quartile in England (1 = lowest quarter ... 4 = highest, from its percent rank) and the
-- quartile it moved from, its A-D band where the indicator's polarity is agreed (A = the
-- best quarter, `ref_indicators.polarity`; none for `context` indicators), and its change
-- on the previous quarter and the same quarter a year earlier in the same view.
-- fct_benchmarks is the hub's view; every shared output selects its recipient's view.
{{ period_incremental() }}

with view_values as (
    select * from {{ ref('int_view_indicator_values') }}
),

comparators as (
    select * from {{ ref('int_view_comparators') }}
    where {{ in_build_scope('period') }}
),

groups as (
    select * from {{ ref('int_comparator_groups') }}
    where comparator_type = 'statistical_neighbours' and {{ in_build_scope('period') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

indicators as (
    select * from {{ ref('ref_indicators') }}
),

-- the quarters recomputed
scope_periods as (
    select * from periods
    where {{ in_build_scope('periods.period') }}
),

-- ... and the quarter before each (the quartile an LA moved from)
ranked_periods as (
    select period from scope_periods
    union
    select previous_period as period from scope_periods
),

-- ... and the same quarter last year (the change on last year)
context_periods as (
    select period from ranked_periods
    union
    select same_period_last_year as period from scope_periods
),

-- only what the ranks and changes read, of only the quarters they read
context_values as (
    select
        recipient_id,
        la_code,
        period,
        region_code,
        indicator_code,
        measure,
        value
    from view_values
    where value is not null and period in (select context_periods.period from context_periods)
),

ranked as (
    select
        recipient_id,
        la_code,
        period,
        indicator_code,
        measure,
        rank() over (
            partition by recipient_id, period, indicator_code, measure, region_code order by value desc
        ) as rank_in_region,
        rank() over (
            partition by recipient_id, period, indicator_code, measure, region_code order by value asc
        ) as rank_ascending_in_region,
        count(*) over (partition by recipient_id, period, indicator_code, measure, region_code) as las_ranked_in_region,
        rank() over (partition by recipient_id, period, indicator_code, measure order by value desc) as rank_in_england,
        rank() over (
            partition by recipient_id, period, indicator_code, measure order by value asc
        ) as rank_ascending_in_england,
        count(*) over (partition by recipient_id, period, indicator_code, measure) as las_ranked_in_england
    from context_values
    where period in (select ranked_periods.period from ranked_periods)
),

quartiles as (
    select
        ranked.*,
        {{ quartile_from_rank('ranked.rank_ascending_in_region', 'ranked.las_ranked_in_region') }}
            as quartile_in_region,
        {{ quartile_from_rank('ranked.rank_ascending_in_england', 'ranked.las_ranked_in_england') }}
            as quartile_in_england
    from ranked
),

subjects as (
    select * from view_values
    where visibility <> 'cross_regional' and {{ in_build_scope('period') }}
),

neighbour_ranks as (
    select
        subjects.recipient_id,
        subjects.la_code,
        subjects.period,
        subjects.indicator_code,
        subjects.measure,
        1 + count(*) filter (where members.value > subjects.value) as rank_among_neighbours,
        1 + count(members.value) as las_ranked_among_neighbours
    from subjects
    left join groups
        on
            subjects.la_code = groups.comparator_key
            and subjects.period = groups.period
    left join context_values as members
        on
            subjects.recipient_id = members.recipient_id
            and groups.member_la_code = members.la_code
            and subjects.period = members.period
            and subjects.indicator_code = members.indicator_code
            and subjects.measure = members.measure
    where subjects.value is not null
    group by subjects.recipient_id, subjects.la_code, subjects.period, subjects.indicator_code, subjects.measure
),

final as (
    select
        subjects.recipient_id,
        subjects.audience,
        subjects.visibility,
        subjects.la_code,
        subjects.period,
        subjects.region_code,
        subjects.indicator_code,
        subjects.measure,
        subjects.value,
        subjects.value_status,
        subjects.numerator,
        subjects.denominator,
        subjects.population,
        subjects.population_mid_year,
        subjects.source_file,
        subjects.file_path,
        subjects.agreement_id,
        subjects.is_provisional,
        subjects.is_changed_since_release,
        region.value as region_value,
        region.contributing_las as region_contributing_las,
        region.member_las as region_member_las,
        region.is_low_coverage as is_region_low_coverage,
        neighbours.value as neighbours_value,
        neighbours.contributing_las as neighbours_contributing_las,
        neighbours.member_las as neighbours_member_las,
        neighbours.population_coverage as neighbours_population_coverage,
        neighbours.is_low_coverage as is_neighbours_low_coverage,
        england.value as england_value,
        england.contributing_las as england_contributing_las,
        england.member_las as england_member_las,
        england.population_coverage as england_population_coverage,
        cast(ranked.rank_in_region as integer) as rank_in_region,
        cast(ranked.las_ranked_in_region as integer) as las_ranked_in_region,
        ranked.quartile_in_region,
        cast(neighbour_ranks.rank_among_neighbours as integer) as rank_among_neighbours,
        cast(neighbour_ranks.las_ranked_among_neighbours as integer) as las_ranked_among_neighbours,
        cast(ranked.rank_in_england as integer) as rank_in_england,
        cast(ranked.las_ranked_in_england as integer) as las_ranked_in_england,
        ranked.quartile_in_england,
        previous_ranked.quartile_in_england as previous_quartile_in_england,
        {{ polarity_band('ranked.quartile_in_england', 'indicators.polarity') }} as band_in_england,
        {{ polarity_band('previous_ranked.quartile_in_england', 'indicators.polarity') }} as previous_band_in_england,
        previous_quarter.value as previous_quarter_value,
        subjects.value - previous_quarter.value as change_on_previous_quarter,
        last_year.value as same_quarter_last_year_value,
        subjects.value - last_year.value as change_on_same_quarter_last_year
    from subjects
    inner join periods on subjects.period = periods.period
    inner join indicators
        on
            subjects.indicator_code = indicators.indicator_code
            and subjects.measure = indicators.measure
    left join quartiles as ranked
        on
            subjects.recipient_id = ranked.recipient_id
            and subjects.la_code = ranked.la_code
            and subjects.period = ranked.period
            and subjects.indicator_code = ranked.indicator_code
            and subjects.measure = ranked.measure
    left join quartiles as previous_ranked
        on
            subjects.recipient_id = previous_ranked.recipient_id
            and subjects.la_code = previous_ranked.la_code
            and periods.previous_period = previous_ranked.period
            and subjects.indicator_code = previous_ranked.indicator_code
            and subjects.measure = previous_ranked.measure
    left join neighbour_ranks
        on
            subjects.recipient_id = neighbour_ranks.recipient_id
            and subjects.la_code = neighbour_ranks.la_code
            and subjects.period = neighbour_ranks.period
            and subjects.indicator_code = neighbour_ranks.indicator_code
            and subjects.measure = neighbour_ranks.measure
    left join comparators as region
        on
            subjects.recipient_id = region.recipient_id
            and region.comparator_type = 'region'
            and subjects.region_code = region.comparator_key
            and subjects.period = region.period
            and subjects.indicator_code = region.indicator_code
            and subjects.measure = region.measure
    left join comparators as neighbours
        on
            subjects.recipient_id = neighbours.recipient_id
            and neighbours.comparator_type = 'statistical_neighbours'
            and subjects.la_code = neighbours.comparator_key
            and subjects.period = neighbours.period
            and subjects.indicator_code = neighbours.indicator_code
            and subjects.measure = neighbours.measure
    left join comparators as england
        on
            subjects.recipient_id = england.recipient_id
            and england.comparator_type = 'england'
            and subjects.period = england.period
            and subjects.indicator_code = england.indicator_code
            and subjects.measure = england.measure
    left join context_values as previous_quarter
        on
            subjects.recipient_id = previous_quarter.recipient_id
            and subjects.la_code = previous_quarter.la_code
            and periods.previous_period = previous_quarter.period
            and subjects.indicator_code = previous_quarter.indicator_code
            and subjects.measure = previous_quarter.measure
    left join context_values as last_year
        on
            subjects.recipient_id = last_year.recipient_id
            and subjects.la_code = last_year.la_code
            and periods.same_period_last_year = last_year.period
            and subjects.indicator_code = last_year.indicator_code
            and subjects.measure = last_year.measure
)

select * from final
