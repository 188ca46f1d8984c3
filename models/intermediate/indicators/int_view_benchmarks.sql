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
{{ period_incremental(chunked=true) }}

with periods as (
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

-- ... and the quarter before each (the quartile an LA moved from); never NULL (the
-- calendar's first quarter has none before it), since a NULL in a `not in` list keeps no row
ranked_periods as (
    select period from scope_periods
    union
    select previous_period as period from scope_periods
    where previous_period is not null
),

-- ... and the same quarter last year (the change on last year)
context_periods as (
    select period from ranked_periods
    union
    select same_period_last_year as period from scope_periods
),

context_figures as (
    select * from {{ ref('int_view_indicator_values') }}
    where period in (select context_periods.period from context_periods)
),

-- a number for each view's indicator and measure (a slice: the LAs of a slice and quarter
-- are ranked together) and for each LA, among the figures of those quarters: the ranks,
-- series and neighbours below partition and join on these numbers and the quarter's
-- position, not on the texts they stand for (a third of the engine's time at 12 quarters)
slices as materialized (
    select
        recipient_id,
        indicator_code,
        measure,
        row_number() over () as slice_key
    from context_figures
    group by recipient_id, indicator_code, measure
),

la_keys as materialized (
    select
        la_code,
        row_number() over () as la_key
    from context_figures
    group by la_code
),

-- each figure of those quarters with its row's number in its table (materialized: the
-- number is the key on which the ranks and the changes of a row reported on join back to
-- it; DuckDB's rowid, where `row_number() over ()` took a pass of one thread over every
-- figure); a quarterly build reads the quarters it recomputes and their context, not the
-- whole history. Only what the ranks and comparators need, with the quarter's position
-- and the numbers of its slice and LA: the rest of a row reported on is read once more,
-- by its number, when its row is put together (`details`); carried through every step
-- below, it was most of the engine's memory (a 24-quarter catch-up ran out of memory at 300MB).
view_values as materialized (
    select
        figures.rowid as row_id,
        slices.slice_key,
        la_keys.la_key,
        figures.recipient_id,
        figures.visibility,
        figures.la_code,
        figures.period,
        periods.period_index,
        figures.region_code,
        figures.indicator_code,
        figures.measure,
        figures.value
    -- the table itself, not context_figures: DuckDB materializes a CTE read three times,
    -- which cost 1.3-1.5 s of the sample's 7.5 s
    from {{ ref('int_view_indicator_values') }} as figures
    inner join periods on figures.period = periods.period
    inner join slices
        on
            figures.recipient_id = slices.recipient_id
            and figures.indicator_code = slices.indicator_code
            and figures.measure = slices.measure
    inner join la_keys on figures.la_code = la_keys.la_code
    where figures.period in (select context_periods.period from context_periods)
),

-- the comparators of the quarters recomputed, one set per kind (each read where it is joined)
region_comparators as (
    select * from {{ ref('int_view_comparators') }}
    where comparator_type = 'region' and {{ in_build_scope('period') }}
),

neighbour_comparators as (
    select * from {{ ref('int_view_comparators') }}
    where comparator_type = 'statistical_neighbours' and {{ in_build_scope('period') }}
),

england_comparators as (
    select * from {{ ref('int_view_comparators') }}
    where comparator_type = 'england' and {{ in_build_scope('period') }}
),

groups as (
    select * from {{ ref('int_comparator_groups') }}
    where comparator_type = 'statistical_neighbours' and {{ in_build_scope('period') }}
),

-- the ranks among the LAs of the view with a value, in the quarters recomputed and the
-- quarter before each (a year-before quarter only gives its values), one sort per
-- partition: a NULL sorts last and is not counted, so it never moves a value's rank (and
-- gets none); the ascending rank (1 = lowest) is what the values above and level with it
-- leave: count - rank - ties + 2
ranked as (
    select
        row_id,
        slice_key,
        la_key,
        period_index,
        value,
        case when value is not null then rank() over in_region end as rank_in_region,
        case when value is not null then count(*) over in_region_ties end as ties_in_region,
        case when value is not null then count(value) over in_region_all end as las_ranked_in_region,
        case when value is not null then rank() over in_england end as rank_in_england,
        case when value is not null then count(*) over in_england_ties end as ties_in_england,
        case when value is not null then count(value) over in_england_all end as las_ranked_in_england
    from view_values
    where period in (select ranked_periods.period from ranked_periods)
    window
        in_region as (partition by slice_key, period_index, region_code order by value desc),
        in_region_ties as (in_region range between current row and current row),
        in_region_all as (in_region rows between unbounded preceding and unbounded following),
        in_england as (partition by slice_key, period_index order by value desc),
        in_england_ties as (in_england range between current row and current row),
        in_england_all as (in_england rows between unbounded preceding and unbounded following)
),

quartiles as (
    select
        ranked.*,
        {{ quartile_from_rank(
            'ranked.las_ranked_in_region - ranked.rank_in_region - ranked.ties_in_region + 2',
            'ranked.las_ranked_in_region'
        ) }} as quartile_in_region,
        {{ quartile_from_rank(
            'ranked.las_ranked_in_england - ranked.rank_in_england - ranked.ties_in_england + 2',
            'ranked.las_ranked_in_england'
        ) }} as quartile_in_england
    from ranked
),

-- the series the view reports on, each an LA's figures of one slice (only the rows reported
-- on get a change or the quartile they moved from, and a series holding one is reported
-- on; a series is all of one LA's rows, so another LA's never shapes it): the quarters
-- ranked, with their ranks, and the year-before quarters, with their values only
reported_series as (
    select distinct
        slice_key,
        la_key
    from view_values
    where visibility <> 'cross_regional'
),

series_values as (
    select
        quartiles.row_id,
        quartiles.slice_key,
        quartiles.la_key,
        quartiles.period_index,
        quartiles.value,
        quartiles.rank_in_region,
        quartiles.las_ranked_in_region,
        quartiles.quartile_in_region,
        quartiles.rank_in_england,
        quartiles.las_ranked_in_england,
        quartiles.quartile_in_england
    from quartiles
    inner join reported_series
        on
            quartiles.slice_key = reported_series.slice_key
            and quartiles.la_key = reported_series.la_key
    union all
    select
        view_values.row_id,
        view_values.slice_key,
        view_values.la_key,
        view_values.period_index,
        view_values.value,
        null as rank_in_region,
        null as las_ranked_in_region,
        null as quartile_in_region,
        null as rank_in_england,
        null as las_ranked_in_england,
        null as quartile_in_england
    from view_values
    inner join reported_series
        on
            view_values.slice_key = reported_series.slice_key
            and view_values.la_key = reported_series.la_key
    where view_values.period not in (select ranked_periods.period from ranked_periods)
),

-- each figure with the LA's own figures of the quarter before and of the same quarter a
-- year earlier, read from its series in the view ordered by the quarters' positions: a
-- figure counts only at the right distance (the year before is 1 to 4 rows back), so
-- that a quarter missing from the view gives none, not the one before it
series as (
    select
        row_id,
        rank_in_region,
        las_ranked_in_region,
        quartile_in_region,
        rank_in_england,
        las_ranked_in_england,
        quartile_in_england,
        case
            when lag(period_index, 1) over la_series = period_index - 1 then lag(quartile_in_england, 1) over la_series
        end as previous_quartile_in_england,
        case
            when lag(period_index, 1) over la_series = period_index - 1 then lag(value, 1) over la_series
        end as previous_quarter_value,
        case
            when lag(period_index, 4) over la_series = period_index - 4 then lag(value, 4) over la_series
            when lag(period_index, 3) over la_series = period_index - 4 then lag(value, 3) over la_series
            when lag(period_index, 2) over la_series = period_index - 4 then lag(value, 2) over la_series
            when lag(period_index, 1) over la_series = period_index - 4 then lag(value, 1) over la_series
        end as same_quarter_last_year_value
    from series_values
    window la_series as (partition by slice_key, la_key order by period_index)
),

-- the rows reported on
subjects as (
    select * from view_values
    where visibility <> 'cross_regional' and {{ in_build_scope('period') }}
),

-- the figures of the quarters recomputed, among which a neighbour's rank is counted
scope_values as (
    select * from view_values
    where period in (select scope_periods.period from scope_periods)
),

-- each LA's neighbours by number (a neighbour with no figure in these quarters has none,
-- and would have found no figure to count)
group_members as (
    select
        subject_keys.la_key,
        periods.period_index,
        member_keys.la_key as member_la_key
    from groups
    inner join la_keys as subject_keys on groups.comparator_key = subject_keys.la_code
    inner join la_keys as member_keys on groups.member_la_code = member_keys.la_code
    inner join periods on groups.period = periods.period
),

-- a neighbour without a value (NULL) is neither above the LA nor counted
neighbour_ranks as (
    select
        subjects.row_id,
        1 + count(*) filter (where members.value > subjects.value) as rank_among_neighbours,
        1 + count(members.value) as las_ranked_among_neighbours
    from subjects
    left join group_members
        on
            subjects.la_key = group_members.la_key
            and subjects.period_index = group_members.period_index
    left join scope_values as members
        on
            subjects.slice_key = members.slice_key
            and group_members.member_la_key = members.la_key
            and subjects.period_index = members.period_index
    where subjects.value is not null
    group by subjects.row_id
),

-- Each row reported on gets its ranks, then each comparator, one join at a time, each step
-- materialized: a pipeline of joins holds every table it looks rows up in at once, and
-- DuckDB cannot spill them, so one join of all six held the ranks and three sets of
-- comparators together (the peak of a full build's memory). One at a time, each join holds
-- one of them, and the build keeps to its memory limit (README: "Memory").
ranked_subjects as materialized (
    select
        subjects.row_id,
        subjects.recipient_id,
        subjects.la_code,
        subjects.period,
        subjects.region_code,
        subjects.indicator_code,
        subjects.measure,
        subjects.value,
        cast(series.rank_in_region as integer) as rank_in_region,
        cast(series.las_ranked_in_region as integer) as las_ranked_in_region,
        series.quartile_in_region,
        cast(neighbour_ranks.rank_among_neighbours as integer) as rank_among_neighbours,
        cast(neighbour_ranks.las_ranked_among_neighbours as integer) as las_ranked_among_neighbours,
        cast(series.rank_in_england as integer) as rank_in_england,
        cast(series.las_ranked_in_england as integer) as las_ranked_in_england,
        series.quartile_in_england,
        series.previous_quartile_in_england,
        series.previous_quarter_value,
        series.same_quarter_last_year_value
    from subjects
    inner join series on subjects.row_id = series.row_id
    left join neighbour_ranks on subjects.row_id = neighbour_ranks.row_id
),

with_region as materialized (
    select
        ranked_subjects.*,
        region.value as region_value,
        region.contributing_las as region_contributing_las,
        region.member_las as region_member_las,
        region.is_low_coverage as is_region_low_coverage
    from ranked_subjects
    left join region_comparators as region
        on
            ranked_subjects.recipient_id = region.recipient_id
            and ranked_subjects.region_code = region.comparator_key
            and ranked_subjects.period = region.period
            and ranked_subjects.indicator_code = region.indicator_code
            and ranked_subjects.measure = region.measure
),

with_neighbours as materialized (
    select
        with_region.*,
        neighbours.value as neighbours_value,
        neighbours.contributing_las as neighbours_contributing_las,
        neighbours.member_las as neighbours_member_las,
        neighbours.population_coverage as neighbours_population_coverage,
        neighbours.is_low_coverage as is_neighbours_low_coverage
    from with_region
    left join neighbour_comparators as neighbours
        on
            with_region.recipient_id = neighbours.recipient_id
            and with_region.la_code = neighbours.comparator_key
            and with_region.period = neighbours.period
            and with_region.indicator_code = neighbours.indicator_code
            and with_region.measure = neighbours.measure
),

-- the rest of each row reported on, joined by its number
details as (
    select
        rowid as row_id,
        audience,
        visibility,
        value_status,
        numerator,
        denominator,
        population,
        population_mid_year,
        source_file,
        file_path,
        agreement_id,
        is_provisional,
        is_changed_since_release
    from {{ ref('int_view_indicator_values') }}
    where visibility <> 'cross_regional' and {{ in_build_scope('period') }}
),

final as (
    select
        figures.recipient_id,
        details.audience,
        details.visibility,
        figures.la_code,
        figures.period,
        figures.region_code,
        figures.indicator_code,
        figures.measure,
        figures.value,
        details.value_status,
        details.numerator,
        details.denominator,
        details.population,
        details.population_mid_year,
        details.source_file,
        details.file_path,
        details.agreement_id,
        details.is_provisional,
        details.is_changed_since_release,
        figures.region_value,
        figures.region_contributing_las,
        figures.region_member_las,
        figures.is_region_low_coverage,
        figures.neighbours_value,
        figures.neighbours_contributing_las,
        figures.neighbours_member_las,
        figures.neighbours_population_coverage,
        figures.is_neighbours_low_coverage,
        england.value as england_value,
        england.contributing_las as england_contributing_las,
        england.member_las as england_member_las,
        england.population_coverage as england_population_coverage,
        figures.rank_in_region,
        figures.las_ranked_in_region,
        figures.quartile_in_region,
        figures.rank_among_neighbours,
        figures.las_ranked_among_neighbours,
        figures.rank_in_england,
        figures.las_ranked_in_england,
        figures.quartile_in_england,
        figures.previous_quartile_in_england,
        {{ polarity_band('figures.quartile_in_england', 'indicators.polarity') }} as band_in_england,
        {{ polarity_band('figures.previous_quartile_in_england', 'indicators.polarity') }} as previous_band_in_england,
        figures.previous_quarter_value,
        figures.value - figures.previous_quarter_value as change_on_previous_quarter,
        figures.same_quarter_last_year_value,
        figures.value - figures.same_quarter_last_year_value as change_on_same_quarter_last_year
    from with_neighbours as figures
    inner join details on figures.row_id = details.row_id
    inner join indicators
        on
            figures.indicator_code = indicators.indicator_code
            and figures.measure = indicators.measure
    left join england_comparators as england
        on
            figures.recipient_id = england.recipient_id
            and figures.period = england.period
            and figures.indicator_code = england.indicator_code
            and figures.measure = england.measure
)

select * from final
